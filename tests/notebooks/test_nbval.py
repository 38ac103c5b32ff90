"""CONTRIBUTING's nbval command works from the project root, for any subset and random seed:
``pytest --nbval-lax notebooks/NN_x.ipynb`` loads the root ``conftest.py`` (never
``tests/conftest.py``), which keeps a notebook's cells in order under pytest-randomly and sets
the safe environment (offline, quick mode, a throwaway data folder) the kernel inherits."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
root_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(root_conftest)


def _cell(path: str, num: int) -> SimpleNamespace:
    return SimpleNamespace(fspath=path, cell_num=num, name=f"{path}::Cell {num}")


def test_cells_come_back_in_order_and_other_tests_keep_their_place():
    shuffled = [_cell("b.ipynb", 2), SimpleNamespace(name="test_x"), _cell("a.ipynb", 1),
                _cell("b.ipynb", 0), _cell("a.ipynb", 0), SimpleNamespace(name="test_y"),
                _cell("b.ipynb", 1)]
    names = [item.name for item in root_conftest.notebook_cells_in_order(shuffled)]
    assert names == ["test_x", "test_y", "b.ipynb::Cell 0", "b.ipynb::Cell 1",
                     "b.ipynb::Cell 2", "a.ipynb::Cell 0", "a.ipynb::Cell 1"]
    plain = [SimpleNamespace(name="t1"), SimpleNamespace(name="t2")]
    assert root_conftest.notebook_cells_in_order(plain) == plain


def _ordered_notebook(n_cells: int) -> nbformat.NotebookNode:
    """Cells that each fail unless every earlier cell ran just before, in order."""
    cells = [nbformat.v4.new_code_cell("seen = [0]")]
    cells += [nbformat.v4.new_code_cell(f"assert seen[-1] == {i - 1}, seen\nseen.append({i})")
              for i in range(1, n_cells)]
    cells.append(nbformat.v4.new_code_cell(
        "import os\n"
        "assert os.environ.get('CNNCOURSE_OFFLINE') == '1', 'not offline'\n"
        "assert os.environ.get('CNNCOURSE_QUICK') == '1', 'not in quick mode'\n"
        "assert 'cnncourse-test-data-' in os.environ.get('CNNCOURSE_DATA', ''), 'data folder'"))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


@pytest.mark.notebooks
def test_nbval_from_the_project_root_keeps_cells_in_order_with_randomly_on():
    seed = 987654   # shuffles these cells out of order without the root conftest's hook
    build = ROOT / "build"
    build.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="nbval-order-", dir=build))
    try:
        nbformat.write(_ordered_notebook(12), folder / "order.ipynb")
        # A contributor's shell: none of the course's variables, no xdist worker.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CNNCOURSE_", "PYTEST_"))}
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "randomly",
             f"--randomly-seed={seed}", "-p", "no:cacheprovider",
             str((folder / "order.ipynb").relative_to(ROOT))],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "13 passed" in result.stdout, result.stdout[-3000:]
