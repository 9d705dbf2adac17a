"""Translations of the course's prose: catalogs in `nbs/i18n/<lang>/`, built into `nbs_<lang>/` and `README.<lang>.md`.

    .venv/bin/python tools/i18n.py sync zh [NB ...]            # an entry for every markdown cell (empty `zh`), orphans dropped
    .venv/bin/python tools/i18n.py todo zh [NB ...]            # what is missing or stale, with the English (and its diff)
    .venv/bin/python tools/i18n.py stamp zh NB ID [ID ...]     # these translations are up to date with the English now
    .venv/bin/python tools/i18n.py stamp zh [NB ...] --all     # every translated entry (of these notebooks) is up to date
    .venv/bin/python tools/i18n.py build zh                    # write nbs_zh/*.ipynb and README.zh.md
    .venv/bin/python tools/i18n.py check zh                    # exit 1 on anything missing, stale, orphan or not built

`--root DIR` (before or after the command) works on another copy of the project (tools/test_i18n.py uses it).
NB is a notebook's stem (`01_tokenizer`), file name or path.

The catalog of `nbs/<stem>.ipynb` is `nbs/i18n/<lang>/<stem>.yml` (the format is fixed: see the module's CATALOG_HEAD):
one entry per markdown cell, keyed by the cell's id, in notebook order, with `source` (the first 16 hex digits of the
sha256 of the English cell's source the translation was made from) and `<lang>` (the translation; empty: missing);
`insert_after` maps a cell id to a markdown cell that only the translated notebook has, placed after that cell.
`sync` and `stamp` rewrite a catalog in this layout: comments other than its two-line head are not kept.

The translated notebook is the English one with each translated markdown cell's source replaced (the English stays
where there is no translation yet), the `insert_after` cells added (id `<lang>-<anchor id>`), links to `README.md`
pointing at `README.<lang>.md`, and every code and raw cell byte for byte as in English (outputs and metadata too);
it is written as nbdev writes notebooks, so `nbdev_clean` leaves it unchanged. `nbs_<lang>/fixtures` is a relative
symbolic link to `../nbs/fixtures`: the code cells read `fixtures/...` and `../data/...` from the notebook's folder.
"""
import argparse, difflib, hashlib, json, os, re, subprocess, sys, time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

CATALOG_HEAD = ("# {native}: nbs/{stem}.ipynb. One entry per markdown cell, keyed by the cell's id.\n"
                "# `source`: first 16 hex digits of sha256 of the English cell's source (UTF-8) the translation was made from.\n")
NATIVE = {'zh': '中文译文'}
HTML_LANG = {'zh': 'zh-CN'}
README_LINK = re.compile(r'\]\(README\.md(?=[)#\s])')
CJK = re.compile(r'[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]')
FENCE = re.compile(r'^(```+|~~~+)[^\n]*\n.*?^\1[ \t]*$', re.M | re.S)
SYMLINKS = {'fixtures': '../nbs/fixtures'}


class CatalogError(Exception): pass


def src_hash(source: str) -> str:
    "The first 16 hex digits of the sha256 of a cell's source (UTF-8)."
    return hashlib.sha256(source.encode('utf-8')).hexdigest()[:16]


def cell_source(cell) -> str:
    s = cell.get('source', '')
    return ''.join(s) if isinstance(s, list) else s


def first_line(text: str, width=80) -> str:
    line = next((l.strip() for l in text.splitlines() if l.strip()), '')
    return line if len(line) <= width else line[:width - 1] + '…'


def nb2str(nb: dict) -> str:
    "A notebook as nbdev (execnb's `write_nb`, used by `nbdev_clean`) writes it."
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + '\n'


