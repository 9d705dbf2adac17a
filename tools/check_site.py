"""Look at the built website as a reader would: serve `_docs/` on 127.0.0.1 and open its pages in headless Chromium.

    .venv/bin/python tools/build_docs.py && .venv/bin/python tools/check_site.py

Chromium is Debian's (`apt-get install chromium`), driven by Playwright (its own browser download is never used).
It opens the home page, every page the home page's sidebar lists (one per notebook in nbs/, or it fails) and every
page a link leads to, and fails, naming page and culprit, on:
- a file of the site that does not load (the page, a stylesheet, a script, a picture: any answer but 200);
- a picture that is not shown (figures are embedded PNGs: a broken one loads with no size);
- a link into the site whose page does not exist, or whose #fragment is no element's id on it (nbdev's absolute
  links to the published site, https://clip-nbdev.github.io/clip_nbdev/..., count as links into the site);
- a Python traceback or an error on the page: an error output, "Traceback (most recent call last)", or an
  output line starting `SomethingError:`;
- maths left as raw TeX; a diagram (a mermaid block) left as source text instead of drawn;
- an exported name of clip_nbdev/_modidx.py (public, top level) without its API entry (the `show_doc` heading
  with its name on the page nbdev links it to), or whose nbdev link lands nowhere;
- a search box that does not find an exported name.
The Chinese half, `zh/` (from nbs_zh/), gets the same checks, from `zh/index.html` and its sidebar, which must list as
many pages as the English one; its pages must be `<html lang="zh-CN">` and hold the API entries too (the search
check stays English-only). Every page of both halves must show a language switch (`#lang-switch` in the navbar)
leading to the same page in the other language (`X.html` <-> `zh/X.html`), and that page must exist.
Screenshots of the home page and of one chapter (English and Chinese) go to `_artifacts/` (git-ignored), kept for CI.
"""
import argparse, functools, http.server, importlib.util, re, sys, threading, time
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']
ERROR_LINE = re.compile(r'^\s*[A-Za-z_.]*(Error|Exception): ', re.M)

# what the browser reports about one page, in one round trip
PAGE_JS = r"""async () => {
  const imgs = [...document.images];
  imgs.forEach(i => { i.loading = 'eager'; });
  const broken = (await Promise.all(imgs.map(i => i.decode().then(() => i.naturalWidth ? null : i.src, () => i.src))))
                 .filter(Boolean).map(s => s.slice(0, 90));
  const apiHeads = [...document.querySelectorAll('.cell-output-markdown > h2, .cell-output-markdown > h3, .cell-output-markdown > h4')]
                   .filter(h => h.parentElement.querySelector(':scope > hr'));
  const outputs = [...document.querySelectorAll('.cell-output-stdout, .cell-output-stderr')].map(o => o.innerText);
  return {
    title: document.title,
    h1: (document.querySelector('h1') || {}).innerText || '',
    sidebar: [...document.querySelectorAll('#quarto-sidebar a.sidebar-link')].map(a => a.href),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    images: imgs.length, broken,
    errors: document.querySelectorAll('.cell-output-error').length,
    traceback: document.body.innerText.includes('Traceback (most recent call last)'),
    outputs,
    rawMath: [...document.querySelectorAll('span.math')].filter(s => !s.querySelector('math') || /\\[A-Za-z_]/.test(s.textContent))
                .map(s => s.textContent.slice(0, 60)),
    api: apiHeads.map(h => ({id: h.id, text: h.innerText.trim()})),
    lang: document.documentElement.lang,
    langSwitch: (() => { const a = document.querySelector('#lang-switch');
                         if (!a) return null; const r = a.getBoundingClientRect();
                         return {href: a.href, visible: r.width > 0 && r.height > 0 && getComputedStyle(a).visibility !== 'hidden'}; })(),
  };
}"""


DRAWN_JS = "() => [...document.querySelectorAll('pre.mermaid')].every(p => p.querySelector('svg'))"


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass  # quiet: failures are reported by the browser


def serve(folder: Path):
    "Serve `folder` on 127.0.0.1 on a free port, in a thread; the server and its base URL."
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f'http://127.0.0.1:{server.server_address[1]}/'


