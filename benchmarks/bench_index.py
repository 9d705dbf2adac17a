"""Index build and search over a large embedding folder: exact (flat), IVF and IVF-PQ vs numpy brute force.

`--rows` clustered unit vectors are written shard by shard as an embedding folder (float16, `embed_collection`'s
layout, no model): `--centres` centres and a spread around them in a random `--intrinsic`-d subspace, plus a little
noise in all dimensions (real embeddings have a low intrinsic dimension; isotropic 512-d noise would make every
neighbour outside a point's cluster a random one). Queries: `--queries` fresh vectors of the same distribution.
For ivfpq (`--memory` picks its code size), ivf and flat: `build_index`'s time, index size, its own recall@10
(its queries are rows of the folder) and nprobe; ms/query with the saved index (one batch, and `--single` queries one
at a time) and recall@10 of the fresh queries against numpy brute force (`queries @ all_vectors.T`, argpartition),
timed alike. `ShardIndex` (ivfpq, ivf) in a fresh process: RSS growth of its construction (shards memory-mapped: only
the index should land in memory) and recall@10 of its `search`. RSS (anonymous / file-backed) and peak RSS
(ru_maxrss) after each phase, phases ordered by expected peak. Speed is only reported, never asserted; the load
average and the CPU share of other processes are printed. 1M rows take about 8 min on 2 cores shared with another job:

    .venv/bin/python benchmarks/bench_index.py
    .venv/bin/python benchmarks/bench_index.py --rows 300000 --threads 1   # about 4 min
"""
import argparse, math, multiprocessing as mp, os, resource, shutil, statistics, sys, tempfile, time, warnings
from pathlib import Path

warnings.filterwarnings('ignore')
import faiss, numpy as np, torch

from clip_nbdev.embed import (ShardIndex, _manifest, _save_npy, _save_parquet, build_index, choose_index,
                              embedding_shards, exact_search, index_bytes, index_search, recall_at, shard_files)


def mem(phase: str, peak: bool = True):
    "Current RSS (anonymous / file-backed, i.e. memory-mapped shards) and peak RSS of this process, in MB."
    st = dict(l.split(':', 1) for l in open('/proc/self/status') if l.startswith(('VmRSS', 'RssAnon', 'RssFile')))
    mb = {k: int(v.split()[0]) / 1024 for k, v in st.items()}
    print(f'  [{phase}] RSS {mb["VmRSS"]:.0f} MB (anon {mb["RssAnon"]:.0f}, file {mb["RssFile"]:.0f})' + (
          f', peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB' if peak else ''), flush=True)
    return mb


def cpu():
    "Machine busy and total jiffies (/proc/stat), and this process's CPU jiffies (`others`: the share used by the rest)."
    v, t = list(map(int, open('/proc/stat').readline().split()[1:])), os.times()
    return sum(v) - v[3] - v[4], sum(v), (t.user + t.system + t.children_user + t.children_system) * os.sysconf('SC_CLK_TCK')


def others(a) -> str:
    b = cpu(); return f'{100 * max(0, (b[0] - a[0]) - (b[2] - a[2])) / max(1, b[1] - a[1]):.0f}%'


class Clustered:
    "Unit vectors: centres on the unit sphere of a random `r`-d subspace, spread around them there, noise in all `d`."
    def __init__(self, d, centres, r, spread, noise, seed):
        rng = np.random.default_rng(seed)
        self.basis = np.linalg.qr(rng.standard_normal((d, r)))[0].T.astype(np.float32)              # (r, d)
        c = rng.standard_normal((centres, r)).astype(np.float32); self.centres = c / np.linalg.norm(c, axis=1, keepdims=True)
        self.d, self.r, self.spread, self.noise = d, r, spread, noise
    def sample(self, n: int, rng) -> np.ndarray:                                                      # (n, d) float32
        z = self.centres[rng.integers(len(self.centres), size=n)] + rng.standard_normal((n, self.r), np.float32) * (self.spread / math.sqrt(self.r))
        x = z @ self.basis + rng.standard_normal((n, self.d), np.float32) * (self.noise / math.sqrt(self.d))
        return x / np.linalg.norm(x, axis=1, keepdims=True)