class Project:
    def __init__(self, root: Path, lang: str):
        self.root, self.lang = Path(root).resolve(), lang
        self.nbs = self.root / 'nbs'
        self.cat_dir = self.nbs / 'i18n' / lang
        self.out = self.root / f'nbs_{lang}'
        self.readme = self.root / f'README.{lang}.md'
        self.glossary = self.cat_dir / 'glossary.md'
        self._nbs = {}

    def rel(self, p: Path) -> str:
        try: return str(Path(p).relative_to(self.root))
        except ValueError: return str(p)

    def notebooks(self) -> list:
        "The notebooks of nbs/ (not in subfolders; names starting with _ or . skipped), sorted."
        return sorted(p for p in self.nbs.glob('*.ipynb') if not p.name.startswith(('_', '.')))

    def notebook(self, arg: str) -> Path:
        "A notebook named by stem, file name or path."
        name = Path(arg).name
        p = self.nbs / (name if name.endswith('.ipynb') else name + '.ipynb')
        if not p.exists(): sys.exit(f'i18n: no notebook {self.rel(p)}')
        return p

    def read_nb(self, path: Path) -> tuple:
        "(the notebook's text, its JSON)"
        if path not in self._nbs:
            text = path.read_text(encoding='utf-8')
            self._nbs[path] = text, json.loads(text)
        return self._nbs[path]

    def catalog_path(self, nb: Path) -> Path:
        return self.cat_dir / f'{nb.stem}.yml'

    def load(self, nb: Path) -> dict:
        "The catalog of `nb` as {'cells': {id: {'source', 'zh'}}, 'insert_after': {id: text}}; empty if it has none."
        path = self.catalog_path(nb)
        if not path.exists(): return {'cells': {}, 'insert_after': {}}
        try: data = yaml.load(path.read_text(encoding='utf-8'), Loader=yaml.BaseLoader)  # every scalar a string
        except yaml.YAMLError as e: raise CatalogError(f'does not parse: {" ".join(str(e).split())}')
        if data in (None, ''): data = {}
        if not isinstance(data, dict): raise CatalogError('is not a mapping with `cells:`')
        extra = set(data) - {'cells', 'insert_after'}
        if extra: raise CatalogError(f'has unknown top-level key(s) {sorted(extra)} (only `cells` and `insert_after`)')
        cells, inserts = data.get('cells') or {}, data.get('insert_after') or {}
        if not isinstance(cells, dict): raise CatalogError('`cells` is not a mapping of cell ids')
        if not isinstance(inserts, dict): raise CatalogError('`insert_after` is not a mapping of cell ids')
        out = {}
        for cid, entry in cells.items():
            if entry in ('', None): entry = {}
            if not isinstance(entry, dict) or set(entry) - {'source', self.lang}:
                raise CatalogError(f'entry {cid} is not a mapping with `source` and `{self.lang}`')
            if not all(isinstance(v, str) for v in entry.values()):
                raise CatalogError(f'entry {cid}: `source` and `{self.lang}` must be text')
            out[cid] = {'source': entry.get('source', ''), self.lang: entry.get(self.lang, '')}
        for cid, text in inserts.items():
            if not isinstance(text, str): raise CatalogError(f'insert_after {cid} is not text')
        return {'cells': out, 'insert_after': dict(inserts)}

    def dump(self, nb: Path, cat: dict) -> str:
        "A catalog as YAML: the head, entries in notebook order, multi-line text as block scalars."
        order = {c.get('id'): i for i, c in enumerate(self.read_nb(nb)[1]['cells'])}
        key = lambda cid: (order.get(cid, len(order)), cid)
        cells = {cid: {'source': e['source'], self.lang: e[self.lang]} for cid, e in sorted(cat['cells'].items(), key=lambda kv: key(kv[0]))}
        text = CATALOG_HEAD.format(native=NATIVE.get(self.lang, self.lang), stem=nb.stem)
        text += yaml.dump({'cells': cells}, Dumper=BlockDumper, allow_unicode=True, sort_keys=False, width=1 << 16)
        if cat.get('insert_after'):
            inserts = dict(sorted(cat['insert_after'].items(), key=lambda kv: key(kv[0])))
            text += yaml.dump({'insert_after': inserts}, Dumper=BlockDumper, allow_unicode=True, sort_keys=False, width=1 << 16)
        return text

    def save(self, nb: Path, cat: dict):
        path = self.catalog_path(nb)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = self.dump(nb, cat)
        if not path.exists() or path.read_text(encoding='utf-8') != text: path.write_text(text, encoding='utf-8')

    # -- building ------------------------------------------------------------------------------------------------
    def translated(self, nb: Path, cat: dict) -> str:
        "The translated notebook's text."
        nb_json = json.loads(self.read_nb(nb)[0])
        cells = []
        for cell in nb_json['cells']:
            cid = cell.get('id')
            if cell['cell_type'] == 'markdown':
                text = cat['cells'].get(cid, {}).get(self.lang) or cell_source(cell)
                cell['source'] = self.md_lines(text)
            cells.append(cell)
            if cid in cat['insert_after'] and cat['insert_after'][cid]:
                cells.append({'cell_type': 'markdown', 'id': f'{self.lang}-{cid}', 'metadata': {},
                              'source': self.md_lines(cat['insert_after'][cid])})
        nb_json['cells'] = cells
        return nb2str(nb_json)

    def md_lines(self, text: str) -> list:
        return README_LINK.sub(f'](README.{self.lang}.md', text).splitlines(keepends=True)

    def readme_text(self, nb_text: str) -> str:
        "README.<lang>.md from the translated index notebook, as tools/make_readme.py writes README.md."
        import nbformat
        from make_readme import render
        nb = nbformat.reads(nb_text, as_version=4)
        sources = f'nbs/index.ipynb and nbs/i18n/{self.lang}/index.yml (through nbs_{self.lang}/index.ipynb)'
        return render(nb, sources=sources, tool=f'`tools/i18n.py build {self.lang}`', edit='the notebook and its catalog')

    def expected(self) -> tuple:
        "({file name in nbs_<lang>/: text}, README text or None, [catalog problems]); catalogs that fail are skipped."
        files, problems, index = {}, [], None
        for nb in self.notebooks():
            try: cat = self.load(nb)
            except CatalogError as e:
                problems.append(f'{self.rel(self.catalog_path(nb))}: {e}')
                cat = {'cells': {}, 'insert_after': {}}
            files[nb.name] = self.translated(nb, cat)
        readme = self.readme_text(files['index.ipynb']) if 'index.ipynb' in files else None
        return files, readme, problems


