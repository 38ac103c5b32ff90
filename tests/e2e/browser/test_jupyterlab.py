"""The course notebooks in a real JupyterLab: Run All in quick+offline mode, then check what a
learner sees. No errors, figures drawn, quizzes and kernel playgrounds alive and responsive.

By default the notebooks in ``REQUIRED`` run; ``CNNCOURSE_BROWSER_NOTEBOOKS=all`` runs every
notebook in ``notebooks/``, and a comma-separated list of stems runs just those.
"""

from __future__ import annotations

import os

import pytest

from .conftest import NOTEBOOKS

pytestmark = pytest.mark.browser

# Notebook -> widgets it must show (CSS classes of the cnncourse widgets).
REQUIRED = {
    "00_start_here.ipynb": ["cnncourse-quiz"],
    "03_convolution.ipynb": ["cnncourse-playground"],
    "08_build_a_cnn_in_pytorch.ipynb": [],
}


# The notebook whose quizzes are answered by keyboard and whose figures are checked in the dark
# theme (it has both, and it runs in every default browser run).
ACCESSIBLE = "00_start_here.ipynb"


def check_keyboard_and_dark_theme(page) -> None:
    """Quizzes work without a mouse; figures say what they show and stay readable in the dark."""
    quizzes = page.live_widgets("cnncourse-quiz").count()
    for index, key in [(i, "Enter" if i % 2 == 0 else " ") for i in range(min(quizzes, 2))]:
        option, feedback = page.answer_quiz_by_keyboard(index, key)
        print(f"keyboard: Tab to {option[:40]!r}, {key!r} -> {feedback[:60]!r}")
        assert option.startswith("A."), option                  # Tab reaches the first option
        assert "Why" in feedback and ("Right" in feedback or "Not quite" in feedback), feedback
    assert quizzes, f"{ACCESSIBLE} has no live quiz to answer by keyboard"

    light = page.set_theme("JupyterLab Dark")
    assert not light, "the theme did not switch to a dark one"
    background = page.page.evaluate(
        "() => getComputedStyle(document.querySelector('.jp-Notebook')).backgroundColor")
    figure = page.figure_pixels(0)
    shot = page.screenshot("04-dark-figure",
                           page.page.locator(".jp-Notebook .jp-OutputArea-output img").first)
    page.set_theme("JupyterLab Light")
    print(f"dark theme: notebook background {background}; figure {figure}; screenshot {shot}")
    assert len(figure["alt"]) >= 20 and not figure["alt"].endswith(".png"), figure
    assert figure["minAlpha"] == 255, f"the figure has see-through pixels: {figure}"
    assert figure["marginBrightness"] > 240, f"the figure is not on a light background: {figure}"
    from PIL import Image

    pixels = Image.open(shot).convert("RGB")
    corner = pixels.getpixel((2, 2))
    assert min(corner) > 200, f"the figure's corner is {corner} in the dark-theme screenshot"


def _selected() -> list[str]:
    choice = os.environ.get("CNNCOURSE_BROWSER_NOTEBOOKS", "").strip()
    if choice == "all":
        return sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if choice:
        return [name if name.endswith(".ipynb") else f"{name}.ipynb"
                for name in (n.strip() for n in choice.split(",")) if name]
    return list(REQUIRED)


@pytest.mark.parametrize("notebook", _selected())
def test_notebook_runs_in_jupyterlab(notebook_page, notebook):
    assert (NOTEBOOKS / notebook).is_file(), (
        f"notebooks/{notebook} is missing; if it was renamed, update REQUIRED in {__file__}")
    page = notebook_page(notebook)
    report = page.open_and_run_clean(timeout=300)
    assert report.figures, f"{notebook}: no figure rendered as an image; images: {report.images}"

    for css_class in REQUIRED.get(notebook, []):
        assert page.live_widgets(css_class).count(), (
            f"{notebook}: no live .{css_class} widget (static fallback or missing)")

    if page.live_widgets("cnncourse-quiz").count():
        feedback = page.answer_quiz(index=0, option=0)
        print(f"quiz feedback: {feedback!r}")
        assert "Why" in feedback and ("Right" in feedback or "Not quite" in feedback), feedback

    if notebook == ACCESSIBLE:
        check_keyboard_and_dark_theme(page)

    for css_class in ("cnncourse-playground", "cnncourse-stepper"):
        if page.live_widgets(css_class).count():
            before, after, changed = page.change_widget(css_class)
            print(f"{css_class}: {changed}; image {before[0][:12]} -> {after[0][:12]}")
            assert after != before, f"{notebook}: .{css_class} image did not change after {changed}"
