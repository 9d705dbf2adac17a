"""Embedding throughput of `embed_collection` (images/s) with 0, 1 and 2 DataLoader workers, against a plain loop.

A collection of `--images` photo-like JPEGs (`--size` px square: colour gradients, filled discs, sensor noise) is
written to a temporary folder; the bundled 'synthetic-tiny' model embeds all of them, ViT-B/32 (random weights:
speed does not depend on their values) the first `--vit-images`. For each model the configurations are
* plain loop: `Image.open` + preprocess + `encode_images` batch by batch in this process, embeddings saved as float16;
* `embed_collection(..., num_workers=w)` for w in 0, 1, 2, each call writing to a fresh output folder (its time
  includes listing the folder, fingerprinting the model and, for w > 0, starting the workers);
* where the time goes, on the same images: decoding+preprocessing alone, and the model alone on ready tensors.
After a warm-up round on one batch, the configurations take turns in each of `--rounds` rounds (so that a change of
machine load affects them alike); medians are printed. Speed is only reported, never asserted. The load average and
the share of the CPUs that other processes used are printed: when another process holds a core, torch's intra-op
threads wait for each other at every operation and the figures fall several-fold (`--threads 1` is the least sensitive).

    .venv/bin/python benchmarks/bench_embed.py
    .venv/bin/python benchmarks/bench_embed.py --images 2048 --vit-images 256 --rounds 3 --threads 1
"""
import argparse, os, statistics, sys, tempfile, time, warnings
from pathlib import Path

warnings.filterwarnings('ignore')
import numpy as np
import torch
from PIL import Image

from clip_nbdev.embed import Collection, embed_collection, list_collection
from clip_nbdev.index import model_fingerprint
from clip_nbdev.inference import encode_images
from clip_nbdev.load import image_transform, load_model
from clip_nbdev.model import ARCHITECTURES, CLIP


def make_images(folder: Path, n: int, size: int, seed: int = 0):
    "`n` photo-like JPEGs: a two-colour gradient at a random angle, 3-7 filled discs, Gaussian noise; quality 90."
    rng, (y, x) = np.random.default_rng(seed), np.mgrid[0:size, 0:size] / size
    for i in range(n):
        c0, c1 = rng.uniform(0, 255, (2, 3)); a = rng.uniform(0, 2 * np.pi)
        t = (np.cos(a) * x + np.sin(a) * y)[..., None]
        img = c0 * (1 - t) + c1 * t                                                        # (size, size, 3)
        for _ in range(rng.integers(3, 8)):
            cx, cy, r = rng.uniform(0, 1, 3)
            img[(x - cx) ** 2 + (y - cy) ** 2 < (0.05 + 0.25 * r) ** 2] = rng.uniform(0, 255, 3)
        img += rng.normal(0, 6, img.shape)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(folder / f'{i:06d}.jpg', quality=90)


def cpu():
    "Machine busy and total jiffies (/proc/stat), and the CPU jiffies of this process and its finished children."
    v, t = list(map(int, open('/proc/stat').readline().split()[1:])), os.times()
    return sum(v) - v[3] - v[4], sum(v), (t.user + t.system + t.children_user + t.children_system) * os.sysconf('SC_CLK_TCK')


def others(a) -> str:
    b = cpu(); return f'{100 * max(0, (b[0] - a[0]) - (b[2] - a[2])) / max(1, b[1] - a[1]):.0f}%'


def decode(preprocess, paths): return [preprocess(Image.open(p)) for p in paths]


def plain_loop(model, preprocess, paths, out: Path, bs: int):
    "The reference: decode, preprocess and embed batch by batch in this process; save like a shard."
    embs = [encode_images(model, preprocess, torch.stack(decode(preprocess, paths[i:i + bs])), batch_size=bs)
            for i in range(0, len(paths), bs)]
    out.mkdir(parents=True); np.save(out / 'img_emb_0.npy', torch.cat(embs).numpy().astype(np.float16))
    return len(paths)


def configs(model, preprocess, coll: Collection, tmp: Path, bs: int, workers):
    "name -> a function that runs one configuration into a fresh output folder and returns the images embedded."
    paths, fresh = coll.paths, lambda: Path(tempfile.mkdtemp(dir=tmp)) / 'out'
    out = {'plain loop (decode in this process)': lambda: plain_loop(model, preprocess, paths, fresh(), bs)}
    for w in workers:
        out[f'embed_collection num_workers={w}'] = (lambda w=w: embed_collection(
            model, preprocess, coll, fresh(), batch_size=bs, num_workers=w, rank=0, world_size=1)['images_read'])
    tensors = decode(preprocess, paths)
    out['decode+preprocess only'] = lambda: len(decode(preprocess, paths))
    out['model only (ready tensors)'] = lambda: len(encode_images(model, preprocess, torch.stack(tensors), batch_size=bs))
    return out


