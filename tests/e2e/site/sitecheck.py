"""Check the built course website in headless Chromium: serve it, read each page, judge it.

A page is read once in the browser (:func:`read_page` returns plain data: images, links,
tracebacks, widgets, quizzes, banner) and judged by :func:`problems`, a plain function, so
the self-test can run the same judgement on a site broken on purpose.

Chromium is found and launched with the JupyterLab browser test's helpers
(``tests/e2e/browser/conftest.py``), not a copy of them.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from browser.conftest import CHROMIUM_ARGS, find_chromium, unavailable_reason  # noqa: F401
from browser.labpage import WIDGET_REPR_TEXT

REPO = Path(__file__).resolve().parents[3]
NOTEBOOKS = REPO / "notebooks"
SITE_ENV = "CNNCOURSE_SITE"
# Where `make test` (quick mode) and `make site` (full mode) put the pages.
DEFAULT_SITES = (REPO / "build" / "site-quick" / "_build" / "html",
                 REPO / "build" / "site" / "_build" / "html")
SCREENSHOTS = REPO / "build" / "site-screenshots"
INTENTIONAL_ERROR_TAG = "raises-exception"   # the cell tag nbval and Jupyter Book both honour
STANDIN_TEXT = "SYNTHETIC stand-in"          # what cnncourse.data prints on the stand-in
BANNER_CLASS = "cnncourse-standin-banner"    # site/_ext/standin_banner.py
COLAB_PREFIX = "https://colab.research.google.com/github/"


def find_site() -> tuple[Path | None, str]:
    """The built site's html folder and how it was found, or (None, why not)."""
    env = os.environ.get(SITE_ENV, "").strip()
    if env:
        path = Path(env).expanduser().resolve()
        return path, f"{SITE_ENV}={env}"
    for path in DEFAULT_SITES:
        if (path / "index.html").is_file():
            return path, f"found {path.relative_to(REPO)}"
    return None, ("no built site: run `make site` (full) or `make test` (quick), or point "
                  f"{SITE_ENV} at a Jupyter Book html folder")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class StaticServer:
    """``python -m http.server`` in a thread: ``root`` on 127.0.0.1 at a free port."""

    def __init__(self, root: Path):
        self.root = Path(root)
        handler = functools.partial(QuietHandler, directory=str(self.root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@functools.lru_cache(maxsize=4096)
def fetch(url: str) -> tuple[int, str]:
    """(HTTP status, text for HTML pages) of GET ``url`` without its fragment; 0: unreachable."""
    try:
        with urllib.request.urlopen(url.split("#", 1)[0], timeout=10) as response:
            kind = response.headers.get("Content-Type", "")
            body = response.read()
            return response.status, body.decode("utf-8", "replace") if "html" in kind else ""
    except urllib.error.HTTPError as err:
        return err.code, ""
    except urllib.error.URLError:
        return 0, ""


def link_problem(url: str) -> str | None:
    """Why an internal link is broken (the page is missing, or the #anchor is not on it)."""
    status, text = fetch(url)
    if status != 200:
        return f"answers HTTP {status}"
    fragment = urllib.parse.unquote(urllib.parse.urlsplit(url).fragment)
    if fragment and text and not re.search(r"""\b(id|name)=["']""" + re.escape(fragment)
                                           + r"""["']""", text):
        return f"points to #{fragment}, which is not on that page"
    return None


# Runs in the page: everything the judgement needs, as plain JSON.
_READ_PAGE = """
async () => {
  const imgs = Array.from(document.images);
  // Make sure every image has finished (or failed) loading; lazy ones are asked to load now.
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => Promise.race([
      i.decode().catch(() => null), new Promise(r => setTimeout(r, 5000))])));
  const article = document.querySelector('main') || document.body;
  const outputs = Array.from(article.querySelectorAll('.cell_output > *'));
  const tracebacks = [];
  for (const out of outputs) {
    const text = out.textContent || '';
    if (!(out.classList.contains('traceback') || /Traceback \\(most recent call last\\)/.test(text)))
      continue;
    const cell = out.closest('.cell');
    const tags = cell ? Array.from(cell.classList).filter(c => c.startsWith('tag_'))
                          .map(c => c.slice(4)) : [];
    tracebacks.push({text: text.trim().slice(0, 400), tags});
  }
  const states = Array.from(document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-state+json"]'));
  const stateIds = [];
  for (const s of states) {
    try { stateIds.push(...Object.keys(JSON.parse(s.textContent).state || {})); } catch (e) {}
  }
  const views = Array.from(document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-view+json"]')).map(s => {
        try { return JSON.parse(s.textContent).model_id; } catch (e) { return null; } });
  const link = (sel) => { const a = document.querySelector(sel); return a ? a.href : null; };
  // Headings a reader meets (hidden ones, such as the theme's print-only header, are not
  // in the accessibility tree).
  const headings = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))
      .filter(h => h.checkVisibility({visibilityProperty: true}))
      .map(h => ({level: +h.tagName[1], text: h.innerText.trim().slice(0, 80)}));
  return {
    url: location.href,
    title: document.title,
    lang: document.documentElement.lang || '',
    headings,
    images: imgs.map(i => ({src: i.currentSrc || i.src, alt: i.alt, complete: i.complete,
                            width: i.naturalWidth,
                            output: !!i.closest('.cell_output')})),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    tracebacks,
    outputTexts: outputs.map(o => (o.textContent || '').slice(0, 2000)),
    widgetViews: views, widgetStateIds: stateIds,
    quizzes: Array.from(article.querySelectorAll('.cnncourse-quiz')).map(q => {
        const d = q.querySelector('details');
        return {folded: !!d && !d.open, text: q.innerText.slice(0, 200)}; }),
    banner: !!document.querySelector('.__BANNER__'),
    standin: (article.innerText || '').includes('__STANDIN__'),
    prev: link('a.left-prev'), next: link('a.right-next'),
    // The theme's header buttons: "launch" (Colab) and "download" (.ipynb, .pdf ...).
    launchLinks: Array.from(document.querySelectorAll('.dropdown-launch-buttons a[href]'))
        .map(a => a.href),
    downloadLinks: Array.from(document.querySelectorAll('.dropdown-download-buttons a[href]'))
        .map(a => a.href),
    bodyText: (article.innerText || '').slice(0, 200),
  };
}
""".replace("__BANNER__", BANNER_CLASS).replace("__STANDIN__", STANDIN_TEXT)


def new_page(browser: Any, base: str, color_scheme: str = "light") -> tuple[Any, Any]:
    """A tab that may only reach the local server: anything else is refused at once."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  color_scheme=color_scheme)
    context.route(re.compile(r"^(?!" + re.escape(base) + ")"), lambda route: route.abort())
    return context, context.new_page()


def read_page(page: Any, url: str) -> dict[str, Any]:
    """Open ``url`` in the Playwright ``page`` and return what :func:`problems` judges."""
    response = page.goto(url, wait_until="load")
    info = page.evaluate(_READ_PAGE)
    info["status"] = response.status if response else 0
    return info


def is_internal(url: str, base: str) -> bool:
    """True for a link into the served site (same scheme, host and port)."""
    return url.startswith(base)


def problems(info: dict[str, Any], base: str) -> list[str]:
    """Everything wrong with one page, as readable sentences (empty when the page is fine)."""
    where = info["url"].removeprefix(base) or "index.html"
    found: list[str] = []
    if info.get("status") != 200:
        found.append(f"{where}: the page itself answered HTTP {info.get('status')}")
    for img in info["images"]:
        if is_internal(img["src"], base) and not (img["complete"] and img["width"] > 0):
            found.append(f"{where}: image did not load: {img['src'].removeprefix(base)} "
                         f"(alt {img['alt']!r})")
    for url in sorted({u for u in info["links"] if is_internal(u, base)}):
        why = link_problem(url)
        if why:
            found.append(f"{where}: link to {url.removeprefix(base) or '/'} {why}")
    for tb in info["tracebacks"]:
        if INTENTIONAL_ERROR_TAG not in tb["tags"]:
            found.append(f"{where}: a Python traceback in a cell not tagged "
                         f"{INTENTIONAL_ERROR_TAG!r}: {tb['text'][:200]!r}")
    for text in info["outputTexts"]:
        for line in text.splitlines():
            if WIDGET_REPR_TEXT.match(line):
                found.append(f"{where}: a widget shown as its Python repr: {line[:100]!r}")
    missing = [m for m in info["widgetViews"] if m not in set(info["widgetStateIds"])]
    if missing:
        found.append(f"{where}: {len(missing)} widget view(s) with no saved widget state "
                     f"(they render as nothing): {missing[:3]}")
    for quiz in info["quizzes"]:
        if not quiz["folded"]:
            found.append(f"{where}: a quiz shows its answer unfolded: {quiz['text'][:80]!r}")
    for img in info["images"]:
        why = alt_problem(img["alt"], img["src"]) if img["output"] else None
        if why:
            found.append(f"{where}: a figure {why}: {img['src'].removeprefix(base)[:80]}")
    found += [f"{where}: {why}" for why in heading_problems(info.get("headings", []))]
    if not info.get("lang", "").strip():
        found.append(f"{where}: the page does not say its language (<html lang=...>)")
    return found


# A file name as alt text: what Sphinx writes when nothing better was given ("_images/1a2b.png").
FILE_NAME = re.compile(r"^[\w./-]*\.(png|jpe?g|gif|svg|webp)$|^[0-9a-f]{16,}", re.I)
MIN_ALT = 20   # characters: "Figure" or "plot" says nothing about what is shown


def alt_problem(alt: str, src: str = "") -> str | None:
    """Why ``alt`` does not describe a figure (empty, a file name, too short), or None."""
    text = (alt or "").strip()
    if not text:
        return "has no alt text"
    name = src.rsplit("/", 1)[-1].split("?", 1)[0]
    if FILE_NAME.search(text) or (name and name in text):
        return f"has a file name as its alt text ({text[:60]!r})"
    if len(text) < MIN_ALT:
        return f"has alt text too short to say what it shows ({text!r})"
    return None


def heading_problems(headings: list[dict[str, Any]]) -> list[str]:
    """One h1 per page, and no level skipped on the way down (h2 -> h4)."""
    found = []
    ones = [h["text"] for h in headings if h["level"] == 1]
    if len(ones) != 1:
        found.append(f"{len(ones)} h1 headings (one per page): {ones[:3]}")
    level = 0
    for h in headings:
        if h["level"] > level + 1:
            found.append(f"heading h{h['level']} {h['text']!r} follows h{level} (a level "
                         f"skipped)")
        level = h["level"]
    return found


def banner_problems(infos: list[dict[str, Any]], base: str) -> list[str]:
    """On a site built on the stand-in (any page's output says so), every page has the banner."""
    if not any(info["standin"] for info in infos):
        return []
    return [f"{info['url'].removeprefix(base) or 'index.html'}: built on the stand-in "
            f"but no .{BANNER_CLASS} banner at the top" for info in infos if not info["banner"]]


def lesson_links(index_info: dict[str, Any], base: str) -> list[str]:
    """Lesson page URLs in the order the home page's navigation lists them (no duplicates)."""
    seen: list[str] = []
    for url in index_info["links"]:
        url = url.split("#", 1)[0]
        name = url.removeprefix(base)
        if is_internal(url, base) and re.fullmatch(r"\d\d_[\w]+\.html", name) and url not in seen:
            seen.append(url)
    return seen


# Accessibility: axe-core (WCAG 2.1 A and AA) on every page --------------------------------------
#
# axe-core is Deque's rule engine, the one browsers' own accessibility audits use; the PyPI
# package axe-playwright-python (a dev extra) ships its axe.min.js. We run it ourselves, on the
# whole page, with only the WCAG 2.0/2.1 A and AA rules: nothing is excluded from the scan.

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN_AXE = """
async (tags) => {
  // Every rule tagged with one of ``tags``, the experimental ones too (axe leaves those out of
  // a plain tag run; label-content-name-mismatch, WCAG 2.5.3, is one of them).
  const rules = axe.getRules(tags).map(r => r.ruleId);
  const result = await axe.run(document, {runOnly: {type: 'rule', values: rules},
                                          resultTypes: ['violations']});
  return {version: axe.version, rules: rules.length, violations: result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                              summary: (n.failureSummary || '').slice(0, 300)}))}))};
}
"""


def axe_script() -> str:
    """The text of axe.min.js from the axe-playwright-python package (ImportError if missing)."""
    from axe_playwright_python.base import AXE_FILE_PATH

    return Path(AXE_FILE_PATH).read_text(encoding="utf-8")


def start_axe(page: Any, tags: list[str] = AXE_TAGS) -> None:
    """Start axe-core on the page open in ``page`` and return at once (:func:`axe_result` waits):
    each browser context has its own renderer process, so two pages' scans run side by side."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_script())
    page.evaluate("(tags) => { window.cnncourseAxe = (" + _RUN_AXE.strip() + ")(tags); }", tags)


def axe_result(page: Any) -> dict[str, Any]:
    """What the scan :func:`start_axe` started found: ``{"version", "violations": [...]}``."""
    return page.evaluate("() => window.cnncourseAxe")


def axe_violations(page: Any, tags: list[str] = AXE_TAGS) -> dict[str, Any]:
    """Run axe-core on the page open in ``page``: ``{"version", "violations": [...]}``."""
    start_axe(page, tags)
    return axe_result(page)


def axe_counts(violations: list[dict[str, Any]]) -> dict[str, int]:
    """Violation nodes per rule id, e.g. ``{"color-contrast": 26}``."""
    counts: dict[str, int] = {}
    for v in violations:
        counts[v["id"]] = counts.get(v["id"], 0) + len(v["nodes"])
    return dict(sorted(counts.items()))


def axe_report(where: str, violations: list[dict[str, Any]], per_rule: int = 3) -> list[str]:
    """Readable lines: one per rule, then a few of its nodes with what to fix."""
    lines = []
    for v in violations:
        lines.append(f"{where}: {v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}")
        for node in v["nodes"][:per_rule]:
            lines.append(f"    {node['target']}: {node['html'][:120]!r}")
            if node["summary"]:
                lines.append(f"      {node['summary'].splitlines()[-1][:200]}")
    return lines


# The screen reader and the keyboard: what tests/e2e/site/test_screen_reader.py judges ----------

# In the page: maths, widgets, cells, copy buttons, the current lesson, leftover TeX.
_STATE = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise)
    await MathJax.startup.promise;
  const views = document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-view+json"]');
  // The widget manager draws each view into a .widget-* element beside its script.
  const deadline = Date.now() + 10000;
  const drawn = () => Array.from(views).filter(s => s.parentElement.querySelector(
      '.jupyter-widgets:not(.jupyter-widgets-error), .widget-box, .widget-inline-hbox, '
      + '.widget-html, .widget-label, .widget-progress')).length;
  while (drawn() < views.length && Date.now() < deadline)
    await new Promise(r => setTimeout(r, 100));
  const prose = document.querySelector('main').cloneNode(true);
  prose.querySelectorAll('.cell, pre, code, script, mjx-container').forEach(n => n.remove());
  return {
    maths: document.querySelectorAll('mjx-container').length,
    widgetViews: views.length, widgetsDrawn: drawn(),
    widgetErrors: document.querySelectorAll('.jupyter-widgets-error').length,
    codeCells: document.querySelectorAll('.cell_input').length,
    outputs: document.querySelectorAll('.cell_output').length,
    outputCopyButtons: document.querySelectorAll('.cell_output button.copybtn').length,
    current: Array.from(document.querySelectorAll('.bd-sidenav [aria-current="page"]'))
        .map(a => a.textContent.trim()),
    rawTex: (prose.textContent.match(/\\\\(frac|left|right|lfloor|rfloor|text|cdot)\\b/g)
             || []).slice(0, 3),
  };
}
"""

# In the page: every element a keyboard user should reach, each given a number.
_TAB_TARGETS = """
() => {
  const selector = 'a[href], button, input, select, textarea, summary, [tabindex]';
  const found = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.disabled || el.closest('[inert], [aria-hidden="true"]')) continue;
    if (el.getAttribute('tabindex') === '-1') continue;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    el.dataset.tabTarget = found.length;
    found.push((el.outerHTML || '').slice(0, 120));
  }
  return found;
}
"""


def ax_tree(context, page) -> list[dict]:
    """The page's accessibility tree, the nodes a screen reader is given (ignored ones out)."""
    session = context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    return [{"role": n.get("role", {}).get("value", ""),
             "name": str(n.get("name", {}).get("value", "")),
             "focusable": any(p["name"] == "focusable" and p["value"].get("value")
                              for p in n.get("properties", []))}
            for n in nodes if not n.get("ignored")]


# In the page: what has the focus (its number, "out" when focus left the page) and whether
# it shows a focus ring (an outline or a box shadow).
_FOCUSED = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return ['out', true];
  const s = getComputedStyle(el);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
               || s.boxShadow !== 'none';
  return [el.dataset?.tabTarget ?? null, ring];
}
"""


def tab_walk(page, limit: int = 400) -> tuple[set[int], set[int], int]:
    """Press Tab from the top of the page until focus leaves it or comes round again: the
    numbered targets it reached, those that showed no focus ring, and the presses taken."""
    page.evaluate("() => { window.scrollTo(0, 0); document.activeElement?.blur(); }")
    reached: set[int] = set()
    no_ring: set[int] = set()
    presses = 0
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        mark, ring = page.evaluate(_FOCUSED)
        if mark == "out" and reached:
            break                                        # left the page (browser chrome)
        if mark in ("out", None):
            continue                                     # e.g. a scrollable output
        if int(mark) in reached and presses > 1:
            break
        reached.add(int(mark))
        if not ring:
            no_ring.add(int(mark))
    return reached, no_ring, presses


def read_for_reader(context: Any, page: Any) -> dict[str, Any]:
    """The page open in ``page`` as a screen reader and the keyboard get it: its state (after
    MathJax and the widgets), its Tab targets and walk, then its accessibility tree."""
    state = page.evaluate(_STATE)
    targets = page.evaluate(_TAB_TARGETS)
    reached, no_ring, presses = tab_walk(page, limit=2 * len(targets) + 20)
    return {"state": state, "tree": ax_tree(context, page), "targets": targets,
            "reached": reached, "noRing": no_ring, "presses": presses}
