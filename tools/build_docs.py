"""Build the documentation website into `_docs/`, offline, from nbdev's own processed notebooks.

    .venv/bin/python tools/build_docs.py            # re-process the notebooks that changed, then render
    .venv/bin/python tools/build_docs.py --force    # re-process every notebook
    .venv/bin/python tools/check_site.py            # then look at it in a headless browser

With quarto installed, `nbdev_preview` and `nbdev_docs` build the site from the same processed notebooks; quarto
cannot be installed here, so this script does what `nbdev_docs` does, without quarto:
1. nbdev's preparation: `nbs/nbdev.yml` from settings.ini, `clip_nbdev/_modidx.py`, `nbs/sidebar.yml`;
2. nbdev's processing (`nbdev.serve.proc_nbs` with nbdev's `FilterDefaults`: `show_doc` entries for exported
   names, `#| hide`/`#| export` cells dropped, export and import cells executed) into `_proc/`, one fresh
   process per notebook; every notebook that fails is named with its traceback, then the build fails;
3. smalldocs (pure Python) renders `_proc/` as a website, reading nbdev's `_quarto.yml`, `nbdev.yml` and
   `sidebar.yml`; pages get nbdev's names (`tokenizer.html`, as quarto writes them, so nbdev's links work);
4. after rendering: nbdev's absolute links to this site become relative (the site works from any folder or
   server), TeX becomes MathML (maths is shown without the KaTeX scripts smalldocs loads from a CDN), and the
   pages that draw a diagram load mermaid from the site itself (`tools/vendor/mermaid/`), not from a CDN.
5. the Chinese edition: the same processing of `nbs_zh/` (written by `tools/i18n.py build zh`) into `_proc_zh/`
   (nbdev's `proc_nbs` always writes `<project>/_proc`, so its steps run here with another cache folder), the same
   rendering and postprocessing into `_docs/zh/`, pages named as in English, `<html lang="zh-CN">`;
6. every page of both halves gets a language switch in its navbar, to the same page in the other language
   (`X.html` <-> `zh/X.html`).
Unlike `nbdev_docs`, it never runs `pip install` and never calls quarto. Needs Python >= 3.11 (smalldocs).
"""
import argparse, html, json, os, re, shutil, subprocess, sys, tempfile, time
from hashlib import sha256
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
os.chdir(ROOT)
os.environ.setdefault('MPLBACKEND', 'Agg')
# the processing imports this checkout's clip_nbdev (as nbdev_test does), whatever is installed
sys.path.insert(0, str(ROOT))
os.environ['PYTHONPATH'] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get('PYTHONPATH')]))

import nbdev.doclinks, nbdev.serve, nbdev.serve_drv
from nbdev.config import get_config
from nbdev.quarto import nbdev_sidebar, refresh_quarto_yml
from latex2mathml.converter import convert as tex2mathml

# smalldocs says so for every nbdev project: nbdev's _quarto.yml asks for these quarto-only outputs
KNOWN_WARNINGS = ('format commonmark is not built', 'format.html.keep-md is ignored')
MATH = re.compile(r'<span class="math (inline|display)">\\[(\[](.*?)\\[)\]]</span>', re.S)
TEXT = re.compile(r'(\\(?:text|textrm|textit|textbf|mbox)\{)([^{}]*)\}')
KATEX = re.compile(r'\s*<(?:link|script)[^>]*katex[^>]*>(?:</script>)?')
MERMAID_VERSION, MERMAID_SHA256 = '11.4.1', 'a43bc1afd446f9c4cc66ac5dd45d02e8d65e26fc5344ec0ef787f88d6ddb6f9e'
MERMAID_JS = ROOT / 'tools' / 'vendor' / 'mermaid' / 'mermaid.min.js'
MERMAID_CDN = re.compile(r'<script type="module">import mermaid from \'[^\']*\';(mermaid\.initialize\(.*?\);)</script>')
SHOW_DOC = re.compile(r'<div class="cell-output cell-output-display cell-output-markdown">\s*<hr\s*/?>')
LANGS = {'en': ('English', 'en'), 'zh': ('中文', 'zh-CN')}   # the editions: the switch's label, the page's lang
NAV_SLOT = '<ul class="navbar-nav navbar-nav-scroll ms-auto"></ul>'   # smalldocs' empty right-hand navbar list
LANG_SWITCH = ('<ul class="navbar-nav navbar-nav-scroll ms-auto"><li class="nav-item"><a class="nav-link" id="lang-switch" '
               'href="{href}" hreflang="{lang}" lang="{lang}"><i class="bi bi-translate"></i> {label}</a></li></ul>')