def run_rounds(fns: dict, rounds: int) -> dict:
    "Median seconds of each function over `rounds` rounds, the functions taking turns within each round."
    times = {k: [] for k in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            t = time.perf_counter(); n = fn(); times[name].append(time.perf_counter() - t)
    return {k: (statistics.median(ts), n, ts) for k, ts in times.items()}


def report(title: str, results: dict, n: int):
    print(f'\n{title}: {n} images')
    print('| configuration | images/s | seconds (median) | seconds (all rounds) |\n|---|---|---|---|')
    for name, (t, _, ts) in results.items():
        print(f'| {name} | {n / t:.1f} | {t:.3f} | {", ".join(f"{x:.3f}" for x in ts)} |')
    d, m = results['decode+preprocess only'][0], results['model only (ready tensors)'][0]
    print(f'time split: decode+preprocess {d:.3f} s ({1000 * d / n:.2f} ms/image, {100 * d / (d + m):.0f}%), '
          f'model {m:.3f} s ({1000 * m / n:.2f} ms/image, {100 * m / (d + m):.0f}%); serial sum {d + m:.3f} s '
          f'= {n / (d + m):.1f} images/s; if decoding overlapped the model fully: {n / max(d, m):.1f} images/s')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--images', type=int, default=512, help='images for the bundled model')
    ap.add_argument('--vit-images', type=int, default=128, help='images for ViT-B/32 (the first ones); 0: skip it')
    ap.add_argument('--size', type=int, default=256, help='side of the generated JPEGs')
    ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--workers', type=int, nargs='+', default=[0, 1, 2])
    ap.add_argument('--rounds', type=int, default=2)
    ap.add_argument('--threads', type=int, default=None, help='torch.set_num_threads in this process (default: as it is)')
    args = ap.parse_args()
    if args.threads: torch.set_num_threads(args.threads)

    print(f'bench_embed.py {" ".join(sys.argv[1:])}: torch {torch.__version__}, {torch.get_num_threads()} torch threads in '
          f'this process, {os.cpu_count()} CPUs, batch {args.batch_size}; median of {args.rounds} rounds, configurations '
          f'taking turns; load average before the run {os.getloadavg()[0]:.2f}')
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp); (tmp / 'images').mkdir()
        t = time.perf_counter(); make_images(tmp / 'images', args.images, args.size)
        coll = list_collection(tmp / 'images')
        print(f'{args.images} JPEGs of {args.size}x{args.size} px written in {time.perf_counter() - t:.1f} s, '
              f'{sum(os.path.getsize(p) for p in coll.paths) / len(coll) / 1024:.1f} KiB each on average')

        tiny, tiny_pre = load_model('synthetic-tiny', device='cpu')
        models = [('synthetic-tiny (bundled)', tiny, tiny_pre, coll)]
        if args.vit_images:
            torch.manual_seed(0); vit = CLIP.from_config(ARCHITECTURES['ViT-B/32']).eval()
            n = min(args.vit_images, len(coll))
            models.append(('ViT-B/32 (random weights)', vit, image_transform(vit.visual.input_resolution),
                           Collection(coll.paths[:n], sources=coll.sources)))
        for name, model, pre, c in models:
            run_rounds(configs(model, pre, Collection(c.paths[:args.batch_size]), tmp, args.batch_size, args.workers), 1)  # warm-up
            t = time.perf_counter(); model_fingerprint(model); fp = time.perf_counter() - t
            t0 = cpu(); results = run_rounds(configs(model, pre, c, tmp, args.batch_size, args.workers), args.rounds)
            print(f'\nother processes used {others(t0)} of the CPUs during the rounds below; load average {os.getloadavg()[0]:.2f}', end='')
            report(f'{name}, {model.visual.input_resolution}px input, fp32, embedding dim {model.text_projection.shape[1]}', results, len(c))
            print(f'(embed_collection fingerprints the model on each call: {fp:.3f} s of the figures above)')
    print(f'\nload average after the run {os.getloadavg()[0]:.2f} (this process uses up to {torch.get_num_threads()} '
          f'threads, plus one per DataLoader worker)')


if __name__ == '__main__':
    main()
