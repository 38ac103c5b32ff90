"""The course website in headless Chromium: every page, figure and link, and no stray traceback;
axe-core finds no WCAG 2.1 A/AA violation, in light and dark mode; every figure has alt text.

Runs on the site `make test` builds in quick mode (``build/site-quick/_build/html``), or the
one ``$CNNCOURSE_SITE`` names. Skipped, with what to install, when Chromium or Playwright is
missing, and skipped when no site was built (`make test` always builds one first). The
self-test builds a scratch page broken on purpose and proves the same judgement catches it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from sitecheck import (
    AXE_TAGS,
    COLAB_PREFIX,
    INTENTIONAL_ERROR_TAG,
    NOTEBOOKS,
    REPO,
    StaticServer,
    axe_counts,
    axe_report,
    axe_violations,
    banner_problems,
    new_page,
    problems,
    read_page,
)

from cnncourse_instructor.notebooks import colab_url

pytestmark = pytest.mark.browser


def test_every_notebook_is_a_page_in_course_order(pages, site):
    _, base = site
    names = [info["url"].removeprefix(base) for info in pages[1:]]
    expected = [p.with_suffix(".html").name for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
    assert names == expected, f"lesson pages {names} do not match the notebooks {expected}"
    # Previous/next links walk the course in order: home -> 00 -> 01 -> ... -> 11.
    chain = [base + "index.html"] + [info["url"] for info in pages[1:]]
    for here, there in zip(pages, chain[1:]):
        assert here["next"] == there, f"{here['url']}: 'next' goes to {here['next']}, not {there}"
    for here, before in zip(pages[1:], chain):
        assert here["prev"] == before, f"{here['url']}: 'previous' is {here['prev']}, not {before}"


def test_no_broken_image_link_traceback_or_unfolded_quiz(pages, site):
    root, base = site
    found = [p for info in pages for p in problems(info, base)] + banner_problems(pages, base)
    assert not found, "the site has problems:\n  " + "\n  ".join(found)
    figures = sum(1 for info in pages for img in info["images"] if img["output"])
    quizzes = sum(len(info["quizzes"]) for info in pages)
    assert figures >= len(pages) - 1, f"only {figures} figures in cell outputs on {len(pages)} pages"
    assert quizzes > 0, "no quiz on any page: were the quizzes left as widgets?"
    print(f"site: {figures} figures and {quizzes} quizzes checked")


def test_each_lesson_links_colab_and_its_notebook_file(pages, site):
    root, base = site
    for info in pages[1:]:
        name = info["url"].removeprefix(base).replace(".html", ".ipynb")
        # The theme's launch button, and the notebook's own badge, open the same Colab URL.
        assert info["launchLinks"] == [colab_url(name)], (name, info["launchLinks"])
        badges = [u for u in info["links"] if u.startswith(COLAB_PREFIX)]
        assert badges and set(badges) == {colab_url(name)}, (name, badges)
        download = base + f"_sources/{name}"
        assert download in info["downloadLinks"], (name, info["downloadLinks"])
        nb = nbformat.reads((root / "_sources" / name).read_text(encoding="utf-8"), as_version=4)
        assert nb.cells, f"{download} is not a notebook"


def _axe_summary(infos, base, mode):
    counts, lines = {}, []
    for info in infos:
        where = info["url"].removeprefix(base) or "index.html"
        for rule, n in axe_counts(info["axe"]["violations"]).items():
            counts[rule] = counts.get(rule, 0) + n
        lines += axe_report(where, info["axe"]["violations"])
    version = infos[0]["axe"]["version"]
    print(f"site ({mode} mode): axe-core {version}, {infos[0]['axe']['rules']} rules tagged "
          f"{', '.join(AXE_TAGS)}, {len(infos)} pages: {sum(counts.values())} violation "
          f"nodes {counts}")
    return counts, lines


def test_axe_finds_no_wcag_violation_on_any_page(pages, site):
    _, base = site
    counts, lines = _axe_summary(pages, base, "light")
    assert not counts, "axe-core (WCAG 2.1 A and AA) found:\n  " + "\n  ".join(lines)


def test_dark_mode_pages_pass_axe_too(dark_pages, site):
    """The theme follows the reader's system setting; in dark mode every page passes as well."""
    _, base = site
    infos = dark_pages
    assert {info["theme"] for info in infos} == {"dark"}, [i["theme"] for i in infos]
    counts, lines = _axe_summary(infos, base, "dark")
    assert not counts, "axe-core in dark mode found:\n  " + "\n  ".join(lines)


def test_every_figure_has_alt_text_saying_what_it_shows(pages, site):
    _, base = site
    figures = [(info["url"].removeprefix(base), img["alt"]) for info in pages
               for img in info["images"] if img["output"]]
    assert figures
    # problems() already fails an empty, file-name or too-short alt; here: they differ, so
    # they come from each figure's own content, not one sentence pasted on all.
    alts = [alt for _, alt in figures]
    assert len(set(alts)) > 0.8 * len(alts), sorted(alts)[:20]
    print(f"site: {len(figures)} figures, every one with alt text; e.g. {alts[0][:120]!r}")


def test_search_finds_a_lesson(site, chromium):
    _, base = site
    context, page = new_page(chromium, base)
    page.goto(base + "search.html?q=convolution", wait_until="load")
    hits = page.locator("#search-results a")
    hits.first.wait_for(timeout=30_000)
    found = [hits.nth(i).get_attribute("href") for i in range(hits.count())]
    context.close()
    assert any("03_convolution" in (href or "") for href in found), found