class BlockDumper(yaml.SafeDumper):
    "Multi-line text as a literal block scalar (`|-`), so that a translation reads and edits as Markdown."


def _str(dumper, s):
    return dumper.represent_scalar('tag:yaml.org,2002:str', s, style='|' if '\n' in s else None)


BlockDumper.add_representer(str, _str)


def nb_args(p: Project, names) -> list:
    return [p.notebook(n) for n in names] if names else p.notebooks()


def markdown_cells(p: Project, nb: Path) -> list:
    return [c for c in p.read_nb(nb)[1]['cells'] if c['cell_type'] == 'markdown']


def status(p: Project, nb: Path, cat: dict) -> tuple:
    "([(kind, id, English source)] for missing, stale and orphan entries, [(id, English, translation)] translated)"
    cells = p.read_nb(nb)[1]['cells']
    by_id = {c.get('id'): c for c in cells}
    bad, done = [], []
    for c in cells:
        if c['cell_type'] != 'markdown': continue
        cid, en = c.get('id'), cell_source(c)
        e = cat['cells'].get(cid)
        if not e or not e[p.lang].strip(): bad.append(('missing', cid, en))
        else:
            done.append((cid, en, e[p.lang]))
            if e['source'] != src_hash(en): bad.append(('stale', cid, en))
    for cid in cat['cells']:
        if cid not in by_id: bad.append(('orphan', cid, ''))
        elif by_id[cid]['cell_type'] != 'markdown': bad.append(('orphan', cid, f'(a {by_id[cid]["cell_type"]} cell) ' + cell_source(by_id[cid])))
    for cid in cat['insert_after']:
        if cid not in by_id: bad.append(('orphan insert_after', cid, ''))
    return bad, done


