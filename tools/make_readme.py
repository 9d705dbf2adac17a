"""Write README.md from nbs/index.ipynb, offline (nbdev's own README step needs quarto, which is unavailable).

    .venv/bin/python tools/make_readme.py          # regenerate README.md
    .venv/bin/python tools/make_readme.py --check  # exit 1 if README.md is not up to date

Hidden cells (`#| hide`) are dropped, `#|` directive lines are removed, and stored outputs are kept, so
execute the notebook (e.g. in JupyterLab) before regenerating when its code changed.

The notebook runs from `nbs/`, the README's readers from the repository root: in code cells, quoted paths that
start with `../` (`"../data/shapes/red_circle.png"`) are written without it (`"data/shapes/red_circle.png"`).
README.zh.md is written the same way from nbs_zh/index.ipynb, by `tools/i18n.py build zh` (which uses `render`).
"""
import copy, re, sys
from pathlib import Path

import nbformat
from nbconvert import MarkdownExporter

ROOT = Path(__file__).resolve().parent.parent
DIRECTIVE = re.compile(r'^\s*#\s*\|')
PARENT_PATH = re.compile(r'''(["'])\.\./''')  # a quoted path relative to nbs/


def render(nb=ROOT / 'nbs' / 'index.ipynb', sources='nbs/index.ipynb', tool='tools/make_readme.py',
           edit='the notebook') -> str:
    "The README's text from a notebook (a path or a notebook); the header comment names its sources and tool."
    nb = copy.deepcopy(nb if isinstance(nb, nbformat.NotebookNode) else nbformat.read(nb, as_version=4))
    cells = []
    for cell in nb.cells:
        lines = cell.source.splitlines()
        directives = [l for l in lines if DIRECTIVE.match(l)]
        if cell.cell_type == 'code' and any(re.search(r'\|\s*hide\b', d) for d in directives): continue
        cell.source = '\n'.join(l for l in lines if not DIRECTIVE.match(l)).strip('\n')
        if cell.cell_type == 'code' and not cell.source: continue
        if cell.cell_type == 'code': cell.source = PARENT_PATH.sub(r'\1', cell.source)  # paths from the repository root
        cells.append(cell)
    nb.cells = cells
    nb.metadata['language_info'] = {'name': 'python'}  # fences code as ```python
    body, _ = MarkdownExporter(exclude_raw=True).from_notebook_node(nb)
    body = re.sub(r'\n{3,}', '\n\n', body).strip() + '\n'
    return f'<!-- Generated from {sources} by {tool}: edit {edit}, not this file. -->\n\n' + body


def main():
    text, readme = render(), ROOT / 'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text(encoding='utf-8') != text:
            print('README.md is out of date with nbs/index.ipynb: run `.venv/bin/python tools/make_readme.py`.')
            sys.exit(1)
        print('README.md is up to date with nbs/index.ipynb.')
    else:
        readme.write_text(text, encoding='utf-8')
        print(f'wrote {readme}')


if __name__ == '__main__':
    main()
