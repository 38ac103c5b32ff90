"""Test defaults: offline, quick mode, a throwaway data folder, and a non-GUI plot backend.

`make test` sets these too; the defaults make a bare `pytest` run just as safe. Notebook
kernels started by nbval inherit this environment.

Order does not matter: pytest-randomly shuffles the tests (`-p randomly`, `--randomly-seed=N`
to repeat an order), and every test starts from its own fixed random state (`_own_seed`).
A notebook's cells, collected by nbval, keep their order.
"""

import os
import tempfile
import zlib

os.environ.setdefault("CNNCOURSE_QUICK", "1")
os.environ.setdefault("CNNCOURSE_OFFLINE", "1")
os.environ.setdefault("CNNCOURSE_DATA", tempfile.mkdtemp(prefix="cnncourse-test-data-"))
# The capstone leaderboard goes to a throwaway file, never the tester's own.
os.environ.setdefault("CNNCOURSE_LEADERBOARD",
                      os.path.join(tempfile.mkdtemp(prefix="cnncourse-test-lb-"), "leaderboard.csv"))

import matplotlib  # noqa: E402
import pytest  # noqa: E402

matplotlib.use("Agg")


def pytest_configure(config):
    config.addinivalue_line("markers", "notebooks: executes notebooks in a kernel (`make test`; "
                                       "`make check` leaves them out)")


@pytest.fixture(autouse=True)
def _own_seed(request):
    """Each test starts from a random state fixed by its own name, whatever ran before it.

    A test that builds a model or draws random numbers therefore gets the same numbers in any
    order; tests that train still seed explicitly where the numbers matter.
    """
    import random

    import numpy as np
    import torch

    seed = zlib.crc32(request.node.nodeid.encode())
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Keep each notebook's cells (nbval items) together and in order.

    pytest-randomly shuffles items within a module, and nbval's cells belong to none, so
    without this a notebook's cells would run out of order. Notebooks still come in a random
    order (that of their first cell), and the other tests stay where randomly put them.
    """
    cells = [item for item in items if hasattr(item, "cell_num")]
    if not cells:
        return
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        if hasattr(item, "cell_num"):
            first.setdefault(str(item.fspath), i)
    ordered = sorted(cells, key=lambda item: (first[str(item.fspath)], item.cell_num))
    others = [item for item in items if not hasattr(item, "cell_num")]
    items[:] = others + ordered


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
    monkeypatch.setenv("CNNCOURSE_CACHE", str(tmp_path_factory.mktemp("user-cache")))


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