# -- commands --------------------------------------------------------------------------------------------------------
def cmd_sync(p: Project, args) -> int:
    rc = 0
    for nb in nb_args(p, args.notebooks):
        try: cat = p.load(nb)
        except CatalogError as e:
            print(f'{p.rel(p.catalog_path(nb))}: {e}: left as it is'); rc = 1; continue
        ids = {c.get('id') for c in markdown_cells(p, nb)}
        added = 0
        for c in markdown_cells(p, nb):
            if c.get('id') not in cat['cells']:
                cat['cells'][c.get('id')] = {'source': src_hash(cell_source(c)), p.lang: ''}; added += 1
        for cid in [cid for cid in cat['cells'] if cid not in ids]:
            print(f'{nb.stem} {cid}: orphan dropped: {first_line(cat["cells"][cid][p.lang])}')
            del cat['cells'][cid]
        all_ids = {c.get('id') for c in p.read_nb(nb)[1]['cells']}
        for cid in [cid for cid in cat['insert_after'] if cid not in all_ids]:
            print(f'{nb.stem} {cid}: orphan insert_after dropped: {first_line(cat["insert_after"][cid])}')
            del cat['insert_after'][cid]
        existed = p.catalog_path(nb).exists()
        p.save(nb, cat)
        if added or not existed: print(f'{p.rel(p.catalog_path(nb))}: {added} entr{"y" if added == 1 else "ies"} added')
    return rc


def git_old_source(p: Project, nb: Path, cid: str, want: str, cache: dict):
    "The English source of cell `cid` whose hash is `want`, from the notebook's git history (None if not found)."
    key = nb.name
    if key not in cache:
        cache[key] = {}
        rel = nb.relative_to(p.root).as_posix()
        r = subprocess.run(['git', '-C', str(p.root), 'log', '--format=%H', '-n', '300', '--', rel], capture_output=True, text=True)
        cache[key]['revs'] = r.stdout.split() if r.returncode == 0 else []
        cache[key]['seen'] = {}
    c = cache[key]
    if want in c['seen']: return c['seen'][want]
    while c['revs']:
        rev = c['revs'].pop(0)
        r = subprocess.run(['git', '-C', str(p.root), 'show', f'{rev}:{nb.relative_to(p.root).as_posix()}'], capture_output=True, text=True)
        if r.returncode: continue
        try: cells = json.loads(r.stdout)['cells']
        except (ValueError, KeyError): continue
        for cell in cells:
            s = cell_source(cell)
            c['seen'].setdefault(src_hash(s), s)
        if want in c['seen']: return c['seen'][want]
    return None


def cmd_todo(p: Project, args) -> int:
    cache, n = {}, 0
    for nb in nb_args(p, args.notebooks):
        try: cat = p.load(nb)
        except CatalogError as e: print(f'{p.rel(p.catalog_path(nb))}: {e}'); n += 1; continue
        for kind, cid, en in status(p, nb, cat)[0]:
            if kind.startswith('orphan'): continue
            n += 1
            print(f'=== {nb.stem} {cid} ({kind})')
            print('--- English now:'); print(en)
            if kind == 'stale':
                print(f'--- {p.lang} now:'); print(cat['cells'][cid][p.lang])
                old = git_old_source(p, nb, cid, cat['cells'][cid]['source'], cache)
                if old is None: print('--- (the English it was translated from is not in git history)')
                else:
                    print('--- the English since it was translated:')
                    sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), en.splitlines(True), 'translated from', 'now'))
                    print()
            print()
    print(f'{n} cell(s) to translate or update')
    return 0


def cmd_stamp(p: Project, args) -> int:
    names = args.targets
    if args.all:
        nbs = nb_args(p, names)
        for nb in nbs:
            try: cat = p.load(nb)
            except CatalogError as e: print(f'{p.rel(p.catalog_path(nb))}: {e}'); return 1
            src = {c.get('id'): cell_source(c) for c in markdown_cells(p, nb)}
            n = 0
            for cid, e in cat['cells'].items():
                if cid in src and e[p.lang].strip() and e['source'] != src_hash(src[cid]):
                    e['source'] = src_hash(src[cid]); n += 1
            p.save(nb, cat)
            if n: print(f'{nb.stem}: {n} entr{"y" if n == 1 else "ies"} stamped')
        return 0
    if len(names) < 2: sys.exit('i18n: stamp needs a notebook and cell id(s), or --all')
    nb, ids = p.notebook(names[0]), names[1:]
    try: cat = p.load(nb)
    except CatalogError as e: print(f'{p.rel(p.catalog_path(nb))}: {e}'); return 1
    src = {c.get('id'): cell_source(c) for c in markdown_cells(p, nb)}
    refused = [f'{cid}: not a markdown cell of {nb.name}' for cid in ids if cid not in src]
    refused += [f'{cid}: no entry in {p.rel(p.catalog_path(nb))} (run sync)' for cid in ids if cid in src and cid not in cat['cells']]
    refused += [f'{cid}: its {p.lang} is empty' for cid in ids if cid in cat['cells'] and not cat['cells'][cid][p.lang].strip()]
    if refused:
        for r in refused: print(f'{nb.stem} {r}: refused')
        print('nothing stamped'); return 1
    for cid in ids: cat['cells'][cid]['source'] = src_hash(src[cid])
    p.save(nb, cat)
    print(f'{nb.stem}: {len(ids)} entr{"y" if len(ids) == 1 else "ies"} stamped')
    return 0