UI_ZH = [('placeholder="Search"', 'placeholder="搜索"'), ('aria-label="Search"', 'aria-label="搜索"'),
         ('<h2 id="toc-title">On this page</h2>', '<h2 id="toc-title">本页目录</h2>'), ('</i> Report an issue</a>', '</i> 报告问题</a>'),
         ('<summary>Code</summary>', '<summary>代码</summary>'), ('style="float:right; font-size:smaller">source</a>', 'style="float:right; font-size:smaller">源代码</a>')]


def private_names_unlinked():
    "In a processing worker: `_private` names in backticks stay code (they get no API entry, so a link has no anchor)."
    link = nbdev.doclinks.NbdevLookup._link_sym
    def _link_sym(self, m):
        return m.group(0) if m.group(1).rsplit('.', 1)[-1].startswith('_') else link(self, m)
    nbdev.doclinks.NbdevLookup._link_sym = _link_sym


def proc_nbs_into(path: Path, cache: Path, n_workers: int, force: bool) -> Path:
    """nbdev's `proc_nbs` into `cache` instead of `<project>/_proc` (a name nbdev fixes): its steps, with nbdev's
    `_proc_file` and worker; only the notebooks (the site's configuration comes from the English cache)."""
    cfg = get_config()
    files = nbdev.doclinks.nbglob(path, func=Path, file_glob='*.ipynb', file_re='', symlinks=False)
    chk_mtime = max(cfg.config_file.stat().st_mtime, Path(nbdev.serve.__file__).stat().st_mtime)  # as proc_nbs does
    cache.mkdir(parents=True, exist_ok=True)
    cache_mtime = cache.stat().st_mtime
    if force or cache_mtime < chk_mtime: shutil.rmtree(cache)
    files = files.map(nbdev.serve._proc_file, mtime=cache_mtime, cache=cache, path=path).filter()
    nbdev.serve.parallel(nbdev.serve_drv.main, files, n_workers=n_workers, pause=0.01, method='spawn')
    if cache.exists(): cache.touch()
    return cache


def process(nbs: Path, n_workers: int, force: bool, cache: Path = None) -> Path:
    """Run nbdev's `proc_nbs` into `_proc/` (or, with `cache`, its steps into that folder), one fresh process per
    notebook; fail naming every notebook that fails."""
    failures = []

    def run_all(f, items, n_workers=2, pause=0, **kwargs):  # stands in for fastcore's `parallel` in `proc_nbs`
        items = list(items)
        with ProcessPoolExecutor(max(1, min(n_workers, len(items))), mp_context=get_context('spawn'),
                                 max_tasks_per_child=1, initializer=private_names_unlinked) as ex:
            futures = {ex.submit(f, o): o for o in items}
            for fut in as_completed(futures):
                src, err = futures[fut][0], fut.exception()
                print(f"   {'FAILED' if err else 'processed'} {src.relative_to(ROOT)}", flush=True)
                if err: failures.append((src, err))
        return []

    real, nbdev.serve.parallel = nbdev.serve.parallel, run_all
    try: cache = nbdev.serve.proc_nbs(nbs, n_workers=n_workers, force=force) if cache is None else \
                 proc_nbs_into(nbs, cache, n_workers, force)
    finally: nbdev.serve.parallel = real
    if failures:
        for src, err in failures:
            print(f'\n--- nbdev could not process {src.relative_to(ROOT)}:\n{getattr(err, "__cause__", None) or err}')
            where = re.search(r'in cell \d+ :\n(.*)', str(err), re.S)  # nbdev names the cell by its processed index
            ids = [c.get('id') for c in json.loads(src.read_text(encoding='utf-8'))['cells']
                   if where and ''.join(c['source']).strip() == where.group(1).strip()]
            if ids: print(f'--- the failing cell of {src.relative_to(ROOT)}: id {", ".join(map(str, ids))}')
        names = ', '.join(sorted(str(s.relative_to(ROOT)) for s, _ in failures))
        sys.exit(f'\nbuild_docs: nbdev\'s processing failed for {names} (so would `nbdev_docs`). It runs only export '
                 'cells and cells with an import: keep imports in cells of their own, and make such cells need no '
                 'other cell.')
    return cache


