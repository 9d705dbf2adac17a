"""Encoder speed: clip_nbdev's CLIP vs OpenAI's `clip.model.CLIP`, same process, same weights, fp32 on the CPU.

The ViT-B/32 architecture with random weights (OpenAI's initialisation, and the tensors it initialises to
constants randomised too, see model_parity.py); our model is built from OpenAI's state dict with `build_model`,
so both hold the very same tensors. Prints throughput figures and the max abs difference of the outputs; speed
is only reported, never asserted.

    .venv/bin/python benchmarks/bench_encode.py
    .venv/bin/python benchmarks/bench_encode.py --long 0   # no caption near 77 tokens

(a) `encode_image`: batches of `--image-batch` random 224x224 images.
(b) `encode_text`: `--captions` captions (templates, short and longer descriptions, `--long` of them near the
    77-token context), shuffled, in batches of `--text-batch`; ours with `trim=True` (the default: the
    transformer skips positions after the end-of-text tokens) and with `trim=False` (all 77 positions, as
    OpenAI); and, as a reference, ours called by this script on each length group of a batch.

The models take turns in each timed round, so that a change of machine load affects them alike; the load
average is printed, since on a shared machine the figures move a lot (`--threads 1` is the least sensitive).
"""
import argparse, os, random, statistics, sys, time, warnings
from dataclasses import astuple
from pathlib import Path

warnings.filterwarnings('ignore')
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch

import clip.model as openai_model
from clip_nbdev.model import ARCHITECTURES, build_model
from clip_nbdev.tokenizer import tokenize
from model_parity import randomise_constants

OBJECTS = ['cat', 'dog', 'golden retriever', 'red sports car', 'bicycle', 'coffee mug', 'mountain lake', 'pizza',
           'laptop', 'sunflower', 'fire truck', 'violin', 'lighthouse', 'tabby kitten', 'sailboat', 'wooden chair']
TEMPLATES = ['a photo of a {}.', 'a photo of the {}.', 'a blurry photo of a {}.', 'a close-up photo of a {}.',
             'a drawing of a {}.', 'a black and white photo of the {}.', 'itap of a {}.', 'a {} in a video game.',
             'a bright photo of a small {}.', 'a low resolution photo of the {}.']
DESCRIPTIONS = ['a {} standing next to a window on a rainy afternoon.',
                'two people looking at a {} in the middle of a busy city street.',
                'a {} on a wooden table with a cup of tea and an open book beside it.',
                'an old {} covered in snow in front of a small red house.',
                'a child pointing at a {} while her parents laugh in the background.']
LONG = ('a wide-angle photograph of a {} in the foreground of a crowded harbour at sunset, with fishing boats, '
        'seagulls circling over the masts, people walking along the pier carrying baskets of fish, warm orange light '
        'reflecting on the calm water, and snow-capped mountains far away in the hazy blue distance behind the town, '
        'under a sky full of pink and violet clouds')  # 75-76 tokens with start and end


def captions(n: int, n_long: int, seed: int = 0):
    "`n` captions: `n_long` of them near 77 tokens, the rest 60% templates, 40% descriptions; shuffled."
    rnd = random.Random(seed)
    out = [LONG.format(rnd.choice(OBJECTS)) for _ in range(n_long)]
    while len(out) < n:
        pool = TEMPLATES if rnd.random() < 0.6 else DESCRIPTIONS
        out.append(rnd.choice(pool).format(rnd.choice(OBJECTS)))
    rnd.shuffle(out)
    return out


def bench(fns, warmup: int, repeats: int):
    "For each of `fns`: median seconds of `repeats` calls after `warmup` calls, and its last output. The functions "
    "take turns (one call each per round), so that a change of machine load affects all of them alike."
    times, outs = [[] for _ in fns], [None] * len(fns)
    with torch.inference_mode():
        for _ in range(warmup):
            for i, fn in enumerate(fns): outs[i] = fn()
        for _ in range(repeats):
            for i, fn in enumerate(fns):
                t = time.perf_counter(); outs[i] = fn(); times[i].append(time.perf_counter() - t)
    return [(statistics.median(ts), out) for ts, out in zip(times, outs)]


def maxdiff(a, b): return (a - b).abs().max().item()


def length_groups(lengths: torch.Tensor, ratio: float = 1.5):
    "Row indices grouped by length: rows sorted, a new group when a row is `ratio` times longer than the group's shortest."
    order = lengths.argsort(stable=True).tolist()
    groups, start = [], 0
    for i in range(1, len(order) + 1):
        if i == len(order) or lengths[order[i]] > ratio * lengths[order[start]]:
            groups.append(order[start:i]); start = i
    return groups


