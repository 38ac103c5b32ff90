"""Every notebook runs, and each is executed at most twice per `make test`:

1. The student notebook, top to bottom, as a learner runs it (quick mode, offline, widgets
   shown as static pictures). The executed copy goes to ``build/executed/``, and the course
   website that `make test` builds is made from those copies without running them again.
2. For a notebook with exercises, one derived notebook covers both instructor variants:
   every exercise cell removed (a learner who skipped them: every later cell still runs, and
   its check says "not attempted" or uses the reference), then at its end each exercise
   filled with its reference solution (``cnncourse-instructor notebooks --solved``) and checked: every
   check says "Correct".
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from cnncourse_instructor import notebooks as nbs
from cnncourse_instructor import solved as sol

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = nbs.notebook_paths(ROOT / "notebooks")
WITH_EXERCISES = [p for p in NOTEBOOKS if nbs.exercises(nbs.read_notebook(p))]
EXECUTED = ROOT / "build" / "executed"

pytestmark = pytest.mark.notebooks


def _execute(nb, cwd: Path, **env: str):
    from nbclient import NotebookClient

    run_env = dict(os.environ, CNNCOURSE_QUICK="1", CNNCOURSE_OFFLINE="1",
                   CNNCOURSE_WIDGETS="0", **env)
    run_env.pop("MPLBACKEND", None)          # the kernel's inline backend: figures as outputs
    # Raises CellExecutionError naming the cell when a cell fails.
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(cwd)}}).execute(env=run_env)
    return nb


def _printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_student_notebook_runs_top_to_bottom(path):
    nb = _execute(nbs.read_notebook(path), path.parent)
    EXECUTED.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, EXECUTED / path.name)   # the website is built from these copies
    assert all(c.get("outputs") is not None for c in nb.cells if c.cell_type == "code")


def _skipped_then_solved(path: Path):
    """The notebook with its exercise cells removed, then each solved and checked at the end."""
    nb = nbs.read_notebook(path)
    lesson = nbs.lesson_name(nb, path.name)
    found = nbs.exercises(nb, path.name)
    skipped = {ex.index for ex in found}
    cells = [c for i, c in enumerate(nb.cells) if i not in skipped]
    n_skipped_part = len(cells)
    for ex in found:
        cells.append(nbformat.v4.new_code_cell(
            sol.solved_source(ex.source, lesson, f"{path.name}, cell {ex.index}")))
        cells.append(nbformat.v4.new_code_cell(f"check.{ex.name}()"))
    nb.cells = cells
    return nb, n_skipped_part, [ex.name for ex in found]


@pytest.mark.parametrize("path", WITH_EXERCISES, ids=[p.stem for p in WITH_EXERCISES])
def test_exercises_skipped_then_solved(path):
    nb, split, names = _skipped_then_solved(path)
    _execute(nb, path.parent, MPLBACKEND="Agg")
    skipped_text = "".join(_printed(c) for c in nb.cells[:split] if c.cell_type == "code")
    assert "not attempted" in skipped_text.lower() or "Using the reference" in skipped_text
    checks = [c for c in nb.cells[split:] if c.source.startswith("check.")]
    assert len(checks) == len(names)
    for name, cell in zip(names, checks):
        text = _printed(cell)
        assert "Correct" in text, f"{path.name}: check.{name} with the reference said {text!r}"
        assert "Using the reference" not in text and "Not yet" not in text
