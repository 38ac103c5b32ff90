"""The room's progress view under load: N learners' kernels recording at once.

Runs the real progress service (``cnncourse_instructor.progress``: its tornado app and its
SQLite store, WAL mode) in its own process, with a token table standing in for the hub's
identification (each learner has a token; the service files every record under the name the
token maps to, as with the hub). N threads, one per learner, then each send their records
(check verdicts, quiz answers, kernel starts, one capstone run) at the same moment, each a
separate HTTP request as ``cnncourse_instructor.recorder`` sends them. It prints:

- records lost: sent and acknowledged, but not in the database (must be 0);
- the slowest write and the 95th percentile, in milliseconds;
- the view's load time for the instructor (the page and the JSON API) with that room.

    .venv/bin/python benchmarks/room_progress.py                 # 30 learners x 40 records
    .venv/bin/python benchmarks/room_progress.py --learners 60 --records 100

On a machine others are using, the times are noisy; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
import sqlite3
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

PREFIX = "/services/progress/"


def _serve(db: str, port: int, learners: int) -> None:
    """The service's process: the real app and store, tokens ``t-<i>`` for learner ``l<i>``."""
    import asyncio
    import logging

    from cnncourse_instructor import progress

    for name in ("tornado.access", "tornado.general"):  # a line per request: noise here
        logging.getLogger(name).setLevel(logging.ERROR)

    tokens = {f"t-{i}": {"name": f"l{i:02d}"} for i in range(learners)}
    tokens["t-teach"] = {"name": "teach"}

    async def identify(handler):
        return tokens.get(handler.request.headers.get("Authorization", "")[6:])

    async def users():
        return {f"l{i:02d}": {"server": True, "last_activity": None} for i in range(learners)}

    app = progress.make_app(progress.Store(db), PREFIX, frozenset({"teach"}), identify, users)

    async def main() -> None:
        app.listen(port, "127.0.0.1")
        await asyncio.Event().wait()

    asyncio.run(main())


def _post(url: str, token: str, body: dict) -> float:
    """One record as the learner's kernel sends it; returns the seconds it took."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"token {token}",
                                              "Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as reply:
        reply.read()
    return time.perf_counter() - t0


def _records(i: int, n: int) -> list[tuple[str, dict]]:
    """A learner's session: a kernel start, checks (wrong, then right), quiz answers, a run."""
    out = [("api/records", {"kind": "kernel", "event": "start", "pid": 1000 + i})]
    for j in range(n - 2):
        if j % 5 == 4:
            out.append(("api/records", {"kind": "quiz", "lesson": "convolution",
                                         "item": f"q{j % 3}", "answer": "ABCD"[(i + j) % 4],
                                         "correct": (i + j) % 4 == 3}))
        else:
            status = ("wrong", "correct", "not attempted")[(i * 7 + j) % 3]
            out.append(("api/records", {"kind": "check", "lesson": "convolution",
                                         "item": f"exercise_{j % 8}", "status": status,
                                         "message": f"case {j % 4} is off by one"}))
    from cnncourse.recipes import capstone

    row = capstone.run_row(f"run {i}", "cifar10", None, 30 + i, 1000, True,
                           val_accuracy=0.3 + i / 1000, who="x")
    row.pop("who")
    out.append(("api/runs", row))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--records", type=int, default=40, help="records per learner")
    args = parser.parse_args()
    if args.learners < 1 or args.records < 3:
        parser.error("expected --learners >= 1 and --records >= 3")
    folder = Path(tempfile.mkdtemp(prefix="cnncourse-progress-bench-"))
    db = folder / "private" / "progress.sqlite"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = multiprocessing.get_context("fork").Process(
        target=_serve, args=(str(db), port, args.learners), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{port}{PREFIX}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "api/runs", timeout=1)
        except urllib.error.HTTPError:
            break  # 403 without a token: it answers
        except OSError:
            time.sleep(0.05)
    try:
        sessions = [_records(i, args.records) for i in range(args.learners)]
        times: list[float] = []
        errors: list[str] = []
        acked = [0]
        lock = threading.Lock()
        go = threading.Barrier(args.learners)

        def learner(i: int) -> None:
            go.wait()  # everyone starts at the same moment
            for path, body in sessions[i]:
                if path == "api/records":
                    body = {**body, "when": time.time()}
                try:
                    took = _post(base + path, f"t-{i}", body)
                except OSError as err:
                    with lock:
                        errors.append(f"l{i:02d}: {err}")
                    continue
                with lock:
                    times.append(took)
                    acked[0] += 1

        threads = [threading.Thread(target=learner, args=(i,)) for i in range(args.learners)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        with sqlite3.connect(db) as check:
            stored = (check.execute("SELECT COUNT(*) FROM records").fetchone()[0]
                      + check.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
            per_learner = check.execute(
                "SELECT COUNT(DISTINCT who) FROM records").fetchone()[0]

        def load(path: str) -> float:
            request = urllib.request.Request(base + path,
                                             headers={"Authorization": "token t-teach"})
            t = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as reply:
                reply.read()
            return time.perf_counter() - t

        page = [load("") for _ in range(5)]
        api = [load("api/progress") for _ in range(5)]
    finally:
        server.terminate()
        server.join(10)
    sent = args.learners * args.records
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))] if times else float("nan")
    print(f"room progress: {args.learners} learners x {args.records} records at once "
          f"(load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores)")
    print(f"  sent {sent}, acknowledged {acked[0]}, stored {stored} "
          f"({per_learner} learners); records lost: {acked[0] - stored}; "
          f"requests failed: {len(errors)}")
    print(f"  writes: median {statistics.median(times) * 1000:.1f} ms, 95th percentile "
          f"{p95 * 1000:.1f} ms, slowest {times[-1] * 1000:.1f} ms; all in {wall:.2f} s "
          f"({sent / wall:.0f} records/s)")
    print(f"  the instructor's view with this room: page median {statistics.median(page) * 1000:.0f} ms "
          f"(slowest {max(page) * 1000:.0f} ms), JSON median {statistics.median(api) * 1000:.0f} ms")
    for line in errors[:5]:
        print(f"  failed: {line}")
    return 0 if acked[0] == stored == sent and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
