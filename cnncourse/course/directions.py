"""Directions instead of tracebacks: after a restart, a skipped section or Ctrl-C, one line says
which section or cell to run (importing ``cnncourse`` in IPython installs :func:`handle`)."""

from __future__ import annotations

import os
import sys
from typing import Any

SETUP = ("cc", "torch", "device", "pick")
"""The names the setup cell (the first code cell of every notebook) makes."""

_stopped: dict[str, Any] = {}  # the cell stopped by an interrupt, until it runs to the end


class Unfinished(RuntimeError):
    """A claim or comparison was to be made on what an interrupted cell left unfinished."""


def _names(source: str) -> tuple[set[str], set[str]]:
    """The names a cell uses (reads before it makes them) and the names it makes (assigns)."""
    # `for name, h in runs.items()`, `[r for r in rows]` and a def's arguments make theirs.
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    first: dict[str, tuple] = {}
    made: dict[int, tuple] = {}   # id of a Name assigned by its statement -> where it counts
    reads = {id(n.target) for n in ast.walk(tree) if isinstance(n, ast.AugAssign)}   # x += 1
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            at = (node.end_lineno, 1 << 30)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            targets, at = [g.target for g in node.generators], (node.lineno, node.col_offset)
        else:
            continue
        made.update({id(n): at for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)})
    stored = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            event = ((node.lineno, -1), False)
            name = node.arg
        elif isinstance(node, ast.Name):
            load = isinstance(node.ctx, ast.Load) or id(node) in reads
            event, name = (made.get(id(node), (node.lineno, node.col_offset)), load), node.id
            if isinstance(node.ctx, ast.Store):
                stored.add(name)
        else:
            continue
        first[name] = min(first.get(name, event), event)
    return {name for name, (_, load) in first.items() if load}, stored


def refuse_unfinished(what: str) -> None:
    """Raise :class:`Unfinished` when this cell uses what a stopped cell left unfinished."""
    touched = _stopped.get("touched")
    if touched:
        _stopped["refused"] = True
        raise Unfinished(f"{what}: {_listed(touched)} {_come(touched)} from "
                         f"{_stopped['where']}; it has not run to the end since: re-run it "
                         "first.")


def _lesson(shell: Any) -> str | None:
    # Which notebook: its lesson's ``check`` or ``quiz`` (``from cnncourse.lessons.X import``).
    for key in ("check", "quiz"):
        lesson = getattr(shell.user_ns.get(key), "__dict__", {}).get("_lesson")
        if lesson:
            return lesson
    return None


def _stop(shell: Any, cell: str) -> None:
    # Remember the interrupted cell, what it makes, and how to name it: its section, else
    # its main line (the one that trains, if any).
    from cnncourse.course.sections import where

    made = _names(cell)[1]
    lesson = _lesson(shell)
    # The section most of its names come from (a loop variable like `h` was first made earlier).
    found = [s for s in (where(lesson, n) for n in made if lesson) if s]
    section = max(found, key=lambda s: (found.count(s), int(s.split()[1]))) if found else None
    lines = [ln.strip() for ln in cell.splitlines()
             if ln.strip() and not ln.strip().startswith(("#", "import ", "from "))]
    main = next((ln for ln in lines if "fit(" in ln or "train" in ln), lines[0] if lines else "")
    _stopped.clear()
    _stopped.update(cell=cell, made=made, where=(f"{section}, which you stopped" if section else
                                                 f"the cell you stopped (`{main[:60]}`)"))


def direction(shell: Any, err: BaseException) -> str | None:
    """The one line for ``err`` in ``shell``, or None when Python's own error says it best."""
    from cnncourse.course.sections import SECTIONS, where

    kind = type(err).__name__
    if isinstance(err, KeyboardInterrupt):
        cell = _stopped.get("cell", "")
        what = "training" if "fit(" in cell or "train" in cell else "this cell"
        return (f"⏹ Stopped: {what} did not finish, so nothing it makes counts as finished; "
                "re-run this cell to the end before the cells below.")
    if kind == "Unfinished":
        return f"⏹ {err}"
    if isinstance(err, NameError) and getattr(err, "name", None):
        name = err.name
        if name in SETUP:
            return (f"`{name}` is made by the setup cell (the first code cell of this "
                    "notebook): run it first, then this cell.")
        lesson = _lesson(shell)
        if lesson:   # this notebook is known: its map decides (else it is a typo)
            section = where(lesson, name)
            return f"`{name}` is made in {section}: run that section first." if section else None
        if any(name in names.split() for found in SECTIONS.values() for names in found.values()):
            return (f"`{name}` is made by an earlier cell of this notebook that has not run "
                    "since the kernel started: run the sections above first (Run > Run All "
                    "Above Selected Cell).")
        return None
    if isinstance(err, ModuleNotFoundError) and err.name and "cnncourse" not in err.name:
        top = err.name.split(".")[0]
        return (f"ModuleNotFoundError: `{top}` is not installed here. The course needs only "
                "torch, torchvision and Python's standard library (for a CSV file: the csv "
                f"module); or run `%pip install {top}`, then restart the kernel.")
    gone = err.filename if isinstance(err, FileNotFoundError) else None
    if isinstance(err, RuntimeError) and str(err).startswith("Parent directory "):
        gone = str(err)[len("Parent directory "):].split(" does not exist")[0]   # torch.save
    if gone:
        return f"{gone} is gone: {_writer(shell, str(gone))}, then this cell."
    return None


