"""Test tools/i18n.py on a throw-away project: a toy notebook (built here with nbformat) and a copy of one real notebook.

    .venv/bin/python tools/test_i18n.py      # prints each thing it checked; exits 1 on the first failure

Proves: `check` passes on a fully translated, built toy notebook; editing an English markdown cell without its
translation fails, naming the notebook and the cell id; `stamp` after updating the translation fixes it; a missing
translation fails; an orphan entry fails; an out-of-date, missing or extra file in nbs_zh/ fails; code and raw cells are
byte-identical in the build (outputs and metadata too), the README link is rewritten, `insert_after` cells land after
their anchor, and a built notebook is written as nbdev writes notebooks; `sync` leaves translations alone.
"""
import contextlib, io, json, shutil, subprocess, sys, tempfile
from pathlib import Path

import nbformat

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
sys.path.insert(0, str(TOOLS))
import i18n  # noqa: E402

CHECKED = []


def ok(what):
    CHECKED.append(what); print('ok  ', what, flush=True)


def run(root, *args) -> tuple:
    "tools/i18n.py in this process: (exit status, what it printed)."
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try: rc = i18n.main([*args, '--root', str(root)])
        except SystemExit as e: rc = e.code if isinstance(e.code, int) else 1
    return rc, out.getvalue()


def expect(root, args, rc, *contains, absent=()):
    got, out = run(root, *args)
    assert got == rc, f'{" ".join(args)}: exit {got}, expected {rc}; it printed:\n{out}'
    for s in contains: assert s in out, f'{" ".join(args)}: {s!r} not in its output:\n{out}'
    for s in absent: assert s not in out, f'{" ".join(args)}: {s!r} in its output:\n{out}'
    return out


def toy_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}}
    code = nbformat.v4.new_code_cell("#| export\nx = 1 + 1\nprint('héllo', x)", id='c0de0001', execution_count=3)
    code.outputs = [nbformat.v4.new_output('stream', name='stdout', text='héllo 2\n'),
                    nbformat.v4.new_output('execute_result', data={'text/plain': '2'}, execution_count=3)]
    code.metadata = {'hide_input': True}
    nb.cells = [nbformat.v4.new_markdown_cell('# A toy chapter\n> Its description', id='md000001'),
                nbformat.v4.new_code_cell('#| default_exp toy', id='c0de0000'),
                nbformat.v4.new_markdown_cell('The **encoder** maps text to a vector; see [the README](README.md).', id='md000002'),
                code,
                nbformat.v4.new_raw_cell('raw, never translated', id='raw00001'),
                nbformat.v4.new_markdown_cell('## Summary\n\nShapes: `(B, 77)`, $x^2$.', id='md000003')]
    return nb


ZH = {'md000001': '# 一个玩具章节\n> 它的简介', 'md000002': '编码器 (encoder) 把文本映射为向量；见 [README](README.md)。',
      'md000003': '## 小结\n\n形状：`(B, 77)`，$x^2$。'}


def cell_text(cell: dict) -> str:
    "A cell's bytes as they stand in a notebook file written as nbdev writes it."
    return '\n'.join('  ' + l for l in json.dumps(cell, sort_keys=True, indent=1, ensure_ascii=False).splitlines())


def write_nb(path: Path, nb):
    path.write_text(i18n.nb2str(json.loads(nbformat.writes(nb))), encoding='utf-8')  # as nbdev writes it


def translate(root: Path, stem: str, zh: dict):
    "Fill the `zh` of a synced catalog (as a translator does, by editing the YAML) and stamp the entries."
    import yaml
    path = root / 'nbs' / 'i18n' / 'zh' / f'{stem}.yml'
    data = yaml.load(path.read_text(encoding='utf-8'), Loader=yaml.BaseLoader)
    for cid, text in zh.items(): data['cells'][cid]['zh'] = text
    head = ''.join(l for l in path.read_text(encoding='utf-8').splitlines(True) if l.startswith('# '))
    path.write_text(head + yaml.dump(data, Dumper=i18n.BlockDumper, allow_unicode=True, sort_keys=False, width=1 << 16), encoding='utf-8')


