"""Measure how long each notebook takes: run it headlessly and record time and peak memory.

``cnncourse-instructor timing --full`` runs every notebook top to bottom in a fresh kernel (offline,
nothing downloaded) and prints a Markdown table an instructor can plan a workshop with::

    | notebook | code cells | run time | peak memory | slowest cell | status |

Peak memory is the kernel process's peak resident set size (``VmHWM`` on Linux, polled
``psutil`` RSS elsewhere). With ``--out docs/timing.json`` it also writes the machine-readable
record that ``cnncourse-instructor stamp`` turns into each notebook's stated run time.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from cnncourse.course.colab import about
from cnncourse.settings import data_dir
from cnncourse_instructor.notebooks import notebook_paths, read_notebook


@dataclass
class Timing:
    """One notebook's run: wall seconds, code cells, peak kernel memory and any error."""

    notebook: str
    cells: int
    seconds: float = 0.0
    peak_bytes: int = 0
    slowest_cell: int = -1
    slowest_seconds: float = 0.0
    error: str = ""
    cell_seconds: list[float] = field(default_factory=list)
    load: float = -1.0  # 1-minute load average right after the run (-1: unknown)

    @property
    def ok(self) -> bool:
        return not self.error


def _peak_rss(pid: int) -> int:
    """Peak (Linux ``VmHWM``) or, where that is unavailable, current RSS of ``pid`` in bytes."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # reported in kB
    except (OSError, ValueError):
        pass
    try:
        import psutil

        return int(psutil.Process(pid).memory_info().rss)
    except Exception:  # psutil missing or the process has gone: no reading this time
        return 0


class _MemoryWatch:
    """Poll a process's memory on a background thread and keep the largest reading."""

    def __init__(self, pid: int, interval: float = 0.2):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        self.peak = max(self.peak, _peak_rss(self.pid))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def start(self) -> _MemoryWatch:
        self._thread.start()
        return self

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(timeout=2)
        return self.peak


def _kernel_pid(client: Any) -> int | None:
    km = client.km
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is not None:
        return process.pid
    kernel = getattr(km, "kernel", None)
    return getattr(kernel, "pid", None)


def course_env(quick: bool, offline: bool = True, extra: dict[str, str] | None = None
               ) -> dict[str, str]:
    """The environment a timed kernel runs with: quick/full, offline, non-GUI plots."""
    env = dict(os.environ)
    env["CNNCOURSE_QUICK"] = "1" if quick else "0"
    if offline:
        env["CNNCOURSE_OFFLINE"] = "1"
    env.setdefault("MPLBACKEND", "Agg")
    env.update(extra or {})
    return env


def time_notebook(path: str | Path, quick: bool = False, offline: bool = True,
                  timeout: int = 3600, env: dict[str, str] | None = None) -> Timing:
    """Run one notebook in a fresh kernel and return its :class:`Timing` (errors are recorded)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    nb = read_notebook(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    result = Timing(path.stem, len(code))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    state: dict[str, Any] = {}

    def started(**_: Any) -> None:
        pid = _kernel_pid(client)
        state["watch"] = _MemoryWatch(pid).start() if pid else None
        state["t0"] = state["tc"] = time.perf_counter()

    def cell_started(**_: Any) -> None:
        state["tc"] = time.perf_counter()

    def cell_done(cell: Any = None, **_: Any) -> None:
        now = time.perf_counter()
        recorded = _recorded_seconds(cell)  # nbclient's own record, from the kernel's messages
        result.cell_seconds.append(recorded if recorded is not None else now - state["tc"])
        result.seconds = now - state["t0"]
        if state.get("watch"):
            state["watch"].sample()

    client.on_notebook_start = started
    client.on_cell_execute = cell_started
    client.on_cell_executed = cell_done
    try:
        client.execute(env=course_env(quick, offline, env))
    except CellExecutionError as err:
        name = getattr(err, "ename", "") or type(err).__name__
        result.error = f"error in code cell {len(result.cell_seconds)}: {name}"
    except Exception as err:  # a kernel that died or timed out: record it, keep timing others
        result.error = f"{type(err).__name__}: {str(err).splitlines()[0][:120] if str(err) else ''}"
    finally:
        if state.get("watch"):
            result.peak_bytes = state["watch"].stop()
    try:
        result.load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not available on Windows
        pass
    if result.cell_seconds:
        slowest = max(range(len(result.cell_seconds)), key=result.cell_seconds.__getitem__)
        result.slowest_cell, result.slowest_seconds = slowest + 1, result.cell_seconds[slowest]
    return result


def _recorded_seconds(cell: Any) -> float | None:
    """Seconds a cell ran by nbclient's timing record (``record_timing``), or None."""
    from datetime import datetime

    execution = (cell or {}).get("metadata", {}).get("execution", {})
    start, end = execution.get("iopub.execute_input"), execution.get("shell.execute_reply")
    if not (start and end):
        return None
    try:
        parse = datetime.fromisoformat
        return max(0.0, (parse(end.replace("Z", "+00:00"))
                         - parse(start.replace("Z", "+00:00"))).total_seconds())
    except ValueError:
        return None


