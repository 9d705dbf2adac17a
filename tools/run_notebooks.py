"""Run every notebook top to bottom in a fresh Jupyter kernel, as a student's *Run All* does, and fail on any error.

nbdev's test flags (`#| eval: false`, `#| slow`) mean nothing to Jupyter, so this runs every code cell, in order,
from the notebook's folder as the working directory (`nbs/`, or `nbs_zh/` for the Chinese edition, whose notebooks
carry the same code cells), with no network needed. It prints each notebook's time as it finishes, then the total,
and ends with `N passed, N failed`. Usage, from the repository root:

    .venv/bin/python tools/run_notebooks.py                             # every notebook in nbs/
    .venv/bin/python tools/run_notebooks.py --path nbs/13_cli.ipynb     # one notebook (or a folder)
    .venv/bin/python tools/run_notebooks.py --path nbs_zh/01_tokenizer.ipynb   # its Chinese twin (same exercises)

A notebook also fails if it leaves files behind: the kernels get a private TMPDIR (where `tempfile` writes), which
must be empty when each notebook ends, and `git status --porcelain` must not gain untracked files (in a working
tree shared with other people, files they create meanwhile count too: run it in a clean clone, as CI does). Two
exceptions, noted under the notebook's line: torch's own empty per-user cache folder `torchinductor_<user>`, which
torch makes on the first `torch.utils.checkpoint` call and reuses, like ~/.cache; and onnxruntime's `.ses`, a
session id that `import onnxruntime` writes into $TMPDIR. Warnings printed on a
cell's stderr (e.g. `TqdmWarning: IProgress not found`) are listed under the notebook's line. Executed notebooks
are not written anywhere.

Exercises: every check must be able to fail. An exercise is a `# Exercise N — reference solution` code cell (after any
`#|` directives) followed by its check cells: the code cells after it, up to the next markdown cell, the next
reference solution or the `nbdev_export` cell, and up to the last of them that asserts something (`test_...(` or
`assert`; code cells after that one, such as a chapter's final `shutil.rmtree(tmp)`, are not checks). Right after the
last exercise's checks have run and passed in Run All, for each exercise in turn: its wrong answer from
`tools/exercise_mutants.py` (keyed by the notebook's stem, so a Chinese twin gets the same ones) runs in the same kernel, then its check cells, and one of them must raise; then the
reference solution and its checks run again and must pass, so the next exercise sees the right state. Then the
notebook's remaining cells run. A notebook fails when a check accepts the wrong answer, when only a NameError or
SyntaxError rejects it (that says nothing about the answer), when the wrong answer itself raises, when an exercise
has no wrong answer in `tools/exercise_mutants.py` or no asserting check cell, or when a wrong answer names an
exercise the notebook does not have; and, when all of nbs/ runs, the run fails if a wrong answer names a notebook that
is not there. A notebook's line then reads e.g. `exercises: 3 checks reject a wrong answer (4 s)`.
"""
import argparse, importlib.util, os, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / 'nbs'
WARNING = re.compile(r'\b\w*Warning\b:')
SOLUTION = re.compile(r'\A(?:[ \t]*#\|[^\n]*\n)*[ \t]*# Exercise (\d+) — reference solution')
ASSERTS = re.compile(r'\btest_\w*\(|\bassert\b')
NOT_A_REJECTION = {'NameError', 'SyntaxError', 'IndentationError', 'TabError', 'ImportError', 'ModuleNotFoundError'}


