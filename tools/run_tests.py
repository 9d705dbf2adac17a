"""Run every notebook's tests with nbdev 2, print each notebook's line as it finishes, then `N passed, N failed`.

Unlike a bare `nbdev_test`, this exits non-zero when no notebook was tested (nbdev prints
"No files were eligible for testing" and exits 0). Usage, from the repository root:

    .venv/bin/python tools/run_tests.py                    # every notebook, slow cells skipped
    .venv/bin/python tools/run_tests.py --flags slow       # also the cells flagged `#| slow`
    .venv/bin/python tools/run_tests.py --path nbs/01_tokenizer.ipynb
"""
import argparse, multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

os.environ.setdefault('MPLBACKEND', 'Agg')
from nbdev.config import get_config
from nbdev.doclinks import nbglob
from nbdev.test import test_nb


def _test_one(f, skip, force, basepath, nbs_path):
    "Test one notebook from the notebooks' folder, in a worker process; return (passed, seconds)."
    os.chdir(nbs_path)
    return test_nb(f, skip_flags=skip, force_flags=force, basepath=basepath)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--path', default=None, help='a notebook or a folder (default: every notebook in nbs/)')
    ap.add_argument('--flags', default='', help='space-separated test flags to run that are skipped by default (e.g. slow)')
    ap.add_argument('--n_workers', type=int, default=2, help='notebooks run in parallel')
    args = ap.parse_args()
    cfg = get_config()
    files = sorted(f.absolute() for f in nbglob(args.path, as_path=True))
    if not files:
        print('No notebook was found to test: failing (a run that tests nothing must not pass).')
        print('0 passed, 0 failed')
        sys.exit(1)
    skip, force = cfg.tst_flags.split(), args.flags.split()
    start, n_ok = time.time(), 0
    # one fresh process per notebook: running a notebook replaces its process's __main__, so a reused worker could no
    # longer find `_test_one` (and state must not leak from one notebook into the next)
    with ProcessPoolExecutor(max_workers=min(args.n_workers, len(files)), mp_context=multiprocessing.get_context('spawn'),
                             max_tasks_per_child=1) as pool:
        futures = {pool.submit(_test_one, f, skip, force, cfg.config_path, cfg.nbs_path): f for f in files}
        for fut in as_completed(futures):
            f = futures[fut]
            try: ok, secs = fut.result()
            except Exception as e: ok, secs = False, time.time() - start; print(f'{f.name}: {type(e).__name__}: {e}')
            n_ok += bool(ok)
            print(f"{'PASS' if ok else 'FAIL'} {f.relative_to(cfg.config_path)} ({secs:.0f} s)", flush=True)
    print(f'total {time.time() - start:.0f} s, flags run: {args.flags or "(none)"}')
    print(f'{n_ok} passed, {len(files) - n_ok} failed')
    sys.exit(0 if n_ok == len(files) else 1)


if __name__ == '__main__':
    main()