def exported_names() -> dict:
    "Public top-level names in clip_nbdev/_modidx.py: name -> (page, fragment) of the link nbdev gives it."
    spec = importlib.util.spec_from_file_location('_modidx', ROOT / 'clip_nbdev' / '_modidx.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    names = {}
    for module, syms in mod.d['syms'].items():
        for sym, (url, _) in syms.items():
            name = sym[len(module) + 1:]
            if '.' not in name and not name.startswith('_'):
                page, _, frag = url.partition('#')
                names[f'{module}.{name}'] = (name, page, frag)
    return names


def notebooks(folder='nbs') -> list:
    "The notebooks nbdev renders as pages (its own rules: names starting with _ or . are skipped)."
    from nbdev.doclinks import nbglob
    return sorted(nbglob(ROOT / folder, as_path=True, symlinks=False))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--site', default=str(ROOT / '_docs'), help='the built site (default: _docs/)')
    ap.add_argument('--artifacts', default=str(ROOT / '_artifacts'), help='where the screenshots go')
    ap.add_argument('--chromium', default='/usr/bin/chromium', help="the browser (Debian's chromium)")
    ap.add_argument('--chapter', default='attention.html', help='the chapter to screenshot')
    args = ap.parse_args()
    site, shots = Path(args.site), Path(args.artifacts)
    if not (site / 'index.html').exists(): sys.exit(f'check_site: no {site}/index.html: run tools/build_docs.py first')
    from nbdev.config import get_config
    cfg = get_config()
    published = f"{cfg.doc_host.rstrip('/')}{cfg.doc_baseurl.rstrip('/')}/"
    shots.mkdir(parents=True, exist_ok=True)
    server, base = serve(site)
    problems, seen, start = [], {}, time.time()

    def problem(page, what): problems.append(f'{page}: {what}')
    def rel(url): return url[len(base):] if url.startswith(base) else url
    def local(url):
        "A URL into the site, on the local server; None for one outside it."
        if url.startswith(published): url = base + url[len(published):]
        return url if url.startswith(base) else None

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={'width': 1280, 'height': 900})
        failed = []
        page.route(re.compile(r'^(?!http://127\.0\.0\.1[:/]).*'), lambda route: route.abort())  # offline: nothing else
        page.on('response', lambda r: r.status >= 400 and failed.append(f'{r.status} {rel(r.url)}'))
        page.on('requestfailed', lambda r: r.url.startswith(base) and failed.append(f'failed {rel(r.url)}'))

        def visit(url):
            "Open one page (once) and check what a reader would see there; what the browser found on it."
            if url in seen: return seen[url]
            failed.clear()
            resp = page.goto(url, wait_until='load')
            if resp is None or resp.status != 200:
                seen[url] = None
                return None
            info = seen[url] = page.evaluate(PAGE_JS)
            name = rel(url) or 'index.html'
            for f in failed: problem(name, f'does not load: {f}')
            for src in info['broken']: problem(name, f'picture not shown: {src}')
            if info['errors']: problem(name, f"{info['errors']} error output(s) shown")
            if info['traceback']: problem(name, 'shows a Python traceback')
            for out in info['outputs']:
                m = ERROR_LINE.search(out)
                if m: problem(name, f"output shows an error: {out[m.start():m.start() + 100].strip()!r}")
            for tex in info['rawMath']: problem(name, f'maths not typeset: {tex!r}')
            n_diagrams = page.locator('pre.mermaid').count()
            if n_diagrams:  # mermaid draws after the load event: give it time, then every block must hold its SVG
                try: page.wait_for_function(DRAWN_JS, timeout=20_000)
                except Exception: problem(name, f'{n_diagrams} diagram(s) shown as source text, not drawn')
            info['diagrams'] = n_diagrams
            if not info['h1']: problem(name, 'has no title')
            return info

        home = visit(base + 'index.html')
        if home is None: sys.exit('check_site: the home page does not load')
        page.screenshot(path=str(shots / 'home.png'), full_page=True)
        chapters = list(dict.fromkeys(home['sidebar']))
        nbs = notebooks()
        if len(chapters) != len(nbs):
            problem('index.html', f'the sidebar lists {len(chapters)} pages for {len(nbs)} notebooks in nbs/')
        for url in chapters:
            if visit(url) is None: problem('index.html', f'sidebar page does not load: {rel(url)}')
            elif rel(url) == args.chapter:
                page.screenshot(path=str(shots / Path(args.chapter).with_suffix('.png').name),
                                clip={'x': 0, 'y': 0, 'width': 1280, 'height': 4000}, full_page=True)

        # the Chinese half: its home page and sidebar, as many pages as the English one
        zh_home = visit(base + 'zh/index.html')
        zh_chapters = []
        if zh_home is None: problem('zh/index.html', 'the Chinese home page does not load')
        else:
            page.goto(base + 'zh/index.html', wait_until='load')
            page.screenshot(path=str(shots / 'zh_home.png'), full_page=True)
            zh_chapters = list(dict.fromkeys(zh_home['sidebar']))
            if len(zh_chapters) != len(chapters):
                problem('zh/index.html', f'the sidebar lists {len(zh_chapters)} pages; the English one lists {len(chapters)}')
            n_zh = len(notebooks('nbs_zh'))
            if len(zh_chapters) != n_zh: problem('zh/index.html', f'the sidebar lists {len(zh_chapters)} pages for {n_zh} notebooks in nbs_zh/')
            for url in zh_chapters:
                if not rel(url).startswith('zh/'): problem('zh/index.html', f'sidebar leads out of the Chinese half: {rel(url)}')
                if visit(url) is None: problem('zh/index.html', f'sidebar page does not load: {rel(url)}')
                elif rel(url) == 'zh/' + args.chapter:
                    page.screenshot(path=str(shots / ('zh_' + Path(args.chapter).with_suffix('.png').name)),
                                    clip={'x': 0, 'y': 0, 'width': 1280, 'height': 4000}, full_page=True)

        # every link into the site: its page exists, and its #fragment (percent-decoded: Chinese headings) is an element's id there
        n_links = 0
        for url, info in list(seen.items()):
            if info is None: continue
            for href in info['links']:
                target = local(href)
                if target is None: continue
                n_links += 1
                doc, frag = urldefrag(target)
                if not doc.endswith('.html'):
                    continue
                t = visit(doc)
                if t is None: problem(rel(url), f'broken link: {href}')
                elif frag and unquote(frag) not in t["ids"]: problem(rel(url), f'link to a missing anchor: {href}')

        # every page of both halves: a visible language switch to the same page in the other half, which exists;
        # the Chinese pages say they are Chinese
        n_switch = 0
        for url, info in list(seen.items()):
            if info is None: continue
            name = rel(url) or 'index.html'
            zh = name.startswith('zh/')
            if zh and info['lang'] != 'zh-CN': problem(name, f'<html lang="{info["lang"]}">, not "zh-CN"')
            if not zh and info['lang'] != 'en': problem(name, f'<html lang="{info["lang"]}">, not "en"')
            sw = info['langSwitch']
            if sw is None: problem(name, 'no language switch (#lang-switch)'); continue
            if not sw['visible']: problem(name, 'its language switch is not visible')
            want = name[3:] if zh else 'zh/' + name
            target = local(sw['href'])
            if target is None or rel(urldefrag(target)[0]) != want:
                problem(name, f'the language switch leads to {sw["href"]}, not {want}'); continue
            if visit(urldefrag(target)[0]) is None: problem(name, f'the language switch leads to a missing page: {want}')
            else: n_switch += 1

        # every exported name: its API entry on the page nbdev links it to, and that link lands on an element;
        # the same on the Chinese twin of that page
        names = exported_names()
        for qual, (name, pg, frag) in sorted(names.items()):
            for pg in (pg, 'zh/' + pg):
                t = visit(base + pg)
                if t is None: problem(pg, f'{qual}: its page does not exist'); continue
                if not any(h['text'] == name for h in t['api']): problem(pg, f'{qual}: no API entry (show_doc) for {name}')
                if frag not in t['ids']: problem(pg, f"{qual}: nbdev's link #{frag} lands on no element")
        n_api = sum(len(i['api']) for i in seen.values() if i)

        # the search box finds an exported name, with a link to its page
        probe = 'load_model'
        page.goto(base + 'index.html', wait_until='load')
        box = page.locator('input[type=search]').first
        box.fill(probe)
        try:
            page.wait_for_selector('a.search-result', timeout=10_000)
            hits = page.eval_on_selector_all('a.search-result', 'as => as.map(a => a.href)')
            if not any(local(h) and rel(local(h)).startswith(names['clip_nbdev.load.load_model'][1]) for h in hits):
                problem('index.html', f'searching {probe!r} does not offer its page: {[rel(h) for h in hits][:5]}')
        except Exception as e:
            problem('index.html', f'searching {probe!r} shows no result ({type(e).__name__})')
        page.screenshot(path=str(shots / 'search.png'))
        browser.close()
    server.shutdown()

    n_pages = sum(1 for u, i in seen.items() if i is not None)
    print(f'checked {n_pages} pages ({len(chapters)} + {len(zh_chapters)} in the English and Chinese sidebars, '
          f'{n_switch} language switches), {n_links} links into the site, '
          f"{sum(i['images'] for i in seen.values() if i)} pictures, {sum(i['diagrams'] for i in seen.values() if i)} diagrams, {len(names)} exported names, {n_api} API entries, "
          f'in {time.time() - start:.0f} s; screenshots in {shots}/')
    for p in problems: print('PROBLEM', p)
    if problems: sys.exit(f'check_site: {len(problems)} problem(s) a reader would see')
    print('site OK')


if __name__ == '__main__':
    main()
