"""The browser harness proves itself on scratch notebooks: it sees live widgets and figures in a
healthy notebook, and it reports the errors in a notebook broken on purpose."""

from __future__ import annotations

import pytest

from .conftest import SCRATCH_DIR
from .scratch import BROKEN, GOOD, NO_KERNELSPEC

pytestmark = pytest.mark.browser


def test_scratch_notebook_renders_figures_and_live_widgets(notebook_page):
    page = notebook_page(f"{SCRATCH_DIR}/{GOOD}")
    report = page.open_and_run_clean(timeout=180)
    assert all(c["count"] is not None for c in report.cells if c["type"] == "code")
    # The ReLU figure (a cell output) and the playground image (inside a widget).
    assert any(not i["inWidget"] for i in report.figures), report.images
    assert any(i["inWidget"] for i in report.figures), report.images

    assert page.live_widgets("cnncourse-quiz").count() == 1
    feedback = page.answer_quiz(option=1)
    assert "Right" in feedback and "Why" in feedback, feedback

    # The scratch playground (dropdown + Output), the package's playground (dropdown + Image)
    # and the package's stepper (IntSlider + Image).
    for css_class, index in [("cnncourse-playground", 0), ("cnncourse-playground", 1),
                             ("cnncourse-stepper", 0)]:
        before, after, changed = page.change_widget(css_class, index)
        print(f"{css_class}[{index}]: {changed}; image {before[0][:12]} -> {after[0][:12]}")
        assert after and after != before, f"{css_class}[{index}] image did not change: {changed}"


def test_harness_reports_errors_and_broken_widgets(notebook_page):
    page = notebook_page(f"{SCRATCH_DIR}/{BROKEN}")
    page.open()
    report = page.run_all_and_report(timeout=180)
    print(report.summary())
    page.screenshot_notebook("02-ran")
    text = "\n".join(report.problems)
    assert "raised ZeroDivisionError" in text, text
    assert "did not run" in text and "unreachable" in text, text
    assert "widget error" in text, text
    assert "shows the same widget twice" in text, text
    # The static quiz is on the page but is not a live widget.
    assert page.page.locator(".cnncourse-quiz").count() == 1
    assert page.live_widgets("cnncourse-quiz").count() == 0
    # The figure before the errors still rendered.
    assert len(report.figures) == 1, report.images


def test_harness_fails_when_jupyterlab_asks_for_a_kernel(notebook_page):
    page = notebook_page(f"{SCRATCH_DIR}/{NO_KERNELSPEC}")
    with pytest.raises(AssertionError, match="a dialog opened with the notebook"):
        page.open(timeout=60)