def main():
    real = 'A0_utils'   # a real notebook of the course, copied with its catalog when there is one
    with tempfile.TemporaryDirectory(prefix='test_i18n-') as tmp:
        root = Path(tmp)
        (root / 'nbs' / 'fixtures').mkdir(parents=True)
        write_nb(root / 'nbs' / '01_toy.ipynb', toy_notebook())
        index = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('# toy\n> A toy course', id='ix000001'),
                                                nbformat.v4.new_code_cell('print("../data/x.png")', id='ix000002')])
        index.metadata = {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}}
        write_nb(root / 'nbs' / 'index.ipynb', index)
        zh_index = {'ix000001': '# 玩具\n> 一门玩具课程'}

        # sync: skeleton catalogs, entries in notebook order, empty zh
        expect(root, ['sync', 'zh'], 0, 'nbs/i18n/zh/01_toy.yml: 3 entries added')
        text = (root / 'nbs/i18n/zh/01_toy.yml').read_text(encoding='utf-8')
        assert text.startswith('# 中文译文: nbs/01_toy.ipynb.'), text
        assert text.index('md000001') < text.index('md000002') < text.index('md000003'), text
        expect(root, ['check', 'zh'], 1, '01_toy md000002 missing: The **encoder**', 'nbs_zh/01_toy.ipynb: missing')
        ok('sync writes a skeleton catalog in notebook order; check fails on missing translations and an unbuilt nbs_zh/')

        translate(root, '01_toy', ZH); translate(root, 'index', zh_index)
        text = (root / 'nbs/i18n/zh/01_toy.yml').read_text(encoding='utf-8')
        assert 'zh: |-\n      # 一个玩具章节\n      > 它的简介' in text, text
        expect(root, ['sync', 'zh'], 0)
        assert (root / 'nbs/i18n/zh/01_toy.yml').read_text(encoding='utf-8') == text, 'sync changed a translated catalog'
        ok('translations are block scalars (|-) in UTF-8; sync leaves translations alone')

        expect(root, ['build', 'zh'], 0, 'built nbs_zh/ (2 notebooks) and README.zh.md')
        out = expect(root, ['check', 'zh'], 0, 'zh: 4/4 markdown cells translated', 'no glossary')
        ok(f'check passes on a fully translated, built toy project: {out.strip().splitlines()[-1]}')

        # the build: code and raw cells byte for byte, markdown translated, README link rewritten, fixtures linked
        en_text = (root / 'nbs/01_toy.ipynb').read_text(encoding='utf-8')
        zh_text = (root / 'nbs_zh/01_toy.ipynb').read_text(encoding='utf-8')
        en, zh = json.loads(en_text), json.loads(zh_text)
        assert [c['id'] for c in en['cells']] == [c['id'] for c in zh['cells']]
        for a, b in zip(en['cells'], zh['cells']):
            if a['cell_type'] != 'markdown':
                assert cell_text(a) in zh_text and cell_text(a) in en_text, a['id']
                assert a == b, a['id']
        assert en['metadata'] == zh['metadata']
        assert ''.join(zh['cells'][2]['source']) == ZH['md000002'].replace('](README.md)', '](README.zh.md)')
        assert zh_text == i18n.nb2str(zh), 'not written as nbdev writes notebooks'
        assert (root / 'nbs_zh/fixtures').is_symlink() and str((root / 'nbs_zh/fixtures').readlink()) == '../nbs/fixtures'
        readme = (root / 'README.zh.md').read_text(encoding='utf-8')
        assert '# 玩具' in readme and 'print("data/x.png")' in readme and 'tools/i18n.py build zh' in readme, readme
        ok('build: code and raw cells byte-identical (outputs, metadata), links to README.zh.md, fixtures symlink, README.zh.md')

        nbdev_clean = REPO / '.venv' / 'bin' / 'nbdev_clean'
        if nbdev_clean.exists():
            shutil.copy(REPO / 'settings.ini', root / 'settings.ini')
            subprocess.run([str(nbdev_clean), '--fname', str(root / 'nbs_zh/01_toy.ipynb')], cwd=root, check=True, capture_output=True)
            # nbdev_clean drops what nbdev's settings do not allow (the toy's hide_input is allowed); compare after cleaning English
            subprocess.run([str(nbdev_clean), '--fname', str(root / 'nbs/01_toy.ipynb')], cwd=root, check=True, capture_output=True)
            expect(root, ['build', 'zh'], 0)
            before = (root / 'nbs_zh/01_toy.ipynb').read_text(encoding='utf-8')
            subprocess.run([str(nbdev_clean), '--fname', str(root / 'nbs_zh/01_toy.ipynb')], cwd=root, check=True, capture_output=True)
            assert (root / 'nbs_zh/01_toy.ipynb').read_text(encoding='utf-8') == before, 'nbdev_clean changed a built notebook'
            (root / 'settings.ini').unlink()
            expect(root, ['check', 'zh'], 0)
            ok('nbdev_clean leaves a built notebook unchanged')

        # insert_after: a Chinese-only cell after its anchor, with a deterministic id
        cat = root / 'nbs/i18n/zh/01_toy.yml'
        cat.write_text(cat.read_text(encoding='utf-8') + 'insert_after:\n  md000002: |-\n    译注：只有中文版有这一段。\n', encoding='utf-8')
        expect(root, ['check', 'zh'], 1, 'nbs_zh/01_toy.ipynb: differs from what')
        expect(root, ['build', 'zh'], 0)
        zh = json.loads((root / 'nbs_zh/01_toy.ipynb').read_text(encoding='utf-8'))
        assert [c['id'] for c in zh['cells']][2:4] == ['md000002', 'zh-md000002'], [c['id'] for c in zh['cells']]
        expect(root, ['check', 'zh'], 0)
        ok('insert_after adds a cell (id zh-md000002) after its anchor; check wants it built')

        # the English changes under a translation: stale, named by notebook and cell id, until stamped
        nb = nbformat.read(root / 'nbs/01_toy.ipynb', as_version=4)
        nb.cells[2].source = nb.cells[2].source.replace('a vector', 'a unit vector')
        write_nb(root / 'nbs/01_toy.ipynb', nb)
        expect(root, ['check', 'zh'], 1, '01_toy md000002 stale: The **encoder** maps text to a unit vector')
        out = expect(root, ['todo', 'zh'], 0, '=== 01_toy md000002 (stale)', '编码器 (encoder)', absent=['md000001'])
        ok('editing the English of a translated cell makes check fail naming 01_toy and md000002 (todo lists it)')
        expect(root, ['stamp', 'zh', '01_toy', 'nope0000'], 1, 'not a markdown cell')
        translate(root, '01_toy', {'md000002': '编码器 (encoder) 把文本映射为单位向量；见 [README](README.md)。'})
        expect(root, ['stamp', 'zh', '01_toy', 'md000002'], 0, '1 entry stamped')
        expect(root, ['check', 'zh'], 1, 'nbs_zh/01_toy.ipynb: differs from what')   # stamped, but not built yet
        ok('stamp after updating the translation makes the catalog current; nbs_zh out of date fails check')
        expect(root, ['build', 'zh'], 0)
        expect(root, ['check', 'zh'], 0)
        ok('after build, check passes again')

        # a missing translation: a new markdown cell, and an emptied entry (stamp refuses it)
        nb = nbformat.read(root / 'nbs/01_toy.ipynb', as_version=4)
        nb.cells.insert(3, nbformat.v4.new_markdown_cell('A new paragraph.', id='md000009'))
        write_nb(root / 'nbs/01_toy.ipynb', nb)
        expect(root, ['check', 'zh'], 1, '01_toy md000009 missing: A new paragraph.')
        expect(root, ['sync', 'zh', '01_toy'], 0, '1 entry added')
        expect(root, ['stamp', 'zh', '01_toy', 'md000009'], 1, 'md000009: its zh is empty: refused')
        expect(root, ['check', 'zh'], 1, '01_toy md000009 missing')
        translate(root, '01_toy', {'md000009': '新的一段。'})
        expect(root, ['stamp', 'zh', '01_toy', '--all'], 0)
        expect(root, ['build', 'zh'], 0); expect(root, ['check', 'zh'], 0)
        ok('a missing translation fails (new cell; stamp refuses an empty zh); translated, stamped and built it passes')

        # an orphan: the English cell is gone
        nb = nbformat.read(root / 'nbs/01_toy.ipynb', as_version=4)
        del nb.cells[3]
        write_nb(root / 'nbs/01_toy.ipynb', nb)
        expect(root, ['build', 'zh'], 0)
        expect(root, ['check', 'zh'], 1, '01_toy md000009 orphan')
        expect(root, ['sync', 'zh'], 0, '01_toy md000009: orphan dropped')
        expect(root, ['check', 'zh'], 0)
        ok('an orphan entry fails check; sync drops it (and says so)')

        # nbs_zh/ must be exactly what build writes: edited, extra and missing files fail
        f = root / 'nbs_zh/01_toy.ipynb'
        f.write_text(f.read_text(encoding='utf-8').replace('"x = 1 + 1', '"x = 1 + 2'), encoding='utf-8')   # edited by hand
        expect(root, ['check', 'zh'], 1, 'nbs_zh/01_toy.ipynb: differs from what')
        expect(root, ['build', 'zh'], 0)
        (root / 'nbs_zh/99_gone.ipynb').write_text('{}', encoding='utf-8')
        expect(root, ['check', 'zh'], 1, 'nbs_zh/99_gone.ipynb: extra')
        (root / 'nbs_zh/99_gone.ipynb').unlink(); (root / 'nbs_zh/index.ipynb').unlink()
        expect(root, ['check', 'zh'], 1, 'nbs_zh/index.ipynb: missing')
        expect(root, ['build', 'zh'], 0)
        (root / 'README.zh.md').write_text('old', encoding='utf-8')
        expect(root, ['check', 'zh'], 1, 'README.zh.md: differs')
        expect(root, ['build', 'zh'], 0); expect(root, ['check', 'zh'], 0)
        ok('a notebook of nbs_zh/ edited by hand, an extra or a missing one, or an out-of-date README.zh.md, fails check')

        # a catalog that does not parse; an orphan catalog
        cat.write_text(cat.read_text(encoding='utf-8') + 'cells: [\n', encoding='utf-8')
        expect(root, ['check', 'zh'], 1, 'does not parse')
        expect(root, ['build', 'zh'], 1, 'not built')
        expect(root, ['sync', 'zh'], 1, 'left as it is')
        cat.write_text(cat.read_text(encoding='utf-8').replace('cells: [\n', ''), encoding='utf-8')
        (root / 'nbs/i18n/zh/02_gone.yml').write_text('cells: {}\n', encoding='utf-8')
        expect(root, ['check', 'zh'], 1, 'orphan catalog nbs/i18n/zh/02_gone.yml')
        (root / 'nbs/i18n/zh/02_gone.yml').unlink()
        ok('a catalog that does not parse fails check, build and sync; a catalog without its notebook fails check')

        # glossary warnings (exit 0)
        (root / 'nbs/i18n/zh/glossary.md').write_text('| English | 中文 | 章节 |\n|---|---|---|\n| encoder | 编码器 | 01_toy |\n'
                                                      '| summary | 总结 | 01_toy |\n', encoding='utf-8')
        out = expect(root, ['check', 'zh'], 0, 'glossary term "summary" not rendered as "总结"', absent=['"encoder"', 'no glossary'])
        ok('glossary: a term rendered differently is a warning, not a failure')
        (root / 'nbs/i18n/zh/glossary.md').write_text('| English | 中文 | 章节 |\n|---|---|---|\n| summary | 总结 / 小结 | 01_toy |\n'
                                                      '| unit vector | 单位向量 | 01_toy |\n| vector | 矢量 | 01_toy |\n', encoding='utf-8')
        expect(root, ['check', 'zh'], 0, '0 warning(s)', absent=['"summary"', '"vector"', '"unit vector"'])
        (root / 'nbs/i18n/zh/glossary.md').write_text('| English | 中文 | 章节 |\n|---|---|---|\n| vector | 矢量 | 01_toy |\n', encoding='utf-8')
        expect(root, ['check', 'zh'], 0, 'glossary term "vector" not rendered as "矢量"')
        ok('glossary: a term with several senses accepts any of its renderings (`总结 / 小结`); a term inside a longer one (`vector` in `unit vector`) is checked as the longer one')

        # a real notebook of the course: code cells byte-identical, untranslated prose kept in English
        shutil.copy(REPO / 'nbs' / f'{real}.ipynb', root / 'nbs')
        if (REPO / 'nbs/i18n/zh' / f'{real}.yml').exists(): shutil.copy(REPO / 'nbs/i18n/zh' / f'{real}.yml', root / 'nbs/i18n/zh')
        expect(root, ['sync', 'zh', real], 0)
        expect(root, ['build', 'zh'], 0)
        en = json.loads((root / 'nbs' / f'{real}.ipynb').read_text(encoding='utf-8'))
        zh_text = (root / 'nbs_zh' / f'{real}.ipynb').read_text(encoding='utf-8')
        zh = json.loads(zh_text)
        en_code = [c for c in en['cells'] if c['cell_type'] != 'markdown']
        zh_code = [c for c in zh['cells'] if c['cell_type'] != 'markdown']
        assert en_code == zh_code and all(cell_text(c) in zh_text for c in en_code)
        rc, out = run(root, 'check', 'zh')   # its translation may be under way: only its own cells may be reported
        lines = [l for l in out.strip().splitlines()[:-1] if not l.startswith(('warning:', 'note:'))]
        assert all(l.startswith(f'{real} ') for l in lines) and rc == (1 if lines else 0), out
        ok(f'nbs/{real}.ipynb: its {len(en_code)} code cells are byte-identical in nbs_zh/; check: {out.strip().splitlines()[-1]}')

        # the command line itself exits non-zero on a problem
        r = subprocess.run([sys.executable, str(TOOLS / 'i18n.py'), 'check', 'zh', '--root', str(root)], capture_output=True, text=True)
        assert r.returncode in (0, 1) and (r.returncode == 1) == (' 0 problem(s)' not in r.stdout), r.stdout + r.stderr
        ok(f'the command line exits {r.returncode} with the same report')
    print(f'test_i18n: {len(CHECKED)} checks passed')


if __name__ == '__main__':
    try: main()
    except AssertionError as e:
        print('FAIL', e); sys.exit(1)
