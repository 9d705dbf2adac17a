"""Write the sample pictures in data/shapes/ (used by the Quick start and the inference chapters).

Drawn by `clip_nbdev.data.draw_shape`, large and centred, 128 pixels, seeded. Some are colour-shape
combinations held out of the bundled model's training (`HELD_OUT`): the model has never seen them.

    .venv/bin/python tools/make_sample_shapes.py
"""
import random
from pathlib import Path

from clip_nbdev.data import HELD_OUT, draw_shape

SAMPLES = [('red', 'circle'), ('blue', 'square'), ('green', 'star'), ('yellow', 'cross'), ('purple', 'triangle'),
           ('orange', 'star'), ('green', 'circle'), ('red', 'star')]

if __name__ == '__main__':
    out = Path(__file__).resolve().parent.parent / 'data' / 'shapes'
    out.mkdir(parents=True, exist_ok=True)
    for i, (colour, shape) in enumerate(SAMPLES):
        draw_shape(colour, shape, 'large', 'center', image_size=128, rng=random.Random(i)).save(out / f'{colour}_{shape}.png')
        print(f'{colour}_{shape}.png', '(held out of training)' if (colour, shape) in HELD_OUT else '')
