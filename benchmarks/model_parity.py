"""Model parity: clip_nbdev's CLIP vs OpenAI's `clip.model.CLIP`, for each of the nine released architectures.

For each architecture, OpenAI's model is built in fp32 with its own random initialisation, and the tensors it
initialises to constants (LayerNorm/BatchNorm affine parameters, biases, BatchNorm running statistics) are then
randomised too, so that a mix-up of any two tensors would show. Then:

* keys & shapes: our `CLIP` has exactly OpenAI's state-dict keys (same order) and shapes, our `build_model`
  accepts OpenAI's state dict, and OpenAI's `clip.model.build_model` accepts ours;
* outputs: with the same weights, `encode_image` on random images, `encode_text` on real captions of mixed
  length and `logits_per_image` are compared (max abs diff, and relative to the largest magnitude).

    .venv/bin/python benchmarks/model_parity.py                    # all nine, batch 2
    .venv/bin/python benchmarks/model_parity.py --archs RN50 ViT-B/32

Exits non-zero if a state dict is rejected, or if a difference exceeds `--atol` *and* its relative size
exceeds `--rtol` (fp32 summation-order noise grows with the magnitude of the features).
"""
import argparse, gc, sys, time, warnings
from dataclasses import astuple

warnings.filterwarnings('ignore')
import torch
from torch import nn

import clip.model as openai_model
from clip_nbdev.model import ARCHITECTURES, CLIP, build_model, count_parameters
from clip_nbdev.tokenizer import tokenize

CAPTIONS = [
    'a dog',
    'a photo of a cat sitting on a windowsill in the afternoon sun.',
    'an astronaut riding a horse across the surface of the moon, digital art, highly detailed, '
    'dramatic lighting, trending on artstation, with the earth rising over the horizon',
    'a diagram.',
]
BIG = {'RN50x64', 'ViT-L/14@336px'}  # run with batch 1 unless --batch is given explicitly


def randomise_constants(model: nn.Module, gen: torch.Generator):
    "Replace what OpenAI initialises to constants by random values: norms' affine parameters, biases, BN statistics."
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.LayerNorm, nn.BatchNorm2d)):
                module.weight.copy_(1 + 0.1 * torch.randn(module.weight.shape, generator=gen))
                module.bias.copy_(0.1 * torch.randn(module.bias.shape, generator=gen))
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.copy_(0.1 * torch.randn(module.running_mean.shape, generator=gen))
                module.running_var.copy_(torch.rand(module.running_var.shape, generator=gen) + 0.5)
        for name, p in model.named_parameters():  # remaining biases: Linear, MultiheadAttention in/out projections
            if name.endswith('bias') and not torch.count_nonzero(p):
                with torch.no_grad(): p.copy_(0.1 * torch.randn(p.shape, generator=gen))


def diff(a: torch.Tensor, b: torch.Tensor):
    "Max abs difference, and that relative to the largest magnitude of the reference."
    d = (a.float() - b.float()).abs().max().item()
    return d, d / max(b.float().abs().max().item(), 1e-30)


