"""CPU speed and fidelity of clip_nbdev's reduced precisions (chapter A9) against fp32 and against open_clip.

Prints what this machine offers (`cpu_features()`, torch version, threads, load average, `matmul_speeds()` and
what precision='auto' picks); then, for each architecture (`--archs`, default ViT-B/32 and RN50), one table:

    | path | images/s | vs open_clip fp32 | captions/s | vs open_clip fp32 | min cosine to fp32 (image, text) | top-1 agreement with fp32 |

over these paths, all holding the very same weights (ours built with random weights by `CLIP.from_config` after
`torch.manual_seed`, open_clip's `CLIP` loaded with our state dict, as format_parity.py does):

- ours fp32, ours bf16, ours int8, ours auto (`to_precision`; the row names what 'auto' picked);
- open_clip fp32, and open_clip under `torch.autocast('cpu', dtype=torch.bfloat16)` (its best CPU option), the
  latter twice: under `torch.inference_mode()` and under `torch.no_grad()`, since in inference mode the attention's
  input projection hits a slow bf16 bmm on the CPU (pytorch/pytorch#151934); the goals compare with the faster.

The image tower and the text tower are timed separately, each with one forward of one batch (`--images`, default 16,
synthetic pictures of `clip_nbdev.data.make_synthetic` preprocessed once before timing, so that no side pays for
preprocessing; `--captions`, default 64, their real captions, since our text encoder trims the padding). Ours is
called through `encode_images` / `encode_texts` with `batch_size` equal to the batch (its text timing therefore
includes tokenizing the captions, whose cost is printed apart); open_clip's `encode_image` / `encode_text` on the
tensors, under `torch.inference_mode()` (but see above). All paths take turns in each of `--rounds` rounds, after a
warm-up round, so that a change of machine load affects them alike; the fastest of each is kept. The cosines and top-1 agreement
(each image's best caption among the batch's captions) are against our fp32 features.

Finally the speed targets with the measured ratios, PASS or MISS: image tower >= 4x open_clip fp32 and >= 2.5x
open_clip autocast bf16, text tower >= 20x open_clip fp32 (each for the best of our reduced-precision paths, and for
'auto'), and 'auto' never slower than our fp32 (within `--tolerance`, for timing noise). They depend on the processor
and on its load: reported, never asserted.

    .venv/bin/python benchmarks/bench_precision.py
    .venv/bin/python benchmarks/bench_precision.py --archs ViT-B/32 --threads 1 --rounds 5

On a loaded machine the figures move a lot (2 threads on 2 busy cores wait on each other); `--threads 1` and more
`--rounds` steady them.
"""
import argparse, copy, io, os, sys, time, warnings
from contextlib import redirect_stderr

import torch
import torch.nn.functional as F

from clip_nbdev.data import make_synthetic
from clip_nbdev.formats import open_clip_config
from clip_nbdev.inference import encode_images, encode_texts
from clip_nbdev.load import image_transform
from clip_nbdev.model import ARCHITECTURES, CLIP, CONFIG_KEYS
from clip_nbdev.precision import choose_precision, cpu_features, feature_agreement, matmul_speeds, to_precision
from clip_nbdev.tokenizer import tokenize


AUTOCAST_NOTE = ('open_clip under autocast runs twice: in torch.inference_mode, where its attention\'s input projection '
                 '(a linear layer on a transposed bf16 input) goes through a bmm that copies the weight once per sequence position '
                 '(pytorch/pytorch#151934) and is very slow; and in torch.no_grad, where it does not. The goals use the faster')


def convert(model: CLIP, precision: str):
    "`to_precision(model, precision, 'cpu')`; the warnings it gives and what it says on stderr, returned for printing."
    err = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, redirect_stderr(err):
        warnings.simplefilter('always')
        to_precision(model, precision, 'cpu')
    notes = [str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)]
    return model, notes + [line for line in err.getvalue().splitlines() if line.strip()]


def actual_precision(model: CLIP) -> str:
    "What `model` computes in, from its modules: 'int8' (dynamically quantised linear layers), 'bf16', 'fp16' or 'fp32'."
    if any('quantized' in type(m).__module__ for m in model.modules()): return 'int8'
    return {torch.bfloat16: 'bf16', torch.float16: 'fp16'}.get(model.dtype, 'fp32')


def open_clip_twin(model: CLIP):
    "open_clip's `CLIP` holding a copy of `model`'s (float32) weights."
    import open_clip
    oc = open_clip.model.CLIP(**open_clip_config(model)['model_cfg']).eval()
    oc.load_state_dict({k: v for k, v in model.state_dict().items() if k not in CONFIG_KEYS}, strict=True)
    return oc


