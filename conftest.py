"""What every pytest run in this repository needs, whatever paths it is given.

pytest loads this file for ``pytest tests/...``, ``pytest --nbval-lax notebooks/...`` and any
subset, so a run is safe from the project root however it is started:

- offline, quick mode, a throwaway data folder and leaderboard (unless set already), and a
  non-GUI plot backend; notebook kernels started by nbval inherit this environment;
- with pytest-xdist (``-n 2``), each worker gets its own data folder and leaderboard, so no
  two workers write the same files, and its notebook kernels get its share of the cores
  (``CNNCOURSE_THREADS``), so workers do not fight over them;
- a notebook's cells (nbval items) run in order, whatever pytest-randomly does.

Test fixtures (each test's own random state, the shared Chromium) are in ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import tempfile

import pytest


def _safe_environment() -> None:
    """Offline, quick, throwaway folders; one data folder and leaderboard per xdist worker."""
    os.environ.setdefault("CNNCOURSE_QUICK", "1")
    os.environ.setdefault("CNNCOURSE_OFFLINE", "1")
    os.environ.setdefault("CNNCOURSE_DATA", tempfile.mkdtemp(prefix="cnncourse-test-data-"))
    # The capstone leaderboard goes to a throwaway file, never the tester's own.
    os.environ.setdefault("CNNCOURSE_LEADERBOARD", os.path.join(
        tempfile.mkdtemp(prefix="cnncourse-test-lb-"), "leaderboard.csv"))
    worker = os.environ.get("PYTEST_XDIST_WORKER")        # "gw0", "gw1", ... under xdist
    if worker and not os.environ.get("CNNCOURSE_TEST_WORKER_FOLDERS"):
        os.environ["CNNCOURSE_TEST_WORKER_FOLDERS"] = worker   # once, even if reloaded
        os.environ["CNNCOURSE_DATA"] = os.path.join(os.environ["CNNCOURSE_DATA"], worker)
        board, ext = os.path.splitext(os.environ["CNNCOURSE_LEADERBOARD"])
        os.environ["CNNCOURSE_LEADERBOARD"] = f"{board}-{worker}{ext}"
        os.environ.setdefault("CNNCOURSE_THREADS", str(_threads_per_worker()))


def _threads_per_worker() -> int:
    """This machine's cores shared between the xdist workers, at least one each."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))


_safe_environment()

import matplotlib  # noqa: E402

matplotlib.use("Agg")


def pytest_configure(config: pytest.Config) -> None:
    """Register the course's own marker (the others are in pyproject.toml)."""
    config.addinivalue_line("markers", "notebooks: executes notebooks in a kernel (`make test`; "
                                       "`make check` leaves them out)")


def notebook_cells_in_order(items: list) -> list:
    """``items`` with each notebook's cells (nbval items) together and in order, after the rest.

    Notebooks keep the order of their first cell; every other item keeps its place.
    """
    cells = [item for item in items if hasattr(item, "cell_num")]
    if not cells:
        return list(items)
    first: dict[str, int] = {}
    for i, item in enumerate(cells):
        first.setdefault(str(item.fspath), i)
    ordered = sorted(cells, key=lambda item: (first[str(item.fspath)], item.cell_num))
    return [item for item in items if not hasattr(item, "cell_num")] + ordered


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    """Keep each notebook's cells together and in order.

    pytest-randomly shuffles items within a module, and nbval's cells belong to none, so
    without this a notebook's cells would run out of order. Notebooks still come in a random
    order (that of their first cell), and the other tests stay where randomly put them.
    """
    items[:] = notebook_cells_in_order(items)