def check_arch(name: str, batch: int, seed: int, fp64: bool = False):
    cfg = ARCHITECTURES[name]
    torch.manual_seed(seed)
    ref = openai_model.CLIP(*astuple(cfg)).float().eval()
    randomise_constants(ref, torch.Generator().manual_seed(seed + 1))
    sd = ref.state_dict()
    row = dict(arch=name, batch=batch)

    # keys and shapes: our freshly constructed model vs OpenAI's, both ways through build_model
    with torch.device('meta'): fresh = CLIP.from_config(cfg)
    ours_shapes = {k: tuple(v.shape) for k, v in fresh.state_dict().items()}
    ref_shapes = {k: tuple(v.shape) for k, v in sd.items()}
    row['same_keys'] = set(ours_shapes) == set(ref_shapes)
    row['same_order'] = list(ours_shapes) == list(ref_shapes)
    row['same_shapes'] = ours_shapes == ref_shapes
    if not row['same_shapes']:
        row['key_diff'] = dict(only_ours=sorted(set(ours_shapes) - set(ref_shapes))[:5],
                               only_openai=sorted(set(ref_shapes) - set(ours_shapes))[:5],
                               shape=[k for k in ours_shapes if k in ref_shapes and ours_shapes[k] != ref_shapes[k]][:5])
    del fresh
    try:
        ours = build_model(sd)  # shares OpenAI's tensors (assign, no copy)
        row['ours_loads_openai'] = True
    except Exception as e:
        row['ours_loads_openai'] = f'{type(e).__name__}: {e}'
        return row
    row['params'] = count_parameters(ours)['total']
    row['params_openai'] = sum(p.numel() for p in ref.parameters())
    try:
        back = openai_model.build_model({k: v.clone() for k, v in ours.state_dict().items()})
        row['openai_loads_ours'] = True
        del back
    except Exception as e:
        row['openai_loads_ours'] = f'{type(e).__name__}: {e}'
    gc.collect()

    torch.manual_seed(seed + 2)
    image = torch.randn(batch, 3, cfg.image_resolution, cfg.image_resolution)
    text = tokenize(CAPTIONS, context_length=cfg.context_length)
    t0 = time.perf_counter()
    with torch.no_grad():
        img_ref, img_ours = ref.encode_image(image), ours.encode_image(image)
        txt_ref, txt_ours = ref.encode_text(text), ours.encode_text(text)
        txt_full = ours.encode_text(text, trim=False)
        lg_ref, lgt_ref = ref(image, text)
        lg_ours, lgt_ours = ours(image, text)
    row['seconds'] = time.perf_counter() - t0
    row['image'], row['text'], row['logits'] = diff(img_ours, img_ref), diff(txt_ours, txt_ref), diff(lg_ours, lg_ref)
    row['text_untrimmed'] = diff(txt_full, txt_ref)
    row['logits_t'] = diff(lgt_ours, lgt_ref)
    row['shapes_ok'] = (img_ours.shape == img_ref.shape and txt_ours.shape == txt_ref.shape
                        and lg_ours.shape == lg_ref.shape and lgt_ours.shape == lgt_ref.shape)
    row['mag'] = dict(image=img_ref.abs().max().item(), text=txt_ref.abs().max().item(), logits=lg_ref.abs().max().item())
    if fp64:  # ground truth: OpenAI's model in float64; how far is each fp32 model from it?
        del ours
        gc.collect()
        ref64 = ref.double()  # in place: ref is not used in fp32 any more
        ln_forward = openai_model.LayerNorm.forward  # it casts to fp32; plain LayerNorm keeps float64
        openai_model.LayerNorm.forward = nn.LayerNorm.forward
        try:
            with torch.no_grad():
                truth = dict(image=ref64.encode_image(image.double()), text=ref64.encode_text(text),
                             logits=ref64(image.double(), text)[0])
        finally:
            openai_model.LayerNorm.forward = ln_forward
        row['fp64'] = {k: (diff(o, truth[k])[0], diff(r, truth[k])[0]) for k, o, r in
                       (('image', img_ours, img_ref), ('text', txt_ours, txt_ref), ('logits', lg_ours, lg_ref))}
        del ref64, truth
    else:
        del ours
    del ref, sd
    gc.collect()
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--archs', nargs='+', default=list(ARCHITECTURES), choices=list(ARCHITECTURES))
    ap.add_argument('--batch', type=int, default=None, help='images per batch (default 2; 1 for RN50x64 and ViT-L/14@336px)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--atol', type=float, default=1e-5)
    ap.add_argument('--rtol', type=float, default=1e-6, help='relative bound applied when the absolute one fails')
    ap.add_argument('--fp64', action='store_true', help="also measure both fp32 models' error against OpenAI's model in float64")
    args = ap.parse_args()
    print(f'model_parity.py {" ".join(sys.argv[1:])}: torch {torch.__version__}, {torch.get_num_threads()} threads; captions of '
          f'{[int(n) for n in tokenize(CAPTIONS).argmax(-1) + 1]} tokens; atol {args.atol:g}, rtol {args.rtol:g}\n')

    rows = []
    for name in args.archs:
        batch = args.batch or (1 if name in BIG else 2)
        t = time.perf_counter()
        row = check_arch(name, batch, args.seed, args.fp64)
        row['total_seconds'] = time.perf_counter() - t
        rows.append(row)
        print(f"{name}: done in {row['total_seconds']:.0f} s", file=sys.stderr, flush=True)

    def cell(r, k):
        return f'{r[k][0]:.2e} ({r[k][1]:.1e})' if k in r else 'n/a'

    def ok(r, k):
        return k in r and (r[k][0] <= args.atol or r[k][1] <= args.rtol)

    print('| architecture | batch | parameters | max abs diff image (rel) | text (rel) | logits (rel) | keys & shapes identical |')
    print('|---|---|---|---|---|---|---|')
    failed = []
    for r in rows:
        loads = r['ours_loads_openai'] is True and r.get('openai_loads_ours') is True
        same = r['same_shapes'] and loads
        keys = ('yes' if same else 'NO') + ('' if r['same_order'] or not same else ' (order differs)')
        params = f"{r['params']:,}" if 'params' in r else 'n/a'
        print(f"| {r['arch']} | {r['batch']} | {params} | {cell(r, 'image')} | {cell(r, 'text')} | {cell(r, 'logits')} | {keys} |")
        bad = [k for k in ('image', 'text', 'logits', 'logits_t') if not ok(r, k)]
        if not same or bad or not r.get('shapes_ok', False) or r.get('params') != r.get('params_openai'):
            failed.append((r['arch'], bad))
    print('\nrel = max abs diff / max abs value of OpenAI\'s output.')
    print('\n| architecture | max |image| | max |text| | max |logit| | text trim=False diff | seconds |')
    print('|---|---|---|---|---|---|')
    for r in rows:
        if 'mag' in r:
            m = r['mag']
            print(f"| {r['arch']} | {m['image']:.3g} | {m['text']:.3g} | {m['logits']:.3g} | {r['text_untrimmed'][0]:.2e} | {r['total_seconds']:.0f} |")
    if any('fp64' in r for r in rows):
        print('\nError against a float64 run of OpenAI\'s model (same weights and inputs), ours / OpenAI fp32:\n')
        print('| architecture | image | text | logits |')
        print('|---|---|---|---|')
        for r in rows:
            if 'fp64' in r:
                print(f"| {r['arch']} | " + ' | '.join(f'{o:.2e} / {f:.2e}' for o, f in r['fp64'].values()) + ' |')
    for r in rows:
        for k in ('ours_loads_openai', 'openai_loads_ours'):
            if r.get(k) is not True: print(f"{r['arch']}: {k}: {r.get(k)}")
        if 'key_diff' in r: print(f"{r['arch']}: key/shape differences {r['key_diff']}")
        if r.get('params') != r.get('params_openai'):
            print(f"{r['arch']}: parameter count {r.get('params')} vs OpenAI's {r.get('params_openai')}")
    strict = [r['arch'] for r in rows if any(k in r and r[k][0] > args.atol for k in ('image', 'text', 'logits'))]
    if strict: print(f'\nabove atol {args.atol:g} (but within rtol {args.rtol:g} unless listed below): {", ".join(strict)}')
    if failed:
        print(f'\nFAILED: {failed}'); sys.exit(1)
    print(f'\nall {len(rows)} architectures match')


if __name__ == '__main__':
    main()
