"""In a workshop room only: send check verdicts, first quiz answers and capstone runs to the
instructor's progress view (``cnncourse-instructor``'s progress service).

Nothing happens outside a room: the recorder is active only when the room's hub sets
``CNNCOURSE_ROOM_URL`` and the kernel has its server's ``JUPYTERHUB_API_TOKEN``. The service
takes the learner's name from that token, never from what is sent. Sending happens on a
background thread with a short timeout; a failure prints one line and never stops a notebook.
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

URL_ENV, TOKEN_ENV = "CNNCOURSE_ROOM_URL", "JUPYTERHUB_API_TOKEN"
TIMEOUT = 5.0  # seconds per request: a slow room never holds a learner's cell for long
NOTICE = ("ℹ️  Workshop room: your check verdicts (with their messages), your first answer to "
          "each quiz and your capstone runs are sent to your instructor's progress view, under "
          "your login name. Nothing else is sent.")

_state: dict[str, Any] = {"thread": None, "noted": False}  # the sender and its queue


def active() -> bool:
    """True in a workshop room: the hub set the room's URL and this kernel's API token."""
    return bool(env.get(URL_ENV) and env.get(TOKEN_ENV))


def send(path: str, body: dict[str, Any] | None = None, timeout: float = TIMEOUT) -> Any:
    """POST ``body`` (GET when None) to the room's ``path``; return the decoded JSON reply.

    Raises ``OSError`` (or ``ValueError`` for a reply that is not JSON) when it fails.
    """
    if not active():
        raise RuntimeError(f"room: not in a workshop room ({URL_ENV} is not set).")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        env.get(URL_ENV).rstrip("/") + path, data=data, method="GET" if data is None else "POST",
        headers={"Authorization": f"token {env.get(TOKEN_ENV)}",
                 "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return json.loads(reply.read() or b"null")


def record(kind: str, **fields: Any) -> None:
    """Queue one record (``kind`` "check", "quiz" or "kernel") for the room; a no-op
    outside a room. Returns at once: a background thread sends it."""
    if not active():
        return
    if _state["thread"] is None:
        _start()
    _state["queue"].put({"kind": kind, "when": time.time(), **fields})


def flush(timeout: float = 10.0) -> bool:
    """Wait until every queued record was sent (or dropped); True when the queue emptied."""
    pending = _state.get("queue") or queue.Queue()
    deadline = time.monotonic() + timeout
    while pending.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.02)
    return not pending.unfinished_tasks


def _start() -> None:
    _state["queue"] = todo = queue.Queue()
    thread = threading.Thread(target=_sender, args=(todo,), name="cnncourse-room", daemon=True)
    _state["thread"] = thread
    thread.start()
    if not _state["noted"]:
        _state["noted"] = True
        print(NOTICE)
    todo.put({"kind": "kernel", "event": "start", "pid": os.getpid(), "when": time.time()})
    atexit.register(_stop, todo)


def _sender(todo: queue.Queue) -> None:
    failed = False
    while True:
        item = todo.get()
        try:
            send("/api/records", item)
        except Exception as err:  # noqa: BLE001 - the room is best effort: never break a cell
            if not failed:  # one line, once: the notebook goes on as if outside a room
                print(f"ℹ️  room: could not reach the progress view ({err}); your work is "
                      "unaffected.")
            failed = True
        finally:
            todo.task_done()


def _stop(todo: queue.Queue) -> None:
    # A clean shutdown (or restart) says so; a kernel that was killed never gets here.
    if not active():
        return
    todo.put({"kind": "kernel", "event": "stop", "pid": os.getpid(), "when": time.time()})
    deadline = time.monotonic() + 2
    while todo.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.02)
