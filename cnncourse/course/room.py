"""In a workshop room only (the hub sets ``CNNCOURSE_ROOM_URL``): hand check verdicts, first quiz
answers and capstone runs to the room's recorder, which the instructor's tools register under the
entry point group ``cnncourse.room``. Outside a room nothing is looked up or sent."""

from __future__ import annotations

import functools
from typing import Any

from cnncourse import env

URL_ENV, GROUP = "CNNCOURSE_ROOM_URL", "cnncourse.room"


def recorder() -> Any:
    """The room's recorder (``cnncourse_instructor.recorder``, registered under the entry point
    group ``cnncourse.room``) when it records in this kernel, else None. Looked up only where
    the hub set ``CNNCOURSE_ROOM_URL``, once."""
    found = _load() if env.get(URL_ENV) else None
    return found if found is not None and found.active() else None


@functools.cache
def _load() -> Any:
    from importlib.metadata import entry_points  # only in a room: it takes a while to import

    why = "none is installed"
    try:
        for point in entry_points(group=GROUP):
            return point.load()
    except Exception as err:  # noqa: BLE001 - a broken install must not break a learner's cell
        why = f"{type(err).__name__}: {err}"
    print(f"ℹ️  Workshop room: {URL_ENV} is set, but no room recorder could be loaded ({why}), "
          "so nothing is sent to your instructor; your work is unaffected.")
    return None


def record(kind: str, **fields: Any) -> None:
    """Hand a "check" or "quiz" record to the room's recorder; outside a room, nothing."""
    found = recorder()
    if found is not None:
        found.record(kind, **fields)
