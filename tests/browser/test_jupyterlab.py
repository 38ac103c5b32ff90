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

    for css_class in ("cnncourse-playground", "cnncourse-stepper"):
        if page.live_widgets(css_class).count():
            before, after, changed = page.change_widget(css_class)
            print(f"{css_class}: {changed}; image {before[0][:12]} -> {after[0][:12]}")
            assert after != before, f"{notebook}: .{css_class} image did not change after {changed}"
