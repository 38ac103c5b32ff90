"""A workshop room under load: N learners run the full-CNN notebook at once through a hub.

Starts a real JupyterHub (``cnncourse_instructor.hub``: LocalProcessSpawner, one system user
per learner, ``CPU_LIMIT=1`` each, a read-only shared data folder, one room leaderboard),
pulls the course into every learner's home with nbgitpuller, then for each N runs the
full-CNN notebook (``notebooks/*_build_a_cnn_in_pytorch.ipynb``) in N learners' kernels at
the same time, cell by cell over the Jupyter websocket, as JupyterLab would. It prints each
learner's time against one learner alone, each learner's peak memory (their server and
kernel), and any failed kernel. Goal: 8 at once, each within 5x of alone (on 2 cores the
ideal is 4x), with no failed kernel.

    sudo .venv/bin/python benchmarks/room.py                  # N = 1 2 4 8, full mode
    sudo .venv/bin/python benchmarks/room.py --learners 1 8 --rounds 2
    sudo .venv/bin/python benchmarks/room.py --quick          # quick mode: a smoke run

Runs as root on Linux (it creates throwaway users ``cnnbench-*`` and removes them, their
processes and homes afterwards); needs ``make hub-setup`` for the proxy. Full mode, offline,
on the built-in stand-in unless ``--data DIR`` holds the real datasets. The load average is
printed with every row: on a machine others are using, the times are noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cnncourse.threads import core_limit
from cnncourse_instructor import hub

GOAL = 5.0


def _load() -> str:
    try:
        return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "load unknown"


def run_round(client: hub.RoomClient, users: list[str], name: str
              ) -> tuple[list[hub.LearnerRun], dict[str, int], float]:
    """Run notebook ``name`` in every user's kernel at once; (runs, peak KiB, wall seconds)."""
    with hub.MemoryWatch(users) as watch, ThreadPoolExecutor(len(users)) as pool:
        t0 = time.perf_counter()
        runs = list(pool.map(lambda u: hub.run_in_kernel(client, u, name, record=False),
                             users))
        wall = time.perf_counter() - t0
    return runs, dict(watch.peak), wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, nargs="+", default=[1, 2, 4, 8],
                        help="room sizes to run, in order (default 1 2 4 8)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds per room size")
    parser.add_argument("--cpu-limit", type=float, default=1.0, help="CPU_LIMIT per learner")
    parser.add_argument("--quick", action="store_true", help="quick mode (a smoke run)")
    parser.add_argument("--data", default=None, help="shared data folder (default: empty, "
                        "so the notebooks use the built-in stand-in)")
    args = parser.parse_args()
    if os.geteuid() != 0 or not sys.platform.startswith("linux"):
        sys.exit("room: run it as root on Linux (it creates throwaway learners).")
    hub.find_proxy()  # a clear error when the proxy is missing
    sizes = sorted(set(args.learners))
    if sizes[0] != 1:
        sizes = [1, *sizes]  # every ratio is against one learner alone

    top = Path(tempfile.mkdtemp(prefix="cnncourse-bench-"))
    os.chmod(top, 0o755)
    data = Path(args.data).resolve() if args.data else top / "data"
    tag = uuid.uuid4().hex[:4]
    users = [f"cnnbench{tag}-{i}" for i in range(max(sizes))]
    room = hub.Room(learners=users, state=top / "hub", data=data, instructor=f"cnnbench{tag}-t",
                    port=hub.free_port_block(),
                    cpu_limit=args.cpu_limit, quick=args.quick, offline=True)
    name = hub.full_cnn_notebook().name
    print(f"room: {name} in {'quick' if args.quick else 'full'} mode through JupyterHub, "
          f"CPU_LIMIT={args.cpu_limit:g} per learner, on {core_limit()} "
          f"(os.cpu_count() {os.cpu_count()}); {_load()}")
    hub.create_learners(room.users)
    running = hub.Hub(room)
    failed = 0
    try:
        running.start()
        client = hub.RoomClient(room)
        with ThreadPoolExecutor(len(users)) as pool:
            list(pool.map(client.start_server, users))
            list(pool.map(lambda u: client.pull(u, room.course_url, "main"), users))
        alone: list[float] = []
        rows = []
        for n in sizes:
            for r in range(args.rounds):
                runs, peak, wall = run_round(client, users[:n], name)
                bad = [run for run in runs if not run.finished]
                failed += len(bad)
                times = [run.seconds for run in runs]
                if n == 1:
                    alone.append(times[0])
                base = statistics.median(alone)
                ratios = [t / base for t in times]
                mem = [peak[run.user] / 1024 for run in runs]
                rows.append((n, r + 1, times, ratios, mem, len(bad)))
                print(f"{n} at once (round {r + 1}): each " +
                      ", ".join(f"{t:.0f} s" for t in times) +
                      f" -> {min(ratios):.1f}-{max(ratios):.1f}x alone; wall {wall:.0f} s; "
                      f"peak memory per learner {statistics.median(mem):.0f} MiB median, "
                      f"{max(mem):.0f} MiB max; failed kernels {len(bad)}; {_load()}")
                for run in bad:
                    print(f"   {run.user}: cell {run.cells} of {run.total}: {run.failed}")
        print(f"\nalone (median of {len(alone)}): {statistics.median(alone):.1f} s")
        worst = max((max(ratios) for n, _, _, ratios, _, _ in rows if n == max(sizes)),
                    default=0.0)
        verdict = "met" if worst <= GOAL and failed == 0 else "NOT met"
        print(f"goal ({max(sizes)} at once, each within {GOAL:g}x of alone, no failed kernel): "
              f"{verdict} (worst {worst:.1f}x, {failed} failed)")
        peak_all = max(max(mem) for *_, mem, _ in rows)
        print(f"size a room: about {peak_all:.0f} MiB per learner at peak and "
              f"{args.cpu_limit:g} core each (CPU_LIMIT)")
    finally:
        running.stop()
        hub.remove_learners(room.users)
        shutil.rmtree(top, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