def frontmatter(nb: dict) -> dict:
    "The YAML of the raw front-matter cell nbdev's processing puts first."
    cell = nb['cells'][0] if nb['cells'] else {}
    src = ''.join(cell.get('source', ''))
    if cell.get('cell_type') != 'raw' or not src.startswith('---'): return None
    return yaml.safe_load(src.strip().strip('-')) or {}


def stage(cache: Path, nbs: Path, dest: Path, conf: Path = None) -> dict:
    """Copy the processed notebooks of the sidebar into `dest`, named as quarto names their pages; the name map.
    The site's configuration comes from `conf` (default: `cache`); the sidebar from `nbs`."""
    sidebar = yaml.safe_load((nbs / 'sidebar.yml').read_text())
    entries = sidebar['website']['sidebar']['contents']
    for name in ('_quarto.yml', 'nbdev.yml', 'styles.css'): shutil.copy2((conf or cache) / name, dest / name)
    renames = {}
    for entry in entries:
        out = (frontmatter(json.loads((cache / entry).read_text(encoding='utf-8'))) or {}).get('output-file')
        renames[entry] = str(Path(out or Path(entry).with_suffix('.html').name).with_suffix('.ipynb'))
    for entry in entries:
        nb = json.loads((cache / entry).read_text(encoding='utf-8'))
        fm = frontmatter(nb)
        if fm is not None:  # smalldocs names a page after its source, so the source gets quarto's page name instead
            fm.pop('output-file', None)
            nb['cells'][0]['source'] = '---\n' + yaml.safe_dump(fm, sort_keys=False, allow_unicode=True) + '---\n'
        for cell in nb['cells'][1:]:
            if cell['cell_type'] != 'markdown': continue
            src = ''.join(cell['source'])
            for old, new in renames.items(): src = src.replace(f']({old}', f']({new}')  # links between pages
            cell['source'] = src
        (dest / renames[entry]).write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding='utf-8')
    sidebar['website']['sidebar']['contents'] = [renames[e] for e in entries]
    (dest / 'sidebar.yml').write_text(yaml.safe_dump(sidebar, sort_keys=False))
    return renames


def render(site: Path):
    "Render the staged project with smalldocs; its warnings are printed, except the two every nbdev project gets."
    smalldocs = Path(sys.executable).parent / 'smalldocs'
    r = subprocess.run([str(smalldocs if smalldocs.exists() else 'smalldocs'), 'render', '--quiet', str(site)],
                       capture_output=True, text=True)
    for line in (r.stdout + r.stderr).splitlines():
        if line.strip() and not any(k in line for k in KNOWN_WARNINGS): print('   smalldocs:', line)
    if r.returncode: sys.exit(f'build_docs: smalldocs failed (exit {r.returncode})')


def math_html(m: re.Match) -> str:
    "One `\\(...\\)` or `\\[...\\]` span as MathML."
    kind, tex = m.group(1), html.unescape(m.group(2))
    tex = TEXT.sub(lambda t: t.group(1) + re.sub(r'\\([_%&#$])', r'\1', t.group(2)) + '}', tex)  # latex2mathml keeps \_ in \text
    return (f'<span class="math {kind}">'
            f'{tex2mathml(tex, display="block" if kind == "display" else "inline")}</span>')


def vendor_mermaid(out: Path) -> str:
    "Copy the vendored mermaid into the site (checked against its hash); its path there."
    if sha256(MERMAID_JS.read_bytes()).hexdigest() != MERMAID_SHA256:
        sys.exit(f'build_docs: {MERMAID_JS.relative_to(ROOT)} is not mermaid {MERMAID_VERSION} (its sha256 differs)')
    dest = out / 'site_libs' / 'mermaid'; dest.mkdir(parents=True, exist_ok=True)
    for f in ('mermaid.min.js', 'LICENSE'): shutil.copy2(MERMAID_JS.parent / f, dest / f)
    return 'site_libs/mermaid/mermaid.min.js'


def local_mermaid(text: str, page: str, js: str) -> str:
    "A page's mermaid loaded from the site: drawn with no network (pages without a diagram do not load it)."
    found = MERMAID_CDN.search(text)
    if found is None:
        if '<pre class="mermaid">' in text or 'import mermaid' in text:
            sys.exit(f'build_docs: {page} draws a diagram but its mermaid script is not the one smalldocs writes; '
                     'update MERMAID_CDN in tools/build_docs.py')
        return text
    if '<pre class="mermaid">' not in text: return MERMAID_CDN.sub('', text)
    return MERMAID_CDN.sub(lambda m: f'<script src="{js}"></script><script>{m.group(1)}</script>', text)