# Self-test: a scratch page broken on purpose --------------------------------------------------

def _png() -> str:
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    ax.set(title="a line", xlabel="x", ylabel="y")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _error(tags: list[str]) -> nbformat.NotebookNode:
    cell = new_code_cell("1 / 0", execution_count=1, outputs=[new_output(
        "error", ename="ZeroDivisionError", evalue="division by zero",
        traceback=["---------------------------------------------------------------------------",
                   "ZeroDivisionError                         Traceback (most recent call last)",
                   "Cell In[1], line 1\n----> 1 1 / 0", "ZeroDivisionError: division by zero"])])
    cell.metadata["tags"] = tags
    return cell


def build_broken_site(folder: Path) -> Path:
    """A one-lesson Jupyter Book built with the course's config and banner, broken on purpose."""
    src = folder / "src"
    shutil.copytree(REPO / "site", src)
    config = yaml.safe_load((src / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"      # the outputs below are the test
    (src / "_config.yml").write_text(yaml.safe_dump(config))
    (src / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: 00_broken\n")
    (src / "index.md").write_text("# Scratch site\n\n[the lesson](00_broken.ipynb)\n")
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    nb.cells = [
        new_markdown_cell("# 00 · Broken on purpose\n\n[a lesson that is not there](missing.ipynb)"
                          ' and <a href="gone.html">a page that is not there</a>'),
        new_code_cell("plot()", execution_count=1, outputs=[
            new_output("display_data", data={"image/png": _png(), "text/plain": "<Figure>"})]),
        new_code_cell("load()", execution_count=2, outputs=[new_output(
            "stream", name="stdout", text="cnncourse: using a SYNTHETIC stand-in for CIFAR-10 "
                                          "because the test said so.\n")]),
        _error([]),
        _error([INTENTIONAL_ERROR_TAG]),
        # Sphinx renumbers Markdown headings by depth; an output's own HTML can still skip.
        new_code_cell("faint()", execution_count=4, outputs=[new_output("display_data", data={
            "text/html": "<h4>A heading that skips two levels</h4>"
                         "<p style='color:#bbbbbb;background:#ffffff'>hard to read</p>",
            "text/plain": "hard to read"})]),
        # A Markdown output with a table (display(Markdown(...))): a table on the page.
        new_code_cell("brief()", execution_count=5, outputs=[new_output("display_data", data={
            "text/markdown": "| dataset | target |\n|---|---|\n| mnist | 98.7% |",
            "text/plain": "<IPython.core.display.Markdown object>"})]),
        new_code_cell("widget", execution_count=3, outputs=[new_output("display_data", data={
            "application/vnd.jupyter.widget-view+json":
                {"model_id": "no-such-model", "version_major": 2, "version_minor": 0},
            "text/plain": "VBox(children=(Button(description='A'),))"})]),
    ]
    nbformat.write(nb, src / "00_broken.ipynb")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    run = subprocess.run([str(jupyter_book), "build", "--path-output", str(folder), str(src)],
                         capture_output=True, text=True, timeout=600)
    html = folder / "_build" / "html"
    assert run.returncode == 0 and (html / "00_broken.html").is_file(), run.stdout + run.stderr
    for image in (html / "_images").glob("*.png"):
        image.unlink()                                   # the figure is now a broken image
    return html


def test_the_checks_fail_on_a_broken_page(tmp_path, chromium):
    html = build_broken_site(tmp_path)
    with StaticServer(html) as server:
        context, page = new_page(chromium, server.url)
        infos = [read_page(page, server.url + name) for name in ("index.html", "00_broken.html")]
        axe = axe_violations(page)                       # on 00_broken.html
        markdown_table = page.evaluate("() => Array.from(document.querySelectorAll("
                                       "'.cell_output table th')).map(th => th.textContent)")
        pipes = page.evaluate("() => document.querySelector('main').innerText.includes('|---')")
        missing = read_page(page, server.url + "no_such_page.html")
        context.close()
        found = problems(infos[1], server.url)
        missing_found = problems(missing, server.url)
    report = "\n".join(found)
    assert re.search(r"image did not load: _images/\w+\.png", report), report
    assert "link to gone.html answers HTTP 404" in report, report
    assert re.search(r"#missing\S*, which is not on that page", report), report
    tracebacks = [p for p in found if "traceback" in p]
    assert len(tracebacks) == 1 and "ZeroDivisionError" in tracebacks[0], report  # tagged one ok
    assert "no saved widget state" in report, report
    assert missing_found[0].endswith("answered HTTP 404"), missing_found
    # A Markdown output's table is a table with header cells, not its source.
    assert markdown_table == ["dataset", "target"] and not pipes, markdown_table
    # Accessibility: a figure named by its file, a skipped heading level, faint text.
    assert re.search(r"a figure has a file name as its alt text \('_images/\w+", report), report
    assert "heading h4 'A heading that skips two levels' follows h1" in report, report
    faint = [n["html"] for v in axe["violations"] if v["id"] == "color-contrast" for n in v["nodes"]]
    assert any("hard to read" in h for h in faint), axe_counts(axe["violations"])
    # The banner extension read the stand-in sentence and put the banner on both pages.
    assert infos[1]["standin"] and all(info["banner"] for info in infos), json.dumps(infos)[:500]
    assert banner_problems([{**infos[0], "banner": False}, infos[1]], server.url)
