"""Size and teaching share of each chapter, at the working tree or at a git revision.

    .venv/bin/python tools/chapter_stats.py               # the notebooks in nbs/
    .venv/bin/python tools/chapter_stats.py --rev 7f576b7 # the notebooks as committed at a revision

Per notebook: characters of cell sources (markdown and code, outputs not counted), the share that is markdown, the
*hardening share*, and the largest exported cell (lines). Hardening is text about refusing or surviving bad input
rather than about CLIP: in code, the lines of every `raise`, of an `if` whose body only raises or warns, of `try`'s
`except` handlers, and of every `test_fail(...)` or `warn(...)` call (found with `ast`); in markdown, a whole cell whose
text names an error, a refusal, an attack or a corrupted/unsafe input at least twice (the words in HARDENING). It is a
rough, mechanical reading, the same at every revision, so before/after comparisons are fair even where a single cell
is misjudged; the teaching share is 1 minus it.
"""
import argparse, ast, json, re, subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARDENING = re.compile(r'\b(refus\w*|errors?|raises?|malicious|attack\w*|unsafe|corrupt\w*|truncated|atomic\w*|'
                       r'crash\w*|kill -9|pickle|unpickl\w*|zip bomb|traceback|misuse|bad input|invalid)\b', re.I)


def notebooks(rev):
    if rev is None:
        return {p.name: json.loads(p.read_text(encoding='utf-8')) for p in sorted((ROOT / 'nbs').glob('*.ipynb'))}
    names = subprocess.run(['git', 'ls-tree', '--name-only', rev, 'nbs/'], capture_output=True, text=True, cwd=ROOT,
                           check=True).stdout.split()
    return {Path(n).name: json.loads(subprocess.run(['git', 'show', f'{rev}:{n}'], capture_output=True, text=True,
                                                    cwd=ROOT, check=True).stdout)
            for n in names if n.endswith('.ipynb')}


def hardening_lines(src: str) -> set:
    "Line numbers (1-based) of `src` that refuse or survive bad input."
    lines = [l if not l.lstrip().startswith(('#|', '%', '!')) else '' for l in src.splitlines()]
    try: tree = ast.parse('\n'.join(lines))
    except SyntaxError: return set()
    found = set()
    def span(n): found.update(range(n.lineno, n.end_lineno + 1))
    def only_refuses(body): return all(isinstance(b, ast.Raise) or (isinstance(b, ast.Expr) and isinstance(b.value, ast.Call)
                                       and getattr(b.value.func, 'attr', getattr(b.value.func, 'id', '')) == 'warn') for b in body)
    for n in ast.walk(tree):
        if isinstance(n, ast.Raise): span(n)
        elif isinstance(n, ast.If) and only_refuses(n.body) and not n.orelse: span(n)
        elif isinstance(n, ast.ExceptHandler): span(n)
        elif isinstance(n, ast.Call) and getattr(n.func, 'attr', getattr(n.func, 'id', '')) in ('test_fail', 'warn', 'test_warns'): span(n)
    return found


def stats(nb):
    total = md = hard = 0; largest = 0
    for c in nb['cells']:
        src = ''.join(c['source']); n = len(src); total += n
        if c['cell_type'] == 'markdown':
            md += n
            if len(HARDENING.findall(src)) >= 2: hard += n
        elif c['cell_type'] == 'code':
            bad = hardening_lines(src); lines = src.splitlines()
            hard += sum(len(lines[i - 1]) + 1 for i in bad if i <= len(lines))
            if re.match(r'\s*#\|\s*export', src): largest = max(largest, len(src.strip().splitlines()))
    return total, md, hard, largest


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--rev', help='a git revision (default: the working tree)')
    args = ap.parse_args()
    print(f"{'notebook':22} {'chars':>7} {'markdown':>8} {'teaching':>8} {'largest export':>14}")
    for name, nb in notebooks(args.rev).items():
        total, md, hard, largest = stats(nb)
        print(f'{name:22} {total:7,} {md / total:8.0%} {1 - hard / total:8.0%} {largest:10} lines')


if __name__ == '__main__':
    main()
