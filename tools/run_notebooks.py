"""Run every notebook top to bottom in a fresh Jupyter kernel, as a student's *Run All* does, and fail on any error.

nbdev's test flags (`#| eval: false`, `#| slow`) mean nothing to Jupyter, so this runs every code cell, in order,
from `nbs/` as the working directory, with no network needed. It prints each notebook's time as it finishes,
then the total, and ends with `N passed, N failed`. Usage, from the repository root:

    .venv/bin/python tools/run_notebooks.py                          # every notebook in nbs/
    .venv/bin/python tools/run_notebooks.py --path nbs/13_cli.ipynb  # one notebook (or a folder)

A notebook also fails if it leaves files behind: the kernels get a private TMPDIR (where `tempfile` writes), which
must be empty when each notebook ends, and `git status --porcelain` must not gain untracked files (in a working
tree shared with other people, files they create meanwhile count too: run it in a clean clone, as CI does). Two
exceptions, noted under the notebook's line: torch's own empty per-user cache folder `torchinductor_<user>`, which
torch makes on the first `torch.utils.checkpoint` call and reuses, like ~/.cache; and onnxruntime's `.ses`, a
session id that `import onnxruntime` writes into $TMPDIR. Warnings printed on a
cell's stderr (e.g. `TqdmWarning: IProgress not found`) are listed under the notebook's line. Executed notebooks
are not written anywhere.
"""
import argparse, os, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / 'nbs'
WARNING = re.compile(r'\b\w*Warning\b:')


def untracked() -> set:
    "Untracked files of the repository (`git status --porcelain`'s `??` lines; ignored files not included)."
    r = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=all'], cwd=ROOT, capture_output=True, text=True)
    return {l[3:] for l in r.stdout.splitlines() if l.startswith('??')} if r.returncode == 0 else set()


def notebooks(path) -> list:
    "The notebooks under `path` (a notebook or a folder), skipping checkpoints and files starting with `_` or `.`."
    p = Path(path) if path else NBS
    if p.is_file(): return [p.resolve()]
    return sorted(f.resolve() for f in p.rglob('*.ipynb')
                  if not any(part.startswith(('_', '.')) for part in f.relative_to(p).parts))


def stderr_warnings(nb) -> list:
    "Distinct warning lines written to stderr by the notebook's cells, with the cell's index."
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get('outputs', []):
            if out.get('output_type') == 'stream' and out.get('name') == 'stderr':
                for line in out.get('text', '').splitlines():
                    if WARNING.search(line) and (i, line.strip()) not in found: found.append((i, line.strip()))
    return found


def _torch_cache(p: Path) -> bool:
    """A library's own reused file, not the notebook's: an empty `torchinductor_<user>` folder (torch's per-user compile
    cache, made on the first `torch.utils.checkpoint` call) or onnxruntime's `.ses` (a session id that `import
    onnxruntime` writes into $TMPDIR: a timestamp and a UUID, 51 bytes)."""
    if p.is_dir(): return p.name.startswith('torchinductor_') and not any(p.iterdir())
    return p.name == '.ses' and p.stat().st_size < 100 and re.fullmatch(r'\d+\n[0-9a-f-]{36}\n', p.read_text(errors='replace')) is not None


def run_one(path: Path, timeout: int, kernel: str, tmp: Path):
    "Execute `path` in a fresh kernel from nbs/; return (error message or None, seconds, warnings)."
    nb = nbformat.read(path, as_version=4)
    env = {**os.environ, 'TMPDIR': str(tmp), 'PYDEVD_DISABLE_FILE_VALIDATION': '1'}
    env.pop('MPLBACKEND', None)  # the inline backend, as in JupyterLab
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, resources={'metadata': {'path': str(NBS)}},
                            allow_errors=False, record_timing=False, extra_arguments=['--log-level=ERROR'])
    start, err = time.time(), None
    try: client.execute(env=env)
    except CellTimeoutError as e: err = f'a cell ran over {timeout} s: {str(e).strip().splitlines()[-1]}'
    except CellExecutionError as e:
        idx = next((i for i, c in enumerate(nb.cells) if any(o.get('output_type') == 'error' for o in c.get('outputs', []))), None)
        err = f'{e.ename}: {e.evalue}'
        if idx is not None:
            src = '\n'.join('      | ' + l for l in nb.cells[idx].source.splitlines()[:6])
            err = f'cell {idx} (id {nb.cells[idx].get("id")}): {err}\n{src}'
    except DeadKernelError as e: err = f'the kernel died: {e}'
    secs = time.time() - start
    left = sorted(str(p.relative_to(tmp)) for p in tmp.rglob('*') if not _torch_cache(p))
    cache = [(-1, f"a library made its own reused {p.name} (not counted as left behind)") for p in tmp.iterdir() if _torch_cache(p)]
    if left and err is None: err = f'left {len(left)} file(s) in its temporary folder: {", ".join(left[:5])}'
    for p in tmp.iterdir(): shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    return err, secs, stderr_warnings(nb) + cache


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--path', default=None, help='a notebook or a folder (default: every notebook in nbs/)')
    ap.add_argument('--timeout', type=int, default=600, help='seconds one cell may run')
    ap.add_argument('--kernel', default='python3', help='the Jupyter kernel to run the notebooks in')
    args = ap.parse_args()
    files = notebooks(args.path)
    if not files:
        print('No notebook was found to run: failing.'); print('0 passed, 0 failed'); sys.exit(1)
    before, start, failed = untracked(), time.time(), []
    tmp = Path(tempfile.mkdtemp(prefix='run_notebooks-'))
    try:
        for f in files:
            err, secs, warns = run_one(f, args.timeout, args.kernel, tmp)
            new = sorted(untracked() - before)
            if new and err is None: err = f'left new files in the repository: {", ".join(new[:5])}'
            before |= set(new)
            print(f"{'FAIL' if err else 'PASS'} {f.relative_to(ROOT) if f.is_relative_to(ROOT) else f} ({secs:.0f} s)", flush=True)
            if err: print('    ' + err, flush=True); failed.append(f)
            for i, w in warns: print(f'    note: {w}' if i < 0 else f'    warning on stderr, cell {i}: {w}', flush=True)
    finally: shutil.rmtree(tmp, ignore_errors=True)
    print(f'total {time.time() - start:.0f} s for {len(files)} notebooks')
    print(f'{len(files) - len(failed)} passed, {len(failed)} failed')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
