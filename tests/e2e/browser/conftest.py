"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium per session.

Skips (never passes silently) when Playwright or Chromium is missing, and says how to get
them. Screenshots go to ``build/browser-screenshots/`` (or ``$CNNCOURSE_SCREENSHOTS``); the
folder is printed at the end of the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .labpage import NotebookPage
from .labserver import JupyterLabServer
from .scratch import write_scratch_notebooks

REPO = Path(__file__).resolve().parents[3]
NOTEBOOKS = REPO / "notebooks"
SCRATCH_DIR = "_browser_scratch"   # inside the served copy of notebooks/

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]

HOW_TO_ENABLE = ("To run the browser tests: `sudo apt-get install -y chromium` (Debian/Ubuntu; "
                 "or set CNNCOURSE_CHROMIUM=/path/to/chromium) and `pip install playwright` "
                 "(in the course's dev extras: pip install -e '.[dev]').")


def find_chromium() -> str | None:
    """Path of a Chromium to drive: $CNNCOURSE_CHROMIUM, the system one, else None."""
    env = os.environ.get("CNNCOURSE_CHROMIUM", "").strip()
    if env:
        if not Path(env).is_file():
            raise FileNotFoundError(f"CNNCOURSE_CHROMIUM={env!r} is not a file; point it at a "
                                    f"Chromium executable or unset it.")
        return env
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def unavailable_reason() -> str | None:
    """Why the browser tests cannot run here (with how to fix it), or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return f"Playwright for Python is not installed. {HOW_TO_ENABLE}"
    if find_chromium() is None:
        return f"No Chromium found. {HOW_TO_ENABLE}"
    return None


def screenshot_dir() -> Path:
    """Where screenshots go; created on demand."""
    env = os.environ.get("CNNCOURSE_SCREENSHOTS", "").strip()
    return Path(env).expanduser().resolve() if env else REPO / "build" / "browser-screenshots"


_SHOTS_USED: list[Path] = []
_SUMMARIES: list[str] = []   # one line per notebook run, printed at the end


@pytest.fixture(scope="session")
def shots() -> Path:
    """The screenshot folder, emptied of old PNGs at the start of the session."""
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    _SHOTS_USED.append(folder)
    print(f"\nbrowser screenshots: {folder}")
    return folder


# The `chromium` fixture lives in tests/e2e/conftest.py: one Playwright per test session, shared
# with the website test (two sync Playwright instances at once refuse to start).


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory, chromium: object) -> JupyterLabServer:
    """JupyterLab serving a temporary copy of notebooks/ plus the scratch notebooks."""
    workdir = tmp_path_factory.mktemp("jupyterlab")
    source = NOTEBOOKS if NOTEBOOKS.is_dir() else workdir / "empty"
    source.mkdir(exist_ok=True)
    server = JupyterLabServer(source, workdir)
    write_scratch_notebooks(server.root / SCRATCH_DIR)
    with server:
        yield server


@pytest.fixture
def notebook_page(request: pytest.FixtureRequest, chromium: object, lab: JupyterLabServer,
                  shots: Path):
    """Factory: ``notebook_page("03_convolution.ipynb")`` opens it in a fresh browser tab.

    Each tab is closed and its kernel shut down after the test, pass or fail; a failing
    test leaves a ``<notebook>-FAILED.png`` screenshot.
    """
    opened: list[tuple[object, NotebookPage]] = []

    def open_notebook(path: str) -> NotebookPage:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        page = NotebookPage(context.new_page(), lab, path, shots)
        opened.append((context, page))
        return page

    yield open_notebook
    report = getattr(request.node, "rep_call", None)
    failed = report is None or report.failed
    for context, page in opened:
        if failed:
            print(f"failure screenshot: {page.screenshot('FAILED')}")
        _SUMMARIES.extend(report.summary() for report in page.reports)
        if page.console:
            print(f"browser console for {page.notebook}:\n  " + "\n  ".join(page.console[:30]))
        context.close()
    lab.shutdown_kernels()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep the test's call report on the item, so fixtures know whether it failed."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def pytest_terminal_summary(terminalreporter: object) -> None:
    """List each notebook's run and say where the screenshots are."""
    for line in _SUMMARIES:
        terminalreporter.write_line(f"browser: {line}")
    for folder in _SHOTS_USED:
        count = len(list(folder.glob("*.png")))
        terminalreporter.write_line(f"browser screenshots ({count}): {folder}")