def timed(paths, rounds: int):
    "Each path's (fastest seconds, last output) for each of its towers; one warm-up round, then `rounds` rounds in "
    "which every path runs its image tower then its text tower before the next path runs."
    best = {(p, tower): float('inf') for p in paths for tower in ('image', 'text')}
    out = {}
    for r in range(rounds + 1):   # round 0: warm-up, not timed
        for p, towers in paths.items():
            for tower, fn in zip(('image', 'text'), towers):
                t = time.perf_counter(); out[p, tower] = fn(); dt = time.perf_counter() - t
                if r: best[p, tower] = min(best[p, tower], dt)
        print(f'  {"warm-up" if r == 0 else f"round {r}/{rounds}"} done', file=sys.stderr, flush=True)
    return best, out


def normalised(fn, grad_off=torch.inference_mode, bf16: bool = False):
    "`fn()` under `grad_off` (and bf16 autocast), as normalised float32 features (as encode_images / encode_texts give)."
    def run():
        with grad_off(), torch.autocast('cpu', dtype=torch.bfloat16, enabled=bf16): return F.normalize(fn().float(), dim=-1)
    return run


def goal(label: str, ratio: float, target: float) -> str:
    return f'{label}: {ratio:.2f}x (goal >= {target:g}x) {"PASS" if ratio >= target else "MISS"}'


def bench_arch(name: str, args, auto_pick: str):
    cfg = ARCHITECTURES[name]
    torch.manual_seed(args.seed)
    fp32 = CLIP.from_config(cfg).eval()
    R = fp32.visual.input_resolution
    preprocess = image_transform(R)
    items = make_synthetic(max(args.images, args.captions), seed=args.seed)
    pixels = torch.stack([preprocess(it.image) for it in items[:args.images]])   # (N, 3, R, R), preprocessed once
    captions = [it.caption for it in items[:args.captions]]
    tokens = tokenize(captions, context_length=fp32.context_length)             # for open_clip (the same BPE)
    lengths = (tokens.argmax(-1) + 1).tolist()

    notes = []
    ours = {'fp32': fp32}
    for p in ('bf16', 'int8', 'auto'):
        ours[p], said = convert(copy.deepcopy(fp32), p)
        notes += [f'to_precision({p!r}): {s}' for s in said]
    picked = actual_precision(ours['auto'])
    if picked != auto_pick: notes.append(f"to_precision('auto') made a {picked} model, choose_precision said {auto_pick}")
    oc = open_clip_twin(fp32)

    ours_fn = lambda m: (lambda: encode_images(m, preprocess, pixels, batch_size=len(pixels)),
                         lambda: encode_texts(m, captions, batch_size=len(captions)))
    paths = {f'ours {p}' if p != 'auto' else f'ours auto (picked {picked})': ours_fn(m) for p, m in ours.items()}
    paths['open_clip fp32'] = (normalised(lambda: oc.encode_image(pixels)), normalised(lambda: oc.encode_text(tokens)))
    for grad_off in (torch.inference_mode, torch.no_grad):   # see AUTOCAST_NOTE
        paths[f'open_clip autocast bf16, {grad_off.__name__}'] = (
            normalised(lambda: oc.encode_image(pixels), grad_off, bf16=True),
            normalised(lambda: oc.encode_text(tokens), grad_off, bf16=True))

    t0 = time.perf_counter()
    best, out = timed(paths, args.rounds)
    wall = time.perf_counter() - t0
    tok_s = min(_time(lambda: tokenize(captions, context_length=fp32.context_length)) for _ in range(5))

    N, C = len(pixels), len(captions)
    ref = out['ours fp32', 'image'], out['ours fp32', 'text']
    oc_img, oc_txt = best['open_clip fp32', 'image'], best['open_clip fp32', 'text']
    print(f'\n### {name}: {N} images at {R}px, {C} captions (tokens with start/end: median {sorted(lengths)[C // 2]}, '
          f'max {max(lengths)}; open_clip runs all {fp32.context_length} positions), fastest of {args.rounds} rounds, '
          f'{wall:.0f} s in all\n')
    print('| path | images/s | vs open_clip fp32 | captions/s | vs open_clip fp32 | min cosine to fp32 (image, text) | top-1 agreement with fp32 |')
    print('|---|---|---|---|---|---|---|')
    for p in paths:
        ti, tt = best[p, 'image'], best[p, 'text']
        a = feature_agreement(*ref, out[p, 'image'], out[p, 'text'])
        print(f'| {p} | {N / ti:.1f} | {oc_img / ti:.2f}x | {C / tt:.0f} | {oc_txt / tt:.2f}x | '
              f'{a["min_cos_image"]:.5f}, {a["min_cos_text"]:.5f} | {a["top1_agreement"]:.1%} |')
    print(f'\n(ours: captions/s include tokenizing them, {tok_s * 1e3:.1f} ms of the batch; open_clip gets the tokens made. '
          f'{AUTOCAST_NOTE})')
    for n in dict.fromkeys(notes): print(f'note: {n}')

    auto = f'ours auto (picked {picked})'
    reduced = [f'ours {p}' for p in ('bf16', 'int8')]
    best_img = min(reduced, key=lambda p: best[p, 'image'])
    best_txt = min(reduced, key=lambda p: best[p, 'text'])
    oc_ac = min(('open_clip autocast bf16, inference_mode', 'open_clip autocast bf16, no_grad'), key=lambda p: best[p, 'image'])
    oc_bf16 = best[oc_ac, 'image']
    print(f'\ngoals ({name}; machine-dependent, not asserted):')
    for who in dict.fromkeys([best_img, auto]):
        print('  ' + goal(f'image tower, {who} vs open_clip fp32', oc_img / best[who, 'image'], 4))
        print('  ' + goal(f'image tower, {who} vs {oc_ac} (the faster)', oc_bf16 / best[who, 'image'], 2.5))
    for who in dict.fromkeys([best_txt, auto]):
        print('  ' + goal(f'text tower, {who} vs open_clip fp32', oc_txt / best[who, 'text'], 20))
    for tower in ('image', 'text'):
        r = best['ours fp32', tower] / best[auto, tower]
        ok = best[auto, tower] <= best['ours fp32', tower] * (1 + args.tolerance)
        print(f'  auto never slower than fp32, {tower} tower: {r:.2f}x as fast as ours fp32 '
              f'(tolerance {args.tolerance:.0%}) {"PASS" if ok else "MISS"}')
    del ours, oc, paths, out