def postprocess(out: Path, site_url: str, lang: str = 'en') -> tuple[int, int]:
    """Relative links for nbdev's absolute ones, MathML for TeX, mermaid from the site, the page's language; the number
    of pages and of API entries."""
    pages = sorted(out.glob('*.html'))
    n_api, js = 0, vendor_mermaid(out)
    for page in pages:
        text = page.read_text(encoding='utf-8')
        if lang != 'en':
            if '<html lang="en">' not in text: sys.exit(f'build_docs: {page.name} has no <html lang="en"> to set to {LANGS[lang][1]}')
            text = text.replace('<html lang="en">', f'<html lang="{LANGS[lang][1]}">', 1)
            for old, new in UI_ZH if lang == 'zh' else []: text = text.replace(old, new)
        text = text.replace(f'href="{site_url}/', 'href="')
        text = local_mermaid(text, page.name, js)
        text = MATH.sub(math_html, text)
        if not MATH.search(text): text = KATEX.sub('', text)  # every formula is MathML now: no CDN scripts
        n_api += len(SHOW_DOC.findall(text))
        page.write_text(text, encoding='utf-8')
    return len(pages), n_api


def language_switch(docs: Path, lang: str):
    "On every page of both halves, a navbar link to the same page in the other edition (`X.html` <-> `<lang>/X.html`)."
    halves = [(docs, docs / lang, f'{lang}/', lang), (docs / lang, docs, '../', 'en')]
    for here, there, prefix, to in halves:
        for page in sorted(here.glob('*.html')):
            if not (there / page.name).exists(): continue   # check_site.py names a page without its twin
            text = page.read_text(encoding='utf-8')
            if NAV_SLOT not in text:
                sys.exit(f'build_docs: {page.relative_to(docs)} has no empty navbar list for the language switch; '
                         'update NAV_SLOT in tools/build_docs.py')
            label, code = LANGS[to]
            page.write_text(text.replace(NAV_SLOT, LANG_SWITCH.format(href=prefix + page.name, lang=code, label=label), 1),
                            encoding='utf-8')


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--force', action='store_true', help='re-process every notebook, not only those that changed')
    ap.add_argument('--n_workers', type=int, default=2, help='notebooks processed in parallel')
    args = ap.parse_args()
    start, cfg = time.time(), get_config()
    nbs, docs = cfg.nbs_path, cfg.doc_path
    print('== nbdev: nbdev.yml, _modidx.py, sidebar.yml')
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev_sidebar.__wrapped__(path=nbs)
    print(f'== nbdev: processing the notebooks into _proc/ ({args.n_workers} at a time)')
    cache = process(nbs, args.n_workers, args.force)
    zh_nbs = ROOT / 'nbs_zh'
    if not zh_nbs.is_dir(): sys.exit('build_docs: no nbs_zh/: run `.venv/bin/python tools/i18n.py build zh` first')
    print(f'== nbdev: processing the Chinese notebooks into _proc_zh/ ({args.n_workers} at a time)')
    cache_zh = process(zh_nbs, args.n_workers, args.force, cache=ROOT / '_proc_zh')
    site_url = f"{cfg.doc_host.rstrip('/')}{cfg.doc_baseurl.rstrip('/')}"
    print('== smalldocs: rendering')
    with tempfile.TemporaryDirectory(prefix='clip_nbdev-docs-') as tmp, \
         tempfile.TemporaryDirectory(prefix='clip_nbdev-docs-zh-') as tmp_zh:
        site, site_zh = Path(tmp), Path(tmp_zh)
        stage(cache, nbs, site)
        render(site)
        out = site / docs.name
        n_pages, n_api = postprocess(out, site_url)
        stage(cache_zh, nbs, site_zh, conf=cache)   # same sidebar, names and configuration as the English site
        render(site_zh)
        n_zh, n_api_zh = postprocess(site_zh / docs.name, site_url, lang='zh')
        shutil.copytree(site_zh / docs.name, out / 'zh')
        language_switch(out, 'zh')
        shutil.rmtree(docs, ignore_errors=True)
        shutil.copytree(out, docs)
    print(f'built {docs.relative_to(ROOT)}/: {n_pages} pages, {n_api} API entries; {docs.relative_to(ROOT)}/zh/: {n_zh} pages, '
          f'{n_api_zh} API entries; in {time.time() - start:.0f} s')
    print(f'preview: .venv/bin/python -m http.server -d {docs.relative_to(ROOT)} 8000  (then http://127.0.0.1:8000)')


if __name__ == '__main__':
    main()