def machine_line() -> str:
    """One line describing this machine: CPU model, cores, RAM, OS, Python and torch versions."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    ram = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            kib = int(next(line.split()[1] for line in fh if line.startswith("MemTotal")))
        ram = f"{kib / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        try:
            import psutil

            ram = f"{psutil.virtual_memory().total / 2**30:.0f} GiB RAM"
        except ImportError:
            ram = "RAM unknown"
    try:
        torch_version = metadata.version("torch")
    except metadata.PackageNotFoundError:
        torch_version = "not installed"
    return (f"{cpu}, {os.cpu_count()} cores, {ram}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, torch {torch_version}")


def _fmt_seconds(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.1f} min"


def _load_line(results: list[Timing]) -> list[str]:
    loads = [r.load for r in results if r.load >= 0]
    if not loads:
        return []
    return [f"Load: 1-minute load average {min(loads):.1f} to {max(loads):.1f} after each "
            f"notebook, on {os.cpu_count()} cores (a load above the core count means other "
            "work shared the CPU and the times are upper bounds).", ""]


def timing_table(results: list[Timing], quick: bool, offline: bool = True) -> str:
    """The Markdown report: a header line, the machine line and one table row per notebook."""
    mode = "quick (`CNNCOURSE_QUICK=1`)" if quick else "full"
    net = ", offline (`CNNCOURSE_OFFLINE=1`)" if offline else ""
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"Measured by `cnncourse-instructor timing --{'quick' if quick else 'full'}` on {when}: "
             f"{mode} mode{net}.", "",
             f"Machine: {machine_line()}.", "",
             f"Data folder: `{data_dir()}` (a dataset missing there runs on the built-in "
             "stand-in).", "",
             *_load_line(results),
             "| notebook | code cells | run time | peak memory | slowest cell | status |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        slow = (f"{_fmt_seconds(r.slowest_seconds)} (#{r.slowest_cell})"
                if r.slowest_cell > 0 else "-")
        lines.append(f"| {r.notebook} | {r.cells} | {_fmt_seconds(r.seconds)} | "
                     f"{r.peak_bytes / 2**20:.0f} MiB | {slow} | {r.error or 'ok'} |")
    total = sum(r.seconds for r in results)
    peak = max((r.peak_bytes for r in results), default=0)
    lines.append(f"| **all {len(results)}** | {sum(r.cells for r in results)} | "
                 f"**{_fmt_seconds(total)}** | {peak / 2**20:.0f} MiB (max) | | "
                 f"{sum(r.ok for r in results)}/{len(results)} ok |")
    return "\n".join(lines) + "\n"


def run_timing(notebooks: list[str | Path] | None = None, quick: bool = False,
               offline: bool = True, out: str | Path | list[str | Path] | None = None,
               timeout: int = 3600, progress: bool = True, where: str | None = None
               ) -> tuple[str, list[Timing]]:
    """Time ``notebooks`` (default: all course notebooks) and return the table and results.

    Each ``out`` file ending in ``.json`` gets the machine-readable record (see
    :func:`write_record`; ``where`` names the machine in the stated run times), any other
    file the Markdown table.
    """
    paths = [Path(p) for p in notebooks] if notebooks else notebook_paths()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"timing: expected notebook files, these do not exist: "
                                f"{', '.join(missing)}.")
    results = []
    for path in paths:
        if progress:
            print(f"timing {path.name} ({'quick' if quick else 'full'}) ...", flush=True)
        result = time_notebook(path, quick=quick, offline=offline, timeout=timeout)
        if progress:
            print(f"  {_fmt_seconds(result.seconds)}, peak {result.peak_bytes / 2**20:.0f} MiB, "
                  f"{result.error or 'ok'}", flush=True)
        results.append(result)
    table = timing_table(results, quick, offline)
    outs = [] if out is None else [out] if isinstance(out, (str, Path)) else list(out)
    for target in map(Path, outs):
        if target.suffix == ".json":
            write_record(target, results, quick, offline, where)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(table, encoding="utf-8")
    return table, results


# The machine-readable record the notebooks' stated run times come from ----------------------
#
# ``cnncourse-instructor timing --full --out docs/timing.json`` writes it (a Markdown ``--out`` still gets
# the table); ``cnncourse-instructor stamp`` writes each notebook's stated run time from it, and
# ``cnncourse-instructor stamp --check`` (run by ``make test``) fails when a notebook disagrees with it.

RECORD_VERSION = 1


def default_where() -> str:
    """How the stated run times name the machine they were measured on: "a 2-core CPU"."""
    return f"a {os.cpu_count() or 1}-core CPU"


def runtime_phrase(seconds: float, where: str) -> str:
    """A notebook's stated run time: ``runtime_phrase(22.4, "a 2-core CPU")`` ->
    ``"about 20 s on a 2-core CPU"``.

    Rounded so that small run-to-run noise does not change the text: under 10 s, then to 5 s
    below 90 s, then to half minutes up to 10 minutes, then to whole minutes.
    """
    if seconds < 0:
        raise ValueError(f"runtime_phrase: expected seconds >= 0, got {seconds}.")
    return f"{about(seconds)} on {where}"


def timing_record(results: list[Timing], quick: bool, offline: bool = True,
                  where: str | None = None) -> dict[str, Any]:
    """The JSON-ready record of ``results``: mode, machine, data folder and one entry each."""
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return {
        "about": "Written by `cnncourse-instructor timing`; `cnncourse-instructor stamp` writes each notebook's "
                 "stated run time from it and `cnncourse-instructor stamp --check` compares them.",
        "version": RECORD_VERSION,
        "mode": "quick" if quick else "full",
        "offline": offline,
        "where": where or default_where(),
        "machine": machine_line(),
        "data_folder": str(data_dir()),
        "notebooks": {r.notebook: {"seconds": round(r.seconds, 1), "status": r.error or "ok",
                                   "code_cells": r.cells,
                                   "peak_mib": round(r.peak_bytes / 2**20),
                                   "load": round(r.load, 2), "measured": when}
                      for r in results},
    }


def read_record(path: str | Path) -> dict[str, Any]:
    """Read a timing record written by ``cnncourse-instructor timing --out FILE.json``; clear errors."""
    import json

    path = Path(path)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"timing record: {path} does not exist; write it with "
                                f"`cnncourse-instructor timing --full --out {path}`.") from None
    except ValueError as err:
        raise ValueError(f"timing record: {path} is not valid JSON ({err}); write it again "
                         f"with `cnncourse-instructor timing --full --out {path}`.") from None
    if not isinstance(record, dict) or not isinstance(record.get("notebooks"), dict) or \
            "where" not in record:
        raise ValueError(f"timing record: {path} lacks the 'notebooks' and 'where' entries of a "
                         f"record written by `cnncourse-instructor timing --full --out {path}`.")
    return record


def write_record(path: str | Path, results: list[Timing], quick: bool, offline: bool = True,
                 where: str | None = None) -> dict[str, Any]:
    """Write (or update) the JSON record at ``path`` and return it.

    Timing a few notebooks updates their entries and keeps the others, as long as the file
    was measured the same way (mode, offline, where); otherwise it is replaced.
    """
    import json

    path = Path(path)
    new = timing_record(results, quick, offline, where)
    if path.is_file():
        try:
            old = read_record(path)
        except ValueError:
            old = None
        same = old is not None and all(old.get(k) == new[k] for k in ("mode", "offline", "where"))
        if same:
            new["notebooks"] = {**old["notebooks"], **new["notebooks"]}
    new["notebooks"] = dict(sorted(new["notebooks"].items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(new, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return new