def cmd_build(p: Project, args) -> int:
    files, readme, problems = p.expected()
    if problems:
        for pr in problems: print(pr)
        print(f'i18n: not built: {len(problems)} catalog(s) cannot be read'); return 1
    p.out.mkdir(exist_ok=True)
    n = 0
    for name, text in files.items():
        f = p.out / name
        if not f.exists() or f.read_text(encoding='utf-8') != text: f.write_text(text, encoding='utf-8'); n += 1
    for f in p.out.iterdir():
        if f.name not in files and f.name not in SYMLINKS:
            print(f'removed {p.rel(f)} (no such notebook in nbs/)')
            f.unlink() if not f.is_dir() or f.is_symlink() else sys.exit(f'i18n: {p.rel(f)} is a folder: remove it yourself')
    for name, target in SYMLINKS.items():
        link = p.out / name
        if (p.out / target).exists() and (not link.is_symlink() or os.readlink(link) != target):
            if link.is_symlink() or link.exists(): link.unlink()
            link.symlink_to(target)
    if readme is not None and (not p.readme.exists() or p.readme.read_text(encoding='utf-8') != readme):
        p.readme.write_text(readme, encoding='utf-8'); n += 1
    print(f'built {p.rel(p.out)}/ ({len(files)} notebooks) and {p.rel(p.readme) if readme is not None else "no README"}: {n} file(s) changed')
    return 0


def glossary(p: Project):
    "[(English term, its regex, [renderings])] from the glossary's table, longest first; None when there is no glossary.\n\n    A term with several senses lists one rendering per sense, separated by ` / ` (`gradient | 梯度 / 渐变`)."
    if not p.glossary.exists(): return None
    terms = []
    for line in p.glossary.read_text(encoding='utf-8').splitlines():
        cols = [c.strip() for c in line.strip().strip('|').split('|')]
        if not line.strip().startswith('|') or len(cols) < 2 or cols[0] in ('English', '') or set(cols[0]) <= set('-: '): continue
        en, zh = cols[0].strip('`'), [z.strip().strip('`') for z in cols[1].split(' / ') if z.strip()]
        if en and zh: terms.append((en, re.compile(r'(?<!\w)' + re.escape(en) + r'(?!\w)', re.I), zh))
    return sorted(terms, key=lambda t: -len(t[0]))   # longest first: `end-of-text token` before `token`