def write_vectors(out: Path, gen: Clustered, n: int, shard_size: int, seed: int):
    "The notebook's `write_vectors`, one shard generated at a time."
    rng, shards = np.random.default_rng(seed), math.ceil(n / shard_size)
    for i in range(shards):
        f, rows = shard_files(out, i, shards), range(i * shard_size, min(n, (i + 1) * shard_size))
        _save_npy(f['img'], gen.sample(len(rows), rng).astype(np.float16))
        _save_parquet(f['skipped'], {'image_path': [], 'reason': []}); _save_parquet(f['meta'], {'image_path': [f'vector_{r}' for r in rows]})
    _manifest(out, {'collection': f'clustered-{n}', 'items': n, 'shard_size': shard_size, 'shards': shards, 'emb_dtype': 'float16',
                    'model_sha256': None, 'preprocess_sha256': None, 'truncate': False, 'captions': False, 'dim': gen.d, 'model': None})


def shard_index_child(folder: Path, queries: np.ndarray, k: int):
    "In a fresh process: RSS before and after `ShardIndex(folder)`, then its search of `queries` (ms/query, row ids)."
    before = mem('fresh process, before ShardIndex', False); si = ShardIndex(folder); after = mem('after ShardIndex(folder)', False)
    t = time.perf_counter(); hits = si.search(torch.from_numpy(queries), k); ms = (time.perf_counter() - t) * 1000 / len(queries)
    mem('after ShardIndex.search', False)   # (ru_maxrss is kept across exec: the parent's peak, not this one's)
    return si.params, ms, np.array([[h['row'] for h in q] + [-1] * (k - len(q)) for q in hits]), before, after


def timed(search, queries, single: int):
    "ms/query with all queries in one call, median ms of `single` one-query calls, and the ids found (all queries)."
    t = time.perf_counter(); ids = search(queries); batch = (time.perf_counter() - t) * 1000 / len(queries)
    one = []
    for q in queries[:single]: t = time.perf_counter(); search(q[None]); one.append(time.perf_counter() - t)
    return batch, statistics.median(one) * 1000, ids


