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

@pytest.fixture(scope="module")
def readings(pages):
    """Each page as the reader got it: read once, offline, with the light-mode checks
    (``conftest.py``): its failed requests, its state, its tree and its Tab walk."""
    return [info["reader"] for info in pages]


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
