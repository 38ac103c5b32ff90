"""The website with the network cut, read as a screen reader reads it.

Every page is opened in headless Chromium with every request that does not go to the local
server refused, and must need none: no request fails, MathJax renders the maths, and the
embedded widgets draw. Then the page is read through Chromium's accessibility tree (CDP
``Accessibility.getFullAXTree``, what a screen reader is given) and the keyboard alone:

- no raw Markdown table syntax (``| a | b |``, ``|---|``) reaches the reader;
- the figures whose lesson draws a conclusion carry its numbers in their descriptions;
- maths is exposed as MathML (MathJax's assistive MathML), one ``math`` node per formula;
- each cell's code and output are groups named "Code" and "Output";
- every interactive control is reachable by Tab, has a name and shows a focus outline; the
  current lesson in the navigation is marked ``aria-current="page"``; no copy button sits on
  an output.

Skips like tests/e2e/site/test_site_pages.py: without Chromium/Playwright or without a built site.
"""

from __future__ import annotations

import re

import pytest
from sitecheck import StaticServer, find_site, lesson_links, read_page

pytestmark = pytest.mark.browser

# Raw Markdown table syntax: a delimiter row (|---|, | :-- |, or the em dashes typography
# turns "---" into), or a line of three or more cells between pipes.
MARKDOWN_TABLE = re.compile(r"\|\s*:?(-{3,}|—)\s*:?\|(?:\s*:?(-{3,}|—)\s*:?\|)+"
                            r"|^\s*\|[^|\n]+\|[^|\n]+\|[^|\n]+\|\s*$", re.M)
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")
# Figures whose lesson text draws a conclusion from them: (page, the figure's description
# starts with, what it must say in numbers, how many numbers at least).
CHARTS = [
    ("00_start_here.html", r"^(stand-in|CIFAR-10 training) image 0 .*: a 8x8 crop",
     r"The values, row by row from column \d+: row \d+: (\d+ ){7}\d+;", 64),
    ("08_build_a_cnn_in_pytorch.html", r"^Validation confusion matrix",
     r"Largest off-diagonal cells: true \w[\w -]* predicted \w[\w -]* \d\.\d\d.*"
     r"Most-predicted class \(brightest column\): \w[\w -]*, \d+% of the predictions", 5),
    ("08_build_a_cnn_in_pytorch.html", r"^Two bar charts.*recall",
     r"recall per class \(chance 10%\): (\w[\w -]* \d+%, ){9}\w[\w -]* \d+%\.", 30),
    ("09_under_the_hood.html", r"^conv1 filters after training",
     r"Neighbouring weights correlate [+-]\d\.\d\d", 4),
    ("09_under_the_hood.html", r"^conv1 filters at initialisation",
     r"Neighbouring weights correlate [+-]\d\.\d\d", 4),
]
INTERACTIVE = {"button", "link", "checkbox", "radio", "textbox", "searchbox", "combobox",
               "slider", "spinbutton", "switch", "tab", "menuitem", "listbox",
               "DisclosureTriangle"}

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


@pytest.fixture(scope="module")
def readings(chromium):
    """Each page read offline: its failed requests, its state, its tree and its Tab walk."""
    root, how = find_site()
    if root is None:
        pytest.skip(how)
    with StaticServer(root) as server:
        base = server.url
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        context.route(re.compile(r"^(?!" + re.escape(base) + ")"), lambda route: route.abort())
        page = context.new_page()
        failed: list[str] = []
        page.on("requestfailed", lambda r: failed.append(f"{r.url[:120]} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and failed.append(
            f"{r.url[:120]} (HTTP {r.status})"))
        home = read_page(page, base + "index.html")
        out = []
        for url in [base + "index.html"] + lesson_links(home, base):
            failed.clear()
            page.goto(url, wait_until="load")
            state = page.evaluate(_STATE)
            targets = page.evaluate(_TAB_TARGETS)
            reached, no_ring, presses = tab_walk(page, limit=2 * len(targets) + 20)
            out.append({"page": url.removeprefix(base), "failed": sorted(set(failed)),
                        "state": state, "tree": ax_tree(context, page), "targets": targets,
                        "reached": reached, "noRing": no_ring, "presses": presses})
        context.close()
    return out


