"""Memory of one loss step per process, global vs local losses, at several global batch sizes (2 CPU processes, gloo).

The global losses (`ClipLoss`, `SigLipLoss` through chapter 9's `contrastive_step`: every process gathers all rows
and scores the whole N x N matrix) against the local ones of chapter A3 (`LocalClipLoss`: this process's n = N/W
rows against all N columns; `LocalSigLipLoss`: this process's images against each process's captions, one n x n
block at a time). For each, per process: the logits it computes (numbers; the sigmoid's n x n blocks, n x N in
all), the memory the loss keeps for `backward` (every tensor autograd saves between the features and the loss,
counted once per storage), and on CUDA the peak memory of forward + backward. A script that prints figures, not a timed test.

    .venv/bin/python benchmarks/bench_loss.py                      # spawns 2 processes
    .venv/bin/python benchmarks/bench_loss.py --sizes 256 1024 4096 --dim 512
"""
import argparse, os, socket, warnings

warnings.filterwarnings('ignore')
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F

from clip_nbdev.train import ClipLoss, SigLipLoss, gather_features
from clip_nbdev.trainer import LocalClipLoss, LocalSigLipLoss


def saved_bytes(fn) -> int:
    "Run `fn` (forward and backward of a loss); the bytes autograd saved for backward, each storage counted once."
    storages = {}
    def pack(t):
        s = t.untyped_storage(); storages[s.data_ptr()] = s.nbytes(); return t
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t): fn()
    return sum(storages.values())


def step(loss, img, txt, scale, bias):
    "One loss step as `contrastive_step` runs it, forward and backward."
    i, t = (img, txt) if loss.gathers else gather_features(img, txt)
    value = loss(i, t, scale, bias)
    value.backward()


def worker(rank: int, world: int, sizes, dim: int, port: int):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    rows = []
    for N in sizes:
        n = N // world
        for name, loss, logits in [('ClipLoss (global)', ClipLoss(), N * N), ('LocalClipLoss', LocalClipLoss(), 2 * n * N),
                                   ('SigLipLoss (global)', SigLipLoss(), N * N), ('LocalSigLipLoss', LocalSigLipLoss(), n * N)]:
            torch.manual_seed(rank)
            img, txt = (F.normalize(torch.randn(n, dim), dim=-1).requires_grad_() for _ in range(2))
            scale, bias = torch.tensor(10., requires_grad=True), torch.tensor(-10., requires_grad=True)
            if torch.cuda.is_available():
                dev = torch.device('cuda', rank % torch.cuda.device_count())
                img, txt, scale, bias = (x.detach().to(dev).requires_grad_() for x in (img, txt, scale, bias))
                torch.cuda.reset_peak_memory_stats(dev)
            held = saved_bytes(lambda: step(loss, img, txt, scale, bias))
            peak = torch.cuda.max_memory_allocated() if torch.cuda.is_available() else None
            rows.append((N, name, logits, held, peak))
    if rank == 0:
        print(f'{world} processes, features of {dim} dims; per process (rank 0):')
        print(f"{'global batch':>12}  {'loss':22}{'logits':>14}{'saved for backward':>20}" + ('  peak (CUDA)' if rows[0][4] else ''))
        for N, name, logits, held, peak in rows:
            print(f'{N:>12}  {name:22}{logits:>14,}{held / 2**20:>17.1f} MB' + (f'{peak / 2**20:>10.1f} MB' if peak else ''))
        print('memory saved by the local losses (saved for backward, global / local):')
        for N in sizes:
            by = {name: held for n_, name, _, held, _ in rows if n_ == N}
            print(f"  N={N}: softmax {by['ClipLoss (global)'] / by['LocalClipLoss']:.1f}x less, "
                  f"sigmoid {by['SigLipLoss (global)'] / by['LocalSigLipLoss']:.1f}x less")
    dist.barrier(); dist.destroy_process_group()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--sizes', type=int, nargs='+', default=[256, 1024, 2048, 4096], help='global batch sizes')
    ap.add_argument('--dim', type=int, default=512, help='feature dimension')
    ap.add_argument('--world', type=int, default=2, help='processes')
    args = ap.parse_args()
    torch.set_num_threads(1)
    mp.spawn(worker, args=(args.world, args.sizes, args.dim, free_port()), nprocs=args.world)