def load_mutants() -> dict:
    "`MUTANTS` of tools/exercise_mutants.py: {(notebook stem, exercise number): wrong answer's source}."
    spec = importlib.util.spec_from_file_location('exercise_mutants', ROOT / 'tools' / 'exercise_mutants.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod.MUTANTS


def exercises(nb) -> dict:
    "{exercise number: (index of its reference solution cell, [indices of its check cells])}, in notebook order."
    found, cells = {}, nb.cells
    for i, c in enumerate(cells):
        m = SOLUTION.match(c.source) if c.cell_type == 'code' else None
        if not m: continue
        n = int(m.group(1))
        if n in found: raise ValueError(f'exercise {n} has two reference solutions (cells {found[n][0]} and {i})')
        after = []
        for j in range(i + 1, len(cells)):
            d = cells[j]
            if d.cell_type != 'code' or SOLUTION.match(d.source) or 'nbdev_export' in d.source: break
            after.append(j)
        asserting = [j for j in after if ASSERTS.search(cells[j].source)]
        found[n] = (i, after[:after.index(asserting[-1]) + 1] if asserting else [])
    return found


def _scratch(client, nb, source: str):
    "Run `source` in the notebook's kernel as an extra cell (not kept); return None or (exception name, value)."
    cell = nbformat.v4.new_code_cell(source)
    nb.cells.append(cell)
    try: client.execute_cell(cell, len(nb.cells) - 1); return None
    except CellExecutionError as e: return e.ename, e.evalue
    finally: nb.cells.pop()


def check_exercises(client, nb, found: dict, wrong: dict):
    """For each exercise: its wrong answer must make a check cell raise; then the reference and checks must pass again.
    Returns (error message or None, {exercise: the exception that rejected its wrong answer, if not an AssertionError})."""
    other = {}
    def short(e): return f'{e[0]}: {str(e[1]).strip().splitlines()[-1] if str(e[1]).strip() else ""}'[:300]
    for n, (sol, checks) in found.items():
        where = f'exercise {n} (reference solution: cell {sol}, id {nb.cells[sol].get("id")})'
        src = [nb.cells[j].source for j in checks]
        e = _scratch(client, nb, wrong[n])
        if e: return f'{where}: its wrong answer in tools/exercise_mutants.py raised {short(e)}; it must run and be rejected by the check', other
        rejected = None
        for j, c in zip(checks, src):
            rejected = _scratch(client, nb, c)
            if rejected: break
        if rejected is None:
            return f'{where}: the check accepts a wrong answer - cell(s) {checks} passed after tools/exercise_mutants.py\'s wrong answer:\n' + \
                   '\n'.join('      | ' + l for l in wrong[n].splitlines()[:8]), other
        if rejected[0] in NOT_A_REJECTION:
            return f'{where}: on the wrong answer, check cell {j} raised {short(rejected)}, which is a broken check or wrong answer, not a rejection', other
        if rejected[0] != 'AssertionError': other[n] = rejected[0]
        for j, c in [(sol, nb.cells[sol].source)] + list(zip(checks, src)):
            e = _scratch(client, nb, c)
            if e: return f'{where}: cell {j} failed when the reference solution and its checks ran again after the wrong answer: {short(e)}', other
    return None, other


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


def run_one(path: Path, timeout: int, kernel: str, tmp: Path, mutants: dict):
    "Execute `path` in a fresh kernel from its folder, testing its exercises' checks; return (error or None, seconds, warnings, note)."
    nb = nbformat.read(path, as_version=4)
    wrong = {n: src for (stem, n), src in mutants.items() if stem == path.stem}
    try: found, ex_err = exercises(nb), None
    except ValueError as e: found, ex_err = {}, f'{e}'
    missing, extra = sorted(set(found) - set(wrong)), sorted(set(wrong) - set(found))
    if missing or extra: ex_err = 'tools/exercise_mutants.py ' + '; '.join(
        ([f'has no wrong answer for exercise(s) {missing}: add one that its check must reject'] if missing else []) +
        ([f'has wrong answers for exercise(s) {extra}, which this notebook does not have'] if extra else []))
    unchecked = [n for n, (_, checks) in found.items() if not checks]
    if unchecked: ex_err = f'exercise(s) {unchecked} have no check cell (no test_...( or assert after the reference solution)'
    # the cell after which the exercises are tested (None: not tested, the notebook still runs)
    last = None if ex_err else max((checks[-1] for _, checks in found.values()), default=None)
    env = {**os.environ, 'TMPDIR': str(tmp), 'PYDEVD_DISABLE_FILE_VALIDATION': '1'}
    env.pop('MPLBACKEND', None)  # the inline backend, as in JupyterLab
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, resources={'metadata': {'path': str(path.parent)}},
                            allow_errors=False, record_timing=False, extra_arguments=['--log-level=ERROR'])
    start, err, note = time.time(), None, None
    try:
        client.reset_execution_trackers()
        with client.setup_kernel(env=env):
            for index, cell in enumerate(list(nb.cells)):
                client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                if index == last:   # the exercises have run and passed: now each check must reject a wrong answer
                    t0 = time.time()
                    try: ex_err, other = check_exercises(client, nb, found, wrong)
                    except CellTimeoutError: ex_err = f'while testing the exercises, a cell ran over {timeout} s'; break
                    except DeadKernelError as e: ex_err = f'while testing the exercises, the kernel died: {e}'; break
                    if not ex_err: note = f'exercises: {len(found)} check{"s" * (len(found) != 1)} reject{"s" * (len(found) == 1)} a wrong answer ({time.time() - t0:.0f} s)' + \
                        ''.join(f'; exercise {n}\'s wrong answer rejected by a {name}, not an AssertionError' for n, name in other.items())
    except CellTimeoutError as e: err = f'a cell ran over {timeout} s: {str(e).strip().splitlines()[-1]}'
    except CellExecutionError as e:
        idx = next((i for i, c in enumerate(nb.cells) if any(o.get('output_type') == 'error' for o in c.get('outputs', []))), None)
        err = f'{e.ename}: {e.evalue}'
        if idx is not None:
            src = '\n'.join('      | ' + l for l in nb.cells[idx].source.splitlines()[:6])
            printed = ''.join(o.get('text', '') for o in nb.cells[idx].get('outputs', []) if o.get('output_type') == 'stream')
            shown = '\n'.join('      > ' + l for l in printed[-2000:].splitlines())   # what the cell printed before failing
            err = f'cell {idx} (id {nb.cells[idx].get("id")}): {err}\n{src}' + (f'\n    the cell printed (its end):\n{shown}' if printed else '')
    except DeadKernelError as e: err = f'the kernel died: {e}'
    err = '\n    '.join(e for e in (ex_err, err) if e) or None   # the exercises' first: later cells ran in the state they left
    secs = time.time() - start
    left = sorted(str(p.relative_to(tmp)) for p in tmp.rglob('*') if not _torch_cache(p))
    cache = [(-1, f"a library made its own reused {p.name} (not counted as left behind)") for p in tmp.iterdir() if _torch_cache(p)]
    if left and err is None: err = f'left {len(left)} file(s) in its temporary folder: {", ".join(left[:5])}'
    for p in tmp.iterdir(): shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
    return err, secs, stderr_warnings(nb) + cache, note


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--path', default=None, help='a notebook or a folder, e.g. nbs_zh/ (default: every notebook in nbs/)')
    ap.add_argument('--timeout', type=int, default=600, help='seconds one cell may run')
    ap.add_argument('--kernel', default='python3', help='the Jupyter kernel to run the notebooks in')
    args = ap.parse_args()
    files = notebooks(args.path)
    if not files:
        print('No notebook was found to run: failing.'); print('0 passed, 0 failed'); sys.exit(1)
    before, start, failed = untracked(), time.time(), []
    try: mutants = load_mutants()
    except Exception as e: mutants, bad = {}, f'tools/exercise_mutants.py could not be read: {type(e).__name__}: {e}'
    else:   # on the whole of nbs/, as CI runs it: no wrong answer may name a notebook that is not there
        gone = sorted({stem for stem, _ in mutants} - {f.stem for f in notebooks(None)}) if files == notebooks(None) else []
        bad = f'tools/exercise_mutants.py has wrong answers for notebooks not in nbs/: {", ".join(gone)}' if gone else None
    if bad: print('FAIL ' + bad, flush=True); failed.append(bad)
    tmp = Path(tempfile.mkdtemp(prefix='run_notebooks-'))
    try:
        for f in files:
            err, secs, warns, note = run_one(f, args.timeout, args.kernel, tmp, mutants)
            new = sorted(untracked() - before)
            if new and err is None: err = f'left new files in the repository: {", ".join(new[:5])}'
            before |= set(new)
            print(f"{'FAIL' if err else 'PASS'} {f.relative_to(ROOT) if f.is_relative_to(ROOT) else f} ({secs:.0f} s)", flush=True)
            if err: print('    ' + err, flush=True); failed.append(f)
            elif note: print('    ' + note, flush=True)
            for i, w in warns: print(f'    note: {w}' if i < 0 else f'    warning on stderr, cell {i}: {w}', flush=True)
    finally: shutil.rmtree(tmp, ignore_errors=True)
    print(f'total {time.time() - start:.0f} s for {len(files)} notebooks')
    print(f'{len(files) - len([f for f in failed if f in files])} passed, {len(failed)} failed')
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
