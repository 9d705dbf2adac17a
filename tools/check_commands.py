"""Run every shell command the course shows, so that the documentation cannot drift from the code.

Commands are taken from ```bash (or sh/shell) blocks in the notebooks' markdown cells and in README.md, run from the
repository root, and from `!` lines in code cells, run from nbs/. Each must exit with status 0 (every command
shown is documented as working). The tools use the bundled model; `clip_*` commands find the console scripts of
the Python running this file. HOME, TMPDIR and CLIP_NBDEV_CACHE point into a temporary folder that is removed
at the end, and `git status --porcelain` must not change (run it in a clean clone, as CI does: in a working tree
shared with other people, their edits meanwhile count too). The README's ```python blocks are also
run, in order, in one fresh process from the repository root. Usage, from the repository root:

    .venv/bin/python tools/check_commands.py
    .venv/bin/python tools/check_commands.py --list     # print the commands and what would be skipped, run nothing

Commands that cannot run here are skipped only through SKIP below, each with its reason, printed when skipped.
"""
import json, os, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r'^```(bash|sh|shell)[ \t]*\n(.*?)^```', re.M | re.S)
PYFENCE = re.compile(r'^```python[ \t]*\n(.*?)^```', re.M | re.S)

# (regular expression searched in the command, why it is skipped)
SKIP = [
    (r'python3 -m venv \.venv', "creates .venv and installs from the package index; CI's step 1 runs the Quick start's "
                                 "set-up command verbatim in a fresh clone"),
    (r'tools/run_tests\.py$', "every notebook's tests: CI's step 2 runs this command verbatim"),
    (r'tools/run_tests\.py --flags slow', 'every notebook with the slow cells: tens of minutes (opt-in, not CI)'),
    (r'bash \.ci/run', 'CI itself (this checker is one of its steps)'),
    (r'\btorchrun\b', 'torchrun with several processes, GPUs or machines (chapter 9 tests 2 CPU processes itself)'),
    (r'jupyter lab|http\.server|nbdev_preview', 'starts a server that runs until stopped'),
    (r'nbdev_docs\b', "needs quarto, which the project does not install (tools/build_docs.py builds the docs instead)"),
    (r'nbdev_install_hooks', "installs git hooks into the clone's .git/config"),
    (r'tools/(build_docs|check_site)\.py', "CI's docs step runs it"),
    (r'--output clip_nbdev/weights/synthetic-tiny\.pt', 'retrains the bundled model for minutes and overwrites the '
                                                         'shipped weights (chapter 10 runs the same recipe, opt-in)'),
]


def shell_lines(text: str) -> list:
    "The commands of a shell block: comment lines dropped, backslash continuations joined."
    out, cur = [], ''
    for line in text.splitlines():
        if not cur and (not line.strip() or line.lstrip().startswith('#')): continue
        cur += line.rstrip()
        if cur.endswith('\\'): cur = cur[:-1] + ' '; continue
        out.append(cur.strip()); cur = ''
    if cur.strip(): out.append(cur.strip())
    return out


def commands() -> list:
    "(command, working folder, where it is shown) for every shell command in the notebooks and the README, once each."
    found = []
    for nb_path in sorted((ROOT / 'nbs').glob('*.ipynb')):
        for i, cell in enumerate(json.loads(nb_path.read_text(encoding='utf-8'))['cells']):
            src = ''.join(cell['source'])
            where = f'{nb_path.relative_to(ROOT)} cell {i}'
            if cell['cell_type'] == 'markdown':
                found += [(c, ROOT, where) for m in FENCE.finditer(src) for c in shell_lines(m.group(2))]
            elif cell['cell_type'] == 'code':
                found += [(l.lstrip()[1:].strip(), ROOT / 'nbs', where) for l in src.splitlines() if l.lstrip().startswith('!')]
    readme = (ROOT / 'README.md').read_text(encoding='utf-8')
    found += [(c, ROOT, 'README.md') for m in FENCE.finditer(readme) for c in shell_lines(m.group(2))]
    seen, unique = set(), []
    for cmd, cwd, where in found:
        if (cmd, cwd) not in seen: seen.add((cmd, cwd)); unique.append((cmd, cwd, where))
    return unique


def skip_reason(cmd: str):
    return next((why for pattern, why in SKIP if re.search(pattern, cmd)), None)


def repo_state() -> set:
    r = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=all'], cwd=ROOT, capture_output=True, text=True)
    return set(r.stdout.splitlines())


def main():
    todo = commands()
    if '--list' in sys.argv:
        for cmd, cwd, where in todo: print(f"{'SKIP' if skip_reason(cmd) else 'RUN '} [{where}] {cmd}")
        return
    tmp = Path(tempfile.mkdtemp(prefix='check_commands-'))
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, 'HOME': str(tmp), 'TMPDIR': str(tmp), 'CLIP_NBDEV_CACHE': str(tmp / 'cache'),
           'PATH': bin_dir + os.pathsep + os.environ.get('PATH', ''), 'MPLBACKEND': 'Agg'}
    before, failed, n_run, start = repo_state(), [], 0, time.time()
    try:
        for cmd, cwd, where in todo:
            why = skip_reason(cmd)
            if why: print(f'SKIP [{where}] {cmd}\n     because: {why}', flush=True); continue
            t = time.time()
            r = subprocess.run(['bash', '-c', cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
            n_run += 1
            print(f"{'OK  ' if r.returncode == 0 else 'FAIL'} [{where}] {cmd}  (rc {r.returncode}, {time.time() - t:.0f} s)", flush=True)
            if r.returncode != 0:
                failed.append(cmd); print('     ' + '\n     '.join((r.stdout + r.stderr).strip().splitlines()[-8:]))
        blocks = PYFENCE.findall((ROOT / 'README.md').read_text(encoding='utf-8'))
        if blocks:
            t = time.time()
            r = subprocess.run([sys.executable, '-c', '\n'.join(blocks)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
            n_run += 1
            print(f"{'OK  ' if r.returncode == 0 else 'FAIL'} [README.md] its {len(blocks)} python blocks, from the repository root "
                  f"(rc {r.returncode}, {time.time() - t:.0f} s)")
            if r.returncode != 0: failed.append('README python'); print('     ' + '\n     '.join(r.stderr.strip().splitlines()[-8:]))
        changed = sorted(repo_state() - before)
        if changed: failed.append('repository changed'); print('FAIL the commands changed the repository: ' + '; '.join(changed))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f'{n_run} commands run, {len(todo) - n_run + bool(blocks)} skipped, {len(failed)} failed ({time.time() - start:.0f} s)')
    sys.exit(1 if failed or not n_run else 0)


if __name__ == '__main__':
    main()