def _writer(shell: Any, gone: str) -> str:
    # The section that makes the path variable pointing at the missing file (or its folder).
    from cnncourse.course.sections import where

    lesson = _lesson(shell)
    for name, value in list(shell.user_ns.items()):
        if isinstance(value, (str, os.PathLike)) and str(value) and gone.startswith(str(value)):
            section = where(lesson, name) if lesson else None
            if section:
                return f"`{name}` is made in {section}, which writes it: run that section again"
    return "an earlier cell of this notebook writes it: run that cell again"


def handle(shell: Any, etype: type, value: BaseException, tb: Any,
           tb_offset: int | None = None) -> None:
    """IPython's custom exception handler: one line of direction, else the usual traceback."""
    if isinstance(value, KeyboardInterrupt) and shell.user_ns.get("In"):
        _stop(shell, shell.user_ns["In"][-1])
    line = direction(shell, value)
    if line is None and _stopped.get("touched"):   # it follows from the interrupt: say so
        line = (f"{etype.__name__}: {value}\nℹ️  This cell uses {_listed(_stopped['touched'])} "
                f"from {_stopped['where']}: run that to the end first.")
    if line is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    else:
        print(line, file=sys.stderr, flush=True)
    return None


def _listed(names: set[str]) -> str:
    return "`" + "`, `".join(sorted(names)) + "`"


def _come(names: set[str]) -> str:
    return "comes" if len(names) == 1 else "come"


def _before_cell(info: Any) -> None:
    # Which names this cell uses that the stopped cell was still making.
    _stopped.pop("refused", None)
    cell = getattr(info, "raw_cell", "") or ""
    if _stopped.get("cell") and cell != _stopped["cell"]:
        _stopped["touched"] = _stopped["made"] & _names(cell)[0]
    else:
        _stopped["touched"] = set()


def _after_cell(result: Any) -> None:
    # The stopped cell ran to the end: nothing is unfinished any more. Another cell that used
    # its names and succeeded says that it showed an unfinished run.
    if not _stopped.get("cell") or not result.success or result.info is None:
        return
    if result.info.raw_cell == _stopped["cell"]:
        _stopped.clear()
    elif _stopped.get("touched") and not _stopped.get("refused"):
        _stopped["made"] |= _names(result.info.raw_cell)[1]   # unfinished, in turn
        touched = _stopped["touched"]
        print(f"ℹ️  This shows an unfinished run: {_listed(touched)} {_come(touched)} from "
              f"{_stopped['where']}; re-run it to the end, then this cell.",
              file=sys.stderr, flush=True)


class _EarlyRefusal:
    """IPython's AST transformer: a cell with a claim or comparison on what a stopped cell left
    unfinished is refused before it prints anything (00 printed a half-trained test accuracy,
    then its claim refused it). The guard is line 1; the cell's own lines keep their numbers."""

    def visit(self, tree: Any) -> Any:
        import ast

        called = {getattr(n.func, "id", getattr(n.func, "attr", None))
                  for n in ast.walk(tree) if isinstance(n, ast.Call)}
        if _stopped.get("touched") and called & {"claim", "compare"} and hasattr(tree, "body"):
            tree.body.insert(0, ast.parse("__import__('cnncourse.course.directions').course."
                                          "directions.refuse_unfinished('claim')").body[0])
        return tree


def install(shell: Any = None) -> bool:
    """Install :func:`handle` in the running IPython shell (no-op outside IPython)."""
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    shell.set_custom_exc((NameError, KeyboardInterrupt, RuntimeError, FileNotFoundError,
                          ModuleNotFoundError, IndexError, KeyError), handle)
    if not any(isinstance(t, _EarlyRefusal) for t in shell.ast_transformers):
        shell.ast_transformers.append(_EarlyRefusal())
    for event, callback in (("pre_run_cell", _before_cell), ("post_run_cell", _after_cell)):
        if callback not in shell.events.callbacks.get(event, []):
            shell.events.register(event, callback)
    return True
