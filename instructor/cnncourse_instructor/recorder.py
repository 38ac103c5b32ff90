"""The workshop room's recorder: what a learner's kernel sends to the progress view.

``cnncourse`` loads it only in a room (the hub sets ``CNNCOURSE_ROOM_URL``), through the entry
point group ``cnncourse.room`` (instructor/pyproject.toml), and hands it check verdicts, first
quiz answers and capstone runs. It sends them with the kernel's own ``JUPYTERHUB_API_TOKEN``,
from which the view takes the learner's name. Records go from a background thread; a failure
prints one line, never an error. cnncourse calls four functions here, which any recorder
registered under that group offers: ``active``, ``record``, ``post_run`` and ``runs``.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import threading
import time
import urllib.request
from typing import Any

from cnncourse import env

URL_ENV, TOKEN_ENV, TIMEOUT = "CNNCOURSE_ROOM_URL", "JUPYTERHUB_API_TOKEN", 5.0
NOTICE = ("ℹ️  Workshop room: your check verdicts (with their messages), your first answer to "
          "each quiz and your capstone runs are sent to your instructor's progress view, under "
          "your login name. Nothing else is sent.")
_state: dict[str, Any] = {}  # the sender's queue, once started


def active() -> bool:
    """True in a workshop room: the hub set the room's URL and this kernel's API token."""
    return bool(env.get(URL_ENV) and env.get(TOKEN_ENV))


def send(path: str, body: Any = None, timeout: float = TIMEOUT) -> Any:
    """POST ``body`` (GET when None) to the room's ``path``; the reply's JSON. Raises OSError."""
    request = urllib.request.Request(
        env.get(URL_ENV).rstrip("/") + path, None if body is None else json.dumps(body).encode(),
        {"Authorization": f"token {env.get(TOKEN_ENV)}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return json.loads(reply.read() or b"null")


def post_run(row: dict[str, str]) -> dict[str, str]:
    """File a capstone run on the room's board; the row as filed, under the sender's login."""
    return send("/api/runs", {k: v for k, v in row.items() if k != "who"})


def runs() -> list[dict[str, str]]:
    """Every run on the room's board, as the capstone's leaderboard rows."""
    return send("/api/runs")


def record(kind: str, **fields: Any) -> None:
    """Queue a record ("check", "quiz" or "kernel") for the room; outside a room, nothing."""
    if not active():
        return
    if "queue" not in _state:
        _state["queue"] = todo = queue.Queue()
        threading.Thread(target=_sender, args=(todo,), daemon=True).start()
        print(NOTICE)
        record("kernel", event="start", pid=os.getpid())
        atexit.register(lambda: active() and _stop(todo))  # a killed kernel never says this
    _state["queue"].put({"kind": kind, "when": time.time(), **fields})


def flush(timeout: float = 10.0, todo: queue.Queue | None = None) -> bool:
    """Wait until every queued record was sent (or dropped); True when none is left."""
    todo = todo or _state.get("queue") or queue.Queue()
    deadline = time.monotonic() + timeout
    while todo.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.02)
    return not todo.unfinished_tasks


def _sender(todo: queue.Queue) -> None:
    failed = False
    while True:
        item = todo.get()
        try:
            send("/api/records", item)
        except Exception as err:  # noqa: BLE001 - best effort: never break a learner's cell
            if not failed:
                print(f"ℹ️  room: could not reach the progress view ({err}); your work is "
                      "unaffected.")
            failed = True
        todo.task_done()


def _stop(todo: queue.Queue) -> None:
    todo.put({"kind": "kernel", "event": "stop", "pid": os.getpid(), "when": time.time()})
    flush(2.0, todo)