def cmd_check(p: Project, args) -> int:
    start = time.time()
    problems, warnings, total, done_n, chars = [], [], 0, 0, 0
    terms = glossary(p)
    for nb in p.notebooks():
        try: cat = p.load(nb)
        except CatalogError as e: problems.append(f'{nb.stem}: {p.rel(p.catalog_path(nb))} {e}'); continue
        bad, done = status(p, nb, cat)
        total += len(markdown_cells(p, nb)); done_n += len(done)
        chars += sum(len(CJK.findall(zh)) for _, _, zh in done) + sum(len(CJK.findall(t)) for t in cat['insert_after'].values())
        for kind, cid, en in bad: problems.append(f'{nb.stem} {cid} {kind}: {first_line(en)}')
        for cid, en, zh in done:
            rest = en   # a term inside a longer glossary term (`token` in `end-of-text token`) is that term's business
            for term, rx, zh_terms in terms or []:
                if rx.search(rest) and not any(z in zh for z in zh_terms) and not rx.search(zh):
                    warnings.append(f'{nb.stem} {cid}: glossary term "{term}" not rendered as "{" / ".join(zh_terms)}": {first_line(en, 60)}')
                rest = rx.sub(' ', rest)
            if [m.group(0) for m in FENCE.finditer(en)] != [m.group(0) for m in FENCE.finditer(zh)]:
                warnings.append(f'{nb.stem} {cid}: its fenced code blocks differ from the English (code and diagrams stay as they are)')
        cells = p.read_nb(nb)[1]['cells']
        for i, c in enumerate(cells[:-1]):
            if c.get('id') in cat['insert_after'] and c['cell_type'] == 'code' and cells[i + 1]['cell_type'] == 'code':
                warnings.append(f'{nb.stem} {c.get("id")}: insert_after splits two code cells (an exercise and its checks must stay together)')
    known = {nb.stem for nb in p.notebooks()}
    if p.cat_dir.exists():
        for f in sorted(p.cat_dir.glob('*.yml')):
            if f.stem not in known: problems.append(f'{f.stem}: orphan catalog {p.rel(f)} (no nbs/{f.stem}.ipynb)')
    files, readme, _ = p.expected()
    for name, text in files.items():
        f = p.out / name
        if not f.exists(): problems.append(f'{p.rel(f)}: missing: run `tools/i18n.py build {p.lang}`')
        elif f.read_text(encoding='utf-8') != text: problems.append(f'{p.rel(f)}: differs from what `tools/i18n.py build {p.lang}` writes')
    if p.out.exists():
        for f in sorted(p.out.iterdir()):
            if f.name not in files and f.name not in SYMLINKS: problems.append(f'{p.rel(f)}: extra (no such notebook in nbs/)')
    for name, target in SYMLINKS.items():
        link = p.out / name
        if (p.out / target).exists() and (not link.is_symlink() or os.readlink(link) != target):
            problems.append(f'{p.rel(link)}: must be a symbolic link to {target}: run `tools/i18n.py build {p.lang}`')
    if readme is not None and (not p.readme.exists() or p.readme.read_text(encoding='utf-8') != readme):
        problems.append(f'{p.rel(p.readme)}: {"missing" if not p.readme.exists() else "differs from what `tools/i18n.py build " + p.lang + "` writes"}')
    if terms is None: print(f'note: no glossary ({p.rel(p.glossary)}): glossary terms not checked')
    for w in warnings: print('warning:', w)
    for pr in problems: print(pr)
    print(f'{p.lang}: {done_n}/{total} markdown cells translated, {chars} characters of Chinese; '
          f'{len(problems)} problem(s), {len(warnings)} warning(s) ({time.time() - start:.1f} s)')
    return 1 if problems else 0


def main(argv=None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument('--root', default=argparse.SUPPRESS, help='the project (default: this repository)')
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], parents=[common],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split('\n\n', 1)[1])
    sub = ap.add_subparsers(dest='cmd', required=True)
    for name, help in [('sync', 'add entries for new markdown cells, drop orphans'), ('todo', 'print missing and stale cells')]:
        s = sub.add_parser(name, parents=[common], help=help); s.add_argument('lang'); s.add_argument('notebooks', nargs='*')
    s = sub.add_parser('stamp', parents=[common], help='declare translations up to date with the current English')
    s.add_argument('lang'); s.add_argument('targets', nargs='*', metavar='NB [ID ...]'); s.add_argument('--all', action='store_true')
    for name, help in [('build', 'write nbs_<lang>/ and README.<lang>.md'), ('check', 'exit 1 on missing, stale, orphan or unbuilt')]:
        s = sub.add_parser(name, parents=[common], help=help); s.add_argument('lang')
    args = ap.parse_args(argv)
    if not re.fullmatch(r'[a-z]{2}(-[A-Za-z]+)?', args.lang): ap.error(f'not a language code: {args.lang}')
    p = Project(Path(getattr(args, 'root', REPO)), args.lang)
    if not p.nbs.is_dir(): ap.error(f'no nbs/ in {p.root}')
    return {'sync': cmd_sync, 'todo': cmd_todo, 'stamp': cmd_stamp, 'build': cmd_build, 'check': cmd_check}[args.cmd](p, args)


if __name__ == '__main__':
    sys.exit(main())
