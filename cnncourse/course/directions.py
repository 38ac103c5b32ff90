"""Directions instead of tracebacks, for the ways people really use notebooks.

Importing ``cnncourse`` in IPython or Jupyter (the setup cell does) installs :func:`handle` as
IPython's custom exception handler. It turns into one line:

- a ``NameError`` for a name an earlier cell of this notebook makes (a restart, a skipped
  section): which section to run first (``sections.SECTIONS``); the setup cell's names say
  "run the setup cell". A name no cell makes (your own typo) keeps Python's error.
- a ``KeyboardInterrupt`` (Ctrl-C, the stop button): what was stopped and what to re-run;
- the course's refusals (``cnncourse.train.Unfinished``, an interrupted training run);
- a missing file: that an earlier cell writes it, and which section.

After an interrupt, an error in a later cell also says which cell was stopped.
Limit: a cell run before any cell imported ``cnncourse`` gets Python's own error.
"""

from __future__ import annotations

import sys
from typing import Any

SETUP = ("cc", "torch", "device", "pick")
"""The names the setup cell (the first code cell of every notebook) makes."""

_stopped: dict[str, str] = {}  # the cell stopped by an interrupt, until it runs to the end


def _lesson(shell: Any) -> str | None:
    # Which notebook: its lesson's ``check`` or ``quiz`` (``from cnncourse.lessons.X import``).
    for key in ("check", "quiz"):
        lesson = getattr(shell.user_ns.get(key), "__dict__", {}).get("_lesson")
        if lesson:
            return lesson
    return None


def _first_line(source: str) -> str:
    lines = [ln.strip() for ln in source.splitlines() if ln.strip() and
             not ln.strip().startswith(("#", "import ", "from "))]
    return (lines[0] if lines else source.strip())[:60]


def direction(shell: Any, err: BaseException) -> str | None:
    """The one line for ``err`` in ``shell``, or None when Python's own error says it best."""
    from cnncourse.course.sections import SECTIONS, where

    kind = type(err).__name__
    if isinstance(err, KeyboardInterrupt):
        what = "training" if "fit(" in _stopped.get("cell", "") or "train" in _stopped.get(
            "cell", "") else "this cell"
        return (f"⏹ Stopped: {what} did not finish, so nothing it makes counts as finished. "
                "Re-run this cell to the end before the cells below.")
    if kind == "Unfinished":
        return f"⏹ {err}"
    if isinstance(err, NameError) and getattr(err, "name", None):
        name = err.name
        if name in SETUP:
            return (f"`{name}` is made by the setup cell (the first code cell of this "
                    "notebook): run it first, then this cell.")
        lesson = _lesson(shell)
        if lesson and where(lesson, name):
            return f"`{name}` is made in {where(lesson, name)}: run that section first."
        if any(name in names.split() for found in SECTIONS.values() for names in found.values()):
            return (f"`{name}` is made by an earlier cell of this notebook that has not run "
                    "since the kernel started: run the sections above first (Run > Run All "
                    "Above Selected Cell).")
        return None
    if isinstance(err, FileNotFoundError) and err.filename:
        return (f"{err.filename} is gone: an earlier cell of this notebook writes it; run the "
                "section that makes it again, then this cell.")
    return None


def handle(shell: Any, etype: type, value: BaseException, tb: Any,
           tb_offset: int | None = None) -> None:
    """IPython's custom exception handler: one line of direction, else the usual traceback."""
    if isinstance(value, KeyboardInterrupt):
        _stopped["cell"] = shell.user_ns.get("In", [""])[-1] if shell.user_ns.get("In") else ""
    line = direction(shell, value)
    if line is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        if _stopped.get("cell"):
            line = (f"ℹ️  This may follow the cell you stopped earlier (`"
                    f"{_first_line(_stopped['cell'])}`): run it to the end first.")
        else:
            return None
    print(line, file=sys.stderr, flush=True)
    return None


def _forget_stopped(result: Any) -> None:
    # The stopped cell ran to the end: later errors no longer follow from the interrupt.
    if _stopped.get("cell") and result.success and \
            result.info is not None and result.info.raw_cell == _stopped["cell"]:
        _stopped.clear()


def install(shell: Any = None) -> bool:
    """Install :func:`handle` in the running IPython shell (no-op outside IPython)."""
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((NameError, KeyboardInterrupt, RuntimeError, FileNotFoundError,
                          IndexError, KeyError), handle)
    if _forget_stopped not in shell.events.callbacks.get("post_run_cell", []):
        shell.events.register("post_run_cell", _forget_stopped)
    return True