def encode_bucketed(model, text: torch.Tensor, ratio: float = 1.5) -> torch.Tensor:
    "Our `encode_text` called on each length group of the batch separately, outputs put back in order: the "
    "explicit reference for what trimming per length group can gain."
    out = torch.empty(text.shape[0], model.text_projection.shape[1], dtype=model.dtype)
    for idx in length_groups(text.argmax(-1) + 1, ratio): out[idx] = model.encode_text(text[idx])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--arch', default='ViT-B/32', choices=list(ARCHITECTURES))
    ap.add_argument('--image-batch', type=int, default=16)
    ap.add_argument('--captions', type=int, default=256)
    ap.add_argument('--long', type=int, default=3, help='captions near the 77-token context')
    ap.add_argument('--text-batch', type=int, default=64)
    ap.add_argument('--sort', action='store_true', help='sort the captions by length before batching them')
    ap.add_argument('--threads', type=int, default=None, help='torch.set_num_threads (default: left as it is)')
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--repeats', type=int, default=5, help='timed runs of encode_image')
    ap.add_argument('--text-repeats', type=int, default=3, help='timed runs of encode_text (all captions each)')
    args = ap.parse_args()

    if args.threads: torch.set_num_threads(args.threads)
    cfg = ARCHITECTURES[args.arch]
    torch.manual_seed(0)
    ref = openai_model.CLIP(*astuple(cfg)).float().eval()
    randomise_constants(ref, torch.Generator().manual_seed(1))
    ours = build_model(ref.state_dict())  # the same tensors, no copy
    print(f'bench_encode.py {" ".join(sys.argv[1:])}: {args.arch}, fp32, torch {torch.__version__}, '
          f'{torch.get_num_threads()} threads; median of {args.repeats} (images) / {args.text_repeats} (texts) '
          f'timed runs after {args.warmup} warm-up run(s), models taking turns; load average before the run '
          f'{os.getloadavg()[0]:.2f}\n')

    # (a) images
    images = torch.randn(args.image_batch, 3, cfg.image_resolution, cfg.image_resolution)
    (t_ref, img_ref), (t_ours, img_ours) = bench([lambda: ref.encode_image(images), lambda: ours.encode_image(images)],
                                                 args.warmup, args.repeats)
    n = args.image_batch
    print(f'(a) encode_image, batch {n} at {cfg.image_resolution}px')
    print(f'| model | images/s | ms/batch |\n|---|---|---|')
    print(f'| OpenAI | {n / t_ref:.1f} | {t_ref * 1000:.0f} |')
    print(f'| clip_nbdev | {n / t_ours:.1f} | {t_ours * 1000:.0f} |')
    print(f'speed-up {t_ref / t_ours:.2f}x (target 1.1x); max abs diff {maxdiff(img_ours, img_ref):.2e}\n')

    # (b) texts
    texts = captions(args.captions, args.long)
    tokens = tokenize(texts, context_length=cfg.context_length, truncate=True)
    if args.sort: tokens = tokens[(tokens.argmax(-1)).argsort(stable=True)]
    lengths = (tokens.argmax(-1) + 1).tolist()
    batches = list(tokens.split(args.text_batch))
    longest = [int(b.argmax(-1).max()) + 1 for b in batches]
    grouped = sum(len(idx) * max(lengths[i0 + j] for j in idx)
                  for i0, b in zip(range(0, len(lengths), args.text_batch), batches) for idx in length_groups(b.argmax(-1) + 1))
    print(f'(b) encode_text, {len(texts)} captions{" sorted by length" if args.sort else ""} in batches of '
          f'{args.text_batch}: tokens per caption (with start/end) median {statistics.median(lengths):.0f}, '
          f'mean {statistics.mean(lengths):.1f}, max {max(lengths)}, {sum(l > 40 for l in lengths)} longer than 40; '
          f'longest caption per batch: {longest}')
    print(f'token positions through the transformer: OpenAI {len(texts) * cfg.context_length:,}; trimmed to each batch\'s '
          f'longest {sum(l * len(b) for l, b in zip(longest, batches)):,}; trimmed per length group (ratio 1.5) {grouped:,}; '
          f'real tokens {sum(lengths):,}')
    encode = lambda model, **kw: lambda: torch.cat([model.encode_text(b, **kw) for b in batches])
    bucketed = lambda: torch.cat([encode_bucketed(ours, b) for b in batches])
    (t_ref, txt_ref), (t_trim, txt_trim), (t_full, txt_full), (t_buck, txt_buck) = bench(
        [encode(ref), encode(ours), encode(ours, trim=False), bucketed], args.warmup, args.text_repeats)
    n = len(texts)
    print('| model | texts/s | ms for all | speed-up | max abs diff |\n|---|---|---|---|---|')
    print(f'| OpenAI | {n / t_ref:.0f} | {t_ref * 1000:.0f} | 1.00x | |')
    print(f'| clip_nbdev (trim=True, default) | {n / t_trim:.0f} | {t_trim * 1000:.0f} | {t_ref / t_trim:.2f}x | {maxdiff(txt_trim, txt_ref):.2e} |')
    print(f'| clip_nbdev (trim=False) | {n / t_full:.0f} | {t_full * 1000:.0f} | {t_ref / t_full:.2f}x | {maxdiff(txt_full, txt_ref):.2e} |')
    print(f'| clip_nbdev, called per length group by this script (reference) | {n / t_buck:.0f} | '
          f'{t_buck * 1000:.0f} | {t_ref / t_buck:.2f}x | {maxdiff(txt_buck, txt_ref):.2e} |')
    print(f'load average after the run {os.getloadavg()[0]:.2f} (this process contributes up to {torch.get_num_threads()})')
    ok = all(maxdiff(t, txt_ref) <= 1e-5 for t in (txt_trim, txt_full, txt_buck))
    print(f'target 3x for encode_text; text outputs within 1e-5: {ok}')
    if not ok: sys.exit(1)


if __name__ == '__main__':
    main()