def brute(x: np.ndarray, k: int):
    "numpy brute force over all vectors `x` (N, E): scores in blocks of 100 queries, argpartition, the k sorted."
    def search(q):
        out = []
        for j in range(0, len(q), 100):
            s = q[j:j + 100] @ x.T; top = np.argpartition(-s, k, axis=1)[:, :k]
            out.append(np.take_along_axis(top, np.argsort(-np.take_along_axis(s, top, 1), axis=1), 1))
        return np.concatenate(out)
    return search


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--rows', type=int, default=1_000_000); ap.add_argument('--dim', type=int, default=512)
    ap.add_argument('--shard-size', type=int, default=100_000)
    ap.add_argument('--centres', type=int, default=4096); ap.add_argument('--intrinsic', type=int, default=32)
    ap.add_argument('--spread', type=float, default=0.5); ap.add_argument('--noise', type=float, default=0.2)
    ap.add_argument('--queries', type=int, default=1000, help='fresh held-out queries')
    ap.add_argument('--single', type=int, default=50, help='queries timed one at a time')
    ap.add_argument('--memory', default=None, help="build_index's memory for the IVF-PQ index, which picks its code size "
                    "(default: what index_bytes says m=dim/8 takes; m=dim/2 or dim/4, which memory='4G' picks, train very slowly)")
    ap.add_argument('--min-recall', type=float, default=0.95)
    ap.add_argument('--threads', type=int, default=None, help='faiss and torch threads (default: as they are)')
    ap.add_argument('--folder', default=None, help='where to write the embedding folder (default: a temporary one, deleted)')
    args = ap.parse_args()
    if args.threads: faiss.omp_set_num_threads(args.threads); torch.set_num_threads(args.threads)
    k, n, start = 10, args.rows, cpu()
    args.memory = args.memory or str(index_bytes('ivfpq', n, args.dim, choose_index(n, args.dim, 'ivf', '1T')['nlist'], args.dim // 8))
    print(f'bench_index.py {" ".join(sys.argv[1:])}: faiss {faiss.__version__}, {faiss.omp_get_max_threads()} faiss threads, '
          f'numpy {np.__version__}, {os.cpu_count()} CPUs; load average before the run {os.getloadavg()[0]:.2f}', flush=True)
    tmp = Path(args.folder or tempfile.mkdtemp(prefix='bench_index_')); folder = tmp / 'emb'
    try:
        gen = Clustered(args.dim, args.centres, args.intrinsic, args.spread, args.noise, seed=0)
        t = time.perf_counter(); write_vectors(folder, gen, n, args.shard_size, seed=1)
        queries = gen.sample(args.queries, np.random.default_rng(2))                                   # (Q, E) held out
        print(f'wrote {n:,} x {args.dim} float16 rows in {math.ceil(n / args.shard_size)} shards in {time.perf_counter() - t:.1f} s '
              f'({sum(f.stat().st_size for f in (folder / "img_emb").iterdir()) / 2**20:.0f} MB); '
              f"choose_index(kind='ivfpq', memory={args.memory!r}) -> {choose_index(n, args.dim, 'ivfpq', args.memory)}")
        mem('written'); shards, res = embedding_shards(folder), {}
        for kind in ('ivfpq', 'ivf', 'flat'):
            t0 = cpu(); p = build_index(folder, kind=kind, memory=args.memory if kind == 'ivfpq' else '1T', min_recall=args.min_recall)
            (folder / 'index').rename(folder / f'index_{kind}')
            index = faiss.read_index(str(folder / f'index_{kind}' / 'image.index'))
            if hasattr(index, 'nprobe'): index.nprobe = p['nprobe']
            search = lambda q: index_search(index, q, k, shards, p.get('rerank', 0))[1]
            res[kind] = (p, *timed(search, queries, args.single))
            print(f"built {kind} in {p['build_seconds']:.1f} s (other processes used {others(t0)} of the CPUs): "
                  + ', '.join(f"{x}={p[x]}" for x in ('nlist', 'm', 'rerank', 'train_rows', 'nprobe') if x in p)
                  + '; curve ' + ' '.join(f"{c['nprobe']}:{c['recall']:.3f}/{c['ms_per_query']:.2f}ms" for c in p['curve']))
            mem(f'after build_index {kind} and its searches'); del index
        for kind in ('ivfpq', 'ivf'):
            (folder / f'index_{kind}').rename(folder / 'index')
            with mp.get_context('spawn').Pool(1) as pool: p, ms, found, before, after = pool.apply(shard_index_child, (folder, queries, k))
            res[f'ShardIndex {kind}'] = (p, ms, None, found)
            print(f'ShardIndex({kind}) in a fresh process: construction grew its RSS by {after["VmRSS"] - before["VmRSS"]:.0f} MB (anon '
                  f'{after["RssAnon"] - before["RssAnon"]:.0f}, file {after["RssFile"] - before["RssFile"]:.0f}); index file '
                  f'{p["index_bytes"] / 2**20:.0f} MB; shards on disk {n * args.dim * 2 / 2**20:.0f} MB', flush=True)
            (folder / 'index').rename(folder / f'index_{kind}')
        t = time.perf_counter(); x = np.concatenate([np.asarray(s, np.float32) for s in shards]); load = time.perf_counter() - t
        mem('numpy: all vectors loaded as float32')
        bf_batch, bf_one, truth = timed(brute(x, k), queries, args.single); mem('numpy brute force')
        e = min(100, len(queries)); t = time.perf_counter(); _, ex = exact_search(queries[:e], shards, k)
        ex_ms = (time.perf_counter() - t) * 1000 / e
        print(f'\n{n:,} rows x {args.dim}, {len(queries)} fresh queries, k={k}; recall@10 against numpy brute force')
        print('| method (ShardIndex: with the metadata of each hit) | build s | index MB | build_index recall@10 (own queries) | '
              'recall@10 (fresh queries) | ms/query, batch | ms/query, one at a time |')
        print('|---|---|---|---|---|---|---|')
        for name, (p, batch, one, found) in res.items():
            build = '' if name.startswith('Shard') else f"{p['build_seconds']:.1f}"
            print(f"| {name}{' (rerank %d)' % p['rerank'] if p.get('rerank') else ''} | {build} | {p['index_bytes'] / 2**20:.1f} | "
                  f"{p['recall_at_10']:.3f}{' (nprobe %s)' % p['nprobe'] if p.get('nlist') else ''} | {recall_at(found, truth):.3f} | {batch:.3f} | {'' if one is None else f'{one:.2f}'} |")
        print(f'| numpy brute force (float32 in memory; loading took {load:.1f} s) | | {x.nbytes / 2**20:.0f} | | 1.000 | {bf_batch:.3f} | {bf_one:.2f} |')
        print(f'| clip_nbdev exact_search (shards read per call; first {e} queries) | | | | {recall_at(ex, truth[:e]):.3f} | {ex_ms:.3f} | |')
        print(f'build_index computes its ground truth with exact_search over its n_queries=1000 own queries: at the rate '
              f'above, about {ex_ms:.0f} s of each build (numpy brute force: {bf_batch:.0f} s); the load differs from the builds\'')
        print(f'\nload average after the run {os.getloadavg()[0]:.2f}; other processes used {others(start)} of the CPUs during the run')
    finally:
        if not args.folder: shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