def _time(fn) -> float:
    t = time.perf_counter(); fn(); return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--archs', nargs='+', default=['ViT-B/32', 'RN50'], choices=list(ARCHITECTURES), metavar='ARCH',
                    help=f'architectures (default ViT-B/32 RN50; any of {", ".join(ARCHITECTURES)})')
    ap.add_argument('--images', type=int, default=16, help='images in the batch (one forward of the image tower)')
    ap.add_argument('--captions', type=int, default=64, help='captions in the batch (one forward of the text tower)')
    ap.add_argument('--rounds', type=int, default=2,   # 3 took 11 minutes for the two default archs on a busy 2-core machine
                    help='timed rounds after one warm-up round; the fastest is kept (default 2: a few minutes on 2 cores)')
    ap.add_argument('--threads', type=int, default=2, help='torch.set_num_threads')
    ap.add_argument('--seed', type=int, default=0, help='seed of the random weights and of the synthetic data')
    ap.add_argument('--tolerance', type=float, default=0.05,
                    help="'auto' counts as not slower than fp32 within this fraction (timing noise)")
    args = ap.parse_args()

    sys.stdout.reconfigure(line_buffering=True)   # the progress lines on stderr fall in place
    torch.set_num_threads(args.threads)
    import open_clip
    feats = cpu_features()
    flags = [f for f, v in feats.items() if v is True]
    print(f'bench_precision.py {" ".join(sys.argv[1:])}'.rstrip())
    print(f'cpu: {feats["cpu"]}; torch {torch.__version__} (kernels {feats["torch_capability"]}), open_clip '
          f'{open_clip.__version__}; {torch.get_num_threads()} threads of {os.cpu_count()} cores; load average '
          f'{", ".join(f"{x:.2f}" for x in os.getloadavg())}')
    print(f'flags: {", ".join(flags) or "none"}; lacking: {", ".join(f for f, v in feats.items() if v is False) or "none"}')
    s = matmul_speeds()
    print('matmul_speeds (one (64, 768) x (768, 3072) linear layer): ' +
          ', '.join(f'{k} {v:.2f} ms ({s["fp32"] / v:.2f}x fp32)' for k, v in s.items()))
    pick = choose_precision('cpu', s)
    print(f"precision='auto' picks {pick}")
    if s['bf16'] > s['fp32']:
        print(f'warning: bf16 is {s["bf16"] / s["fp32"]:.1f}x slower than fp32 on this CPU; its rows are run all the same')
    for name in args.archs: bench_arch(name, args, pick)
    print(f'\nload average after the run {", ".join(f"{x:.2f}" for x in os.getloadavg())} '
          f'(this process contributes up to {torch.get_num_threads()})')


if __name__ == '__main__':
    main()
