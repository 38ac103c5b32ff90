"""Fast checks (no browser) of how the harness judges a run and when it skips."""

from __future__ import annotations

import sys

import pytest

from . import conftest
from .labpage import WIDGET_MIME, RunReport, problems


def _cell(index=1, count=1, outputs=(), kinds=(), text=""):
    return {"index": index, "type": "code", "source": "x = 1", "count": count,
            "outputs": list(outputs), "domKinds": list(kinds), "domText": text}


def _widget_output(model_id="m1"):
    return {"type": "display_data", "name": None, "mimes": [WIDGET_MIME, "text/plain"],
            "modelId": model_id, "text": "", "traceback": ""}


def _image(**kw):
    return {"complete": True, "width": 100, "height": 80, "blank": False, "inWidget": False, **kw}


def test_a_clean_run_has_no_problems():
    cells = [_cell(outputs=[_widget_output()], kinds=["widget"]),
             {"index": 2, "type": "markdown", "source": "# hi"}]
    assert problems(cells, [_image()]) == []


@pytest.mark.parametrize("cell, expected", [
    (_cell(count=None), "did not run"),
    (_cell(outputs=[{"type": "error", "name": None, "ename": "ValueError", "evalue": "bad",
                     "traceback": "\x1b[31mValueError\x1b[0m: bad", "mimes": [], "modelId": None,
                     "text": ""}]), "raised ValueError: bad"),
    (_cell(outputs=[{"type": "stream", "name": "stderr", "text": "Traceback (most recent call "
                     "last):\n  boom", "mimes": [], "modelId": None, "traceback": ""}]),
     "printed a traceback"),
    (_cell(outputs=[_widget_output()], kinds=["text/plain"],
           text="VBox(children=(Button(description='A'),))"), "shown as ['text/plain']"),
    (_cell(outputs=[_widget_output()], kinds=["text/plain"],
           text="VBox(children=(Button(description='A'),))"), "widget as plain text"),
    (_cell(outputs=[_widget_output()], kinds=["text"], text="Error displaying widget: model "
           "not found"), "widget error"),
    (_cell(outputs=[_widget_output()], kinds=["text"], text="Loading widget..."), "widget error"),
    (_cell(outputs=[_widget_output("a"), _widget_output("a")], kinds=["widget", "widget"]),
     "shows the same widget twice"),
])
def test_each_kind_of_breakage_is_reported(cell, expected):
    found = problems([cell], [])
    assert any(expected in p for p in found), found


def test_tracebacks_lose_their_colour_codes():
    cell = _cell(outputs=[{"type": "error", "name": None, "ename": "E", "evalue": "v",
                           "traceback": "\x1b[0;31mE\x1b[0m: v", "mimes": [], "modelId": None,
                           "text": ""}])
    (message,) = problems([cell], [])
    assert "\x1b" not in message


@pytest.mark.parametrize("image, expected", [
    (_image(complete=False), "did not load"),
    (_image(width=0), "did not load"),
    (_image(blank=True), "one flat colour"),
])
def test_broken_and_blank_images_are_reported(image, expected):
    found = problems([], [image])
    assert len(found) == 1 and expected in found[0], found


def test_figures_count_only_loaded_images():
    report = RunReport("nb.ipynb", 1.0, [], [_image(), _image(width=0), _image(inWidget=True)])
    assert len(report.figures) == 2
    assert "2 images rendered" in report.summary()


def test_skips_with_instructions_when_chromium_is_missing(monkeypatch):
    monkeypatch.delenv("CNNCOURSE_CHROMIUM", raising=False)
    monkeypatch.setattr(conftest.shutil, "which", lambda name: None)
    monkeypatch.setattr(conftest.Path, "is_file", lambda self: False)
    reason = conftest.unavailable_reason()
    assert reason is not None and "apt-get install -y chromium" in reason
    assert "pip install playwright" in reason


def test_skips_with_instructions_when_playwright_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)   # import now fails
    reason = conftest.unavailable_reason()
    assert reason is not None and reason.startswith("Playwright for Python is not installed")


def test_a_wrong_chromium_override_is_an_error_not_a_skip(monkeypatch, tmp_path):
    monkeypatch.setenv("CNNCOURSE_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(FileNotFoundError, match="CNNCOURSE_CHROMIUM"):
        conftest.find_chromium()
