"""The course notebooks as data: find them, read their exercises, find the lesson they use;
the badge and setup cell every notebook opens with (``stamp`` writes them).

A student notebook imports its lesson module (``from cnncourse.lessons.pooling import check``);
that module holds the reference solution of every exercise in the notebook. Only ``nbformat``
is needed (no kernel); reading never executes anything.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnncourse.course import colab

EXERCISE_TAG = "exercise"
SETUP_TAG = "setup"
NOTEBOOK_DIR = "notebooks"
COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"

SETUP_CELL_TEMPLATE = '''\
# Setup: this same cell opens every notebook. In Colab it first installs the course package.
import subprocess
import sys

COURSE_REPO = "https://github.com/{repo}"
if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    f"cnncourse @ git+{{COURSE_REPO}}@{branch}"], check=True)

import torch

import cnncourse as cc
from cnncourse.settings import is_quick, pick

device = cc.settings.start(seed=0)
cc.viz.describe_figures()   # every figure says what it shows (alt text), on a white background'''
_NUMBER = re.compile(r"^(\d{2})_[\w-]+\.ipynb$")
_LESSON_IMPORT = re.compile(r"^\s*from cnncourse\.lessons\.(\w+) import", re.M)


# The cells every notebook opens with, for the repository in cnncourse.course.colab -----------

def colab_url(notebook: str, repo: str = colab.REPO, branch: str = colab.BRANCH) -> str:
    """The "Open in Colab" link for ``notebook`` (a file name such as ``03_convolution.ipynb``)."""
    if not notebook.endswith(".ipynb"):
        raise ValueError(f"colab_url: expected a notebook file name ending in .ipynb, "
                         f"got {notebook!r}.")
    name = notebook.rsplit("/", 1)[-1]
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{NOTEBOOK_DIR}/{name}"


def badge_markdown(notebook: str, repo: str = colab.REPO, branch: str = colab.BRANCH) -> str:
    """Markdown for the "Open in Colab" badge of ``notebook``."""
    return f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({colab_url(notebook, repo, branch)})"


def setup_cell_source(repo: str = colab.REPO, branch: str = colab.BRANCH) -> str:
    """The setup cell, identical in every notebook."""
    return SETUP_CELL_TEMPLATE.format(repo=repo, branch=branch)


# Finding and reading ---------------------------------------------------------------------------

def default_notebook_dir() -> Path:
    """``./notebooks`` when it exists, else the checkout's (the folder beside ``cnncourse/``)."""
    here = Path.cwd() / NOTEBOOK_DIR
    if here.is_dir():
        return here
    return Path(colab.__file__).resolve().parents[2] / NOTEBOOK_DIR  # cnncourse/course/


def notebook_paths(directory: str | Path | None = None) -> list[Path]:
    """The course notebooks (``NN_name.ipynb``) in ``directory``, sorted by number."""
    folder = Path(directory) if directory is not None else default_notebook_dir()
    if not folder.is_dir():
        raise FileNotFoundError(f"notebook_paths: expected a folder of NN_name.ipynb notebooks, "
                                f"but {folder} does not exist. Run from the repository root or "
                                f"pass the folder explicitly.")
    return sorted(p for p in folder.glob("*.ipynb") if _NUMBER.match(p.name))


def notebook_number(path: str | Path) -> str:
    """The two-digit number of a course notebook: ``03_convolution.ipynb`` -> ``"03"``."""
    match = _NUMBER.match(Path(path).name)
    if not match:
        raise ValueError(f"notebook_number: expected a file named like 03_convolution.ipynb, "
                         f"got {Path(path).name!r}.")
    return match.group(1)


def read_notebook(path: str | Path) -> Any:
    """Read a notebook as an ``nbformat`` v4 node."""
    import nbformat

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"read_notebook: no notebook at {path}; check the path.")
    return nbformat.read(path, as_version=4)


def write_notebook(nb: Any, path: str | Path) -> Path:
    """Write ``nb`` to ``path`` (creating folders) in nbformat's standard layout."""
    import nbformat

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def cell_tags(cell: Any) -> list[str]:
    """The tags of a notebook cell (an empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


# Exercises -----------------------------------------------------------------------------------

@dataclass
class Exercise:
    """One exercise cell: its position, the function it defines and that function's AST."""

    index: int
    name: str
    source: str
    node: ast.FunctionDef


def exercise_function(source: str, where: str = "exercise cell") -> ast.FunctionDef:
    """The single top-level function an exercise cell defines (raises if not exactly one)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ValueError(f"{where}: the cell is not valid Python ({err}).") from err
    funcs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if len(funcs) != 1:
        names = [f.name for f in funcs]
        raise ValueError(f"{where}: a cell tagged 'exercise' must define exactly one function, "
                         f"found {len(funcs)} {names}. Split the cell or remove the tag.")
    return funcs[0]


def exercises(nb: Any, where: str = "notebook") -> list[Exercise]:
    """Every code cell tagged ``exercise`` in ``nb``, in order."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and EXERCISE_TAG in cell_tags(cell):
            node = exercise_function(cell.source, f"{where}, cell {index}")
            found.append(Exercise(index, node.name, cell.source, node))
    return found


# The lesson behind a notebook ------------------------------------------------------------------

def lesson_name(nb: Any, where: str = "notebook") -> str:
    """The lesson module a notebook imports: ``from cnncourse.lessons.pooling import check``."""
    found = {m.group(1) for cell in nb.cells if cell.cell_type == "code"
             for m in _LESSON_IMPORT.finditer(cell.source)}
    if len(found) != 1:
        raise LookupError(f"{where}: expected exactly one lesson import such as "
                          f"'from cnncourse.lessons.pooling import check, quiz', found "
                          f"{sorted(found) or 'none'}.")
    return found.pop()


def reference(lesson: str, name: str) -> Any:
    """The reference ``cnncourse.lessons.<lesson>.NAME`` for an exercise (raises if missing)."""
    module_name = f"cnncourse.lessons.{lesson}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name != module_name:
            raise
        raise LookupError(f"exercise {name!r}: no lesson module {module_name}. Add "
                          f"cnncourse/lessons/{lesson}.py with a function {name}.") from err
    if not callable(getattr(module, name, None)):
        raise LookupError(f"exercise {name!r}: {module_name} has no function {name!r}. Add the "
                          f"reference solution with the same name and signature as the "
                          f"exercise.")
    return getattr(module, name)


def reference_source(lesson: str, name: str) -> str:
    """The source of the reference solution, dedented, via ``inspect.getsource``."""
    return textwrap.dedent(inspect.getsource(reference(lesson, name)))
