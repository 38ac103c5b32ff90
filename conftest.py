"""What every pytest run in this repository needs, whatever paths it is given.

pytest loads this file for ``pytest tests/...``, ``pytest --nbval-lax notebooks/...`` and any
subset, so a run is safe from the project root however it is started:

- offline, quick mode, a throwaway data folder and leaderboard (unless set already), and a
  non-GUI plot backend; notebook kernels started by nbval inherit this environment;
- with pytest-xdist (``-n 2``), each worker gets its own data folder and leaderboard, so no
  two workers write the same files, and its notebook kernels get its share of the cores
  (``CNNCOURSE_THREADS``), so workers do not fight over them;
- a notebook's cells (nbval items) run in order, whatever pytest-randomly does;
- under ``--dist worksteal`` (``make check``, ``make test``), the tests that
  ``tests/durations.json`` lists start first, longest first, so no worker is left with a long
  test after the other has finished (``--write-durations`` records the table again).

Test fixtures (each test's own random state, the shared Chromium) are in ``tests/conftest.py``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

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


# Each test's run time in seconds (setup, call and teardown), those of 1 s or more, as one run
# on a 2-core machine measured them: `pytest -n 2 --dist worksteal ... --write-durations`.
DURATIONS = Path(__file__).parent / "tests" / "durations.json"
MIN_RECORDED = 1.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--write-durations", action="store_true",
                     help=f"record the run time of each test that took {MIN_RECORDED:g} s or "
                          f"more in {DURATIONS.relative_to(Path(__file__).parent)}")


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
    if getattr(config, "workerinput", {}).get("cnncourse_longest_first"):
        items[:] = longest_first(items, recorded_durations())


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """Tell each xdist worker (whose own ``--dist`` reads "no") to put the longest first."""
    node.workerinput["cnncourse_longest_first"] = node.config.getoption("dist") == "worksteal"


def recorded_durations() -> dict[str, float]:
    """``tests/durations.json``: test id -> seconds ({} when the file is missing)."""
    return json.loads(DURATIONS.read_text()) if DURATIONS.is_file() else {}


def longest_first(items: list, seconds: dict[str, float]) -> list:
    """``items`` with those ``seconds`` lists first, longest first; the rest keep their order.

    Under ``--dist worksteal`` each worker starts on its own half of the list and an idle one
    takes the far end of the other's, so the long tests, all started early, overlap with the
    short ones instead of being left for last on one worker (3 minutes late on 2 cores). The
    order stays the same on every worker (xdist requires it), tests the table does not list
    keep pytest-randomly's order, and a notebook's cells (never listed) stay together and in
    order.
    """
    return sorted(items, key=lambda item: -seconds.get(item.nodeid, 0.0))


_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up each test's setup, call and teardown time (for ``--write-durations``)."""
    _seconds[report.nodeid] = _seconds.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """With ``--write-durations``, merge this run's times into the table (in the controller)."""
    if not session.config.getoption("write_durations") or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    table = recorded_durations()
    table.update({test: round(s, 1) for test, s in _seconds.items() if ".ipynb::" not in test})
    table = {test: s for test, s in table.items() if s >= MIN_RECORDED}
    DURATIONS.write_text(json.dumps(dict(sorted(table.items(), key=lambda kv: (-kv[1], kv[0]))),
                                    indent=0) + "\n")
