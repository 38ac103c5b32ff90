"""Test defaults: offline, quick mode, a throwaway data folder, and a non-GUI plot backend.

`make test` sets these too; the defaults make a bare `pytest` run just as safe. Notebook
kernels started by nbval inherit this environment.
"""

import os
import tempfile

os.environ.setdefault("CNNCOURSE_QUICK", "1")
os.environ.setdefault("CNNCOURSE_OFFLINE", "1")
os.environ.setdefault("CNNCOURSE_DATA", tempfile.mkdtemp(prefix="cnncourse-test-data-"))
# The capstone leaderboard goes to a throwaway file, never the tester's own.
os.environ.setdefault("CNNCOURSE_LEADERBOARD",
                      os.path.join(tempfile.mkdtemp(prefix="cnncourse-test-lb-"), "leaderboard.csv"))

import matplotlib  # noqa: E402
import pytest  # noqa: E402

matplotlib.use("Agg")


@pytest.fixture
def clean_data_state(monkeypatch, tmp_path_factory):
    """Fresh data-layer caches, no quick/offline flags, and an empty data folder."""
    from cnncourse.data import files, messages

    monkeypatch.setattr(files, "_verified", {})
    monkeypatch.setattr(files, "_md5s", {})
    monkeypatch.setattr(messages, "_told", set())
    for var in ("CNNCOURSE_QUICK", "CNNCOURSE_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CNNCOURSE_DATA", str(tmp_path_factory.mktemp("default-data")))


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium through Playwright, one for the whole session.

    The JupyterLab test (tests/browser) and the website test (tests/site) share it: a second
    sync Playwright started while the first is alive fails ("Sync API inside the asyncio
    loop"). Skips with install instructions when Chromium or Playwright is missing.
    """
    from browser.conftest import CHROMIUM_ARGS, find_chromium, unavailable_reason

    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            yield browser
        finally:
            browser.close()