def test_no_page_needs_the_network(readings):
    found = [f"{r['page']}: {f}" for r in readings for f in r["failed"]]
    assert not found, "requests failed with the network cut:\n  " + "\n  ".join(found)


def test_maths_renders_offline_and_reaches_the_reader_as_mathml(readings):
    maths = {r["page"]: r["state"]["maths"] for r in readings}
    assert maths.get("03_convolution.html", 0) > 0, f"no maths rendered on 03: {maths}"
    for r in readings:
        assert not r["state"]["rawTex"], f"{r['page']}: raw TeX in the text {r['state']}"
        mathml = sum(1 for n in r["tree"] if n["role"] in ("MathMLMath", "math"))
        assert mathml >= r["state"]["maths"], (
            f"{r['page']}: {r['state']['maths']} formulas but {mathml} MathML nodes in the "
            f"accessibility tree (assistive MathML missing?)")


def test_embedded_widgets_draw_offline(readings):
    views = sum(r["state"]["widgetViews"] for r in readings)
    for r in readings:
        s = r["state"]
        assert s["widgetErrors"] == 0 and s["widgetsDrawn"] == s["widgetViews"], (r["page"], s)
    print(f"site offline: {views} embedded widget views drawn")


def test_no_raw_markdown_table_reaches_the_reader(readings):
    found = [f"{r['page']}: {n['role']} {n['name'][:160]!r}" for r in readings
             for n in r["tree"] if MARKDOWN_TABLE.search(n["name"])]
    assert not found, "raw Markdown table syntax in the accessibility tree:\n  " + \
        "\n  ".join(found)
    tables = [r["page"] for r in readings if any(n["role"] == "table" for n in r["tree"])]
    assert "12_capstone.html" in tables and "09_under_the_hood.html" in tables, tables


def test_charts_carry_their_numbers(readings):
    pages = {r["page"]: r for r in readings}
    for name, figure, says, numbers in CHARTS:
        images = [n["name"] for n in pages[name]["tree"] if n["role"] in ("image", "img")
                  and re.search(figure, n["name"])]
        assert images, f"{name}: no figure described as {figure!r}"
        for text in images:
            assert re.search(says, text), f"{name}: {text[:300]!r} does not say {says!r}"
            assert len(NUMBER.findall(text)) >= numbers, (name, text[:300])


def test_code_and_output_are_labelled(readings):
    for r in readings:
        names = [n["name"] for n in r["tree"] if n["role"] == "group"]
        s = r["state"]
        assert names.count("Code") == s["codeCells"], (r["page"], names.count("Code"), s)
        assert names.count("Output") == s["outputs"], (r["page"], names.count("Output"), s)
        assert s["outputCopyButtons"] == 0, f"{r['page']}: copy buttons on outputs {s}"


def test_every_control_is_reachable_by_tab_and_named(readings):
    for r in readings:
        unnamed = [f"{n['role']}" for n in r["tree"]
                   if n["role"] in INTERACTIVE and n["focusable"] and not n["name"].strip()]
        assert not unnamed, f"{r['page']}: controls without a name: {unnamed[:5]}"
        missed = [r["targets"][i] for i in range(len(r["targets"])) if i not in r["reached"]]
        assert not missed, (f"{r['page']}: {len(missed)} of {len(r['targets'])} controls not "
                            f"reached by Tab ({r['presses']} presses), e.g. {missed[:3]}")
        faint = [r["targets"][i] for i in sorted(r["noRing"])]
        assert not faint, f"{r['page']}: {len(faint)} controls show no focus outline: {faint[:3]}"
        if r["page"] != "index.html":
            assert len(r["state"]["current"]) == 1, (r["page"], r["state"]["current"])
    stops = {r["page"]: len(r["targets"]) for r in readings}
    print(f"site: Tab stops per page {stops}")
