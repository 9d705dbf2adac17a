"""How the bundled model `synthetic-tiny` does on drawn shapes unlike its training pictures.

    .venv/bin/python benchmarks/bundled_shapes.py

Its training pictures (chapter 8) put one shape whose radius is 10-25% of the side on a light, often textured
background, at one of five places. Here each of the 30 colour-shape classes is drawn once, centred, on a plain
white square, with the training pictures' own geometry (`clip_nbdev.data._draw_mask`) but radii inside and outside
that range and at several picture sizes; the script prints how many of the 30 the model ranks first among the 30
prompts 'a {colour} {shape}'. Deterministic: no randomness is involved.
"""
import os, platform, time

import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

from clip_nbdev.data import COLOURS, _RADII, _SS, _draw_mask, class_prompts
from clip_nbdev.load import load_model
from clip_nbdev.tokenizer import tokenize

RADII = (0.08, 0.15, 0.25, 0.35, 0.45)  # radius as a fraction of the side
SIDES = (64, 128, 200)                  # picture sides in pixels


def draw(colour: str, shape: str, radius: float, side: int) -> Image.Image:
    "One centred shape on a white square, radius a fraction of the side."
    image = Image.new('RGB', (side, side), (255, 255, 255))
    mask = Image.new('L', (side * _SS, side * _SS), 0)
    _draw_mask(ImageDraw.Draw(mask), shape, side * _SS / 2, side * _SS / 2, radius * side * _SS)
    image.paste(COLOURS[colour], (0, 0, side, side), mask.reduce(_SS))
    return image


def main():
    start = time.time()
    model, preprocess = load_model('synthetic-tiny', device='cpu')
    prompts, labels = class_prompts('a {colour} {shape}')
    print(f'synthetic-tiny on {len(labels)} centred shapes on white; training radii {_RADII} of the side; '
          f'torch {torch.__version__}, {platform.machine()}, load average {os.getloadavg()[0]:.2f}')
    print('side  ' + '  '.join(f'r={r:.2f}' for r in RADII) + '   (right, of 30)')
    with torch.no_grad():
        text = F.normalize(model.encode_text(tokenize(prompts)).float(), dim=-1)                  # (30, E)
        for side in SIDES:
            row = []
            for r in RADII:
                images = torch.stack([preprocess(draw(c, s, r, side)) for c, s in labels])       # (30, 3, R, R)
                pred = (F.normalize(model.encode_image(images).float(), dim=-1) @ text.T).argmax(-1)  # (30,)
                row.append(int((pred == torch.arange(len(labels))).sum()))
            print(f'{side:4d}  ' + '  '.join(f'{n:6d}' for n in row))
    print(f'({time.time() - start:.1f} s)')


if __name__ == '__main__':
    main()
