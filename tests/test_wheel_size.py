"""The wheel a learner installs: small, and free of the instructor's and the room's code.

Builds the learner's wheel offline from a copy of the package (setuptools, no build
isolation, no network), then reads it back: lines of Python, the packages inside it, and
every module's imports.
"""

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from cnncourse.course import quiz as quiz_module
from cnncourse.course.quiz import Quizzes
from cnncourse.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[1]

TARGET_LINES = 10_000
"""The learner package's size target (issue 31): at most this many lines of Python."""

CEILING_LINES = 9_984
"""What the wheel may hold today, so it cannot grow unnoticed: the instructor's tools are out
(14,337 -> 12,240), then the restart/interrupt directions (+480), the website's tables and
chart descriptions (+170) and the data layer on torchvision's public API (2,071 -> 2,013)
brought it to 12,819; the section map as package data (sections.json, -130), shorter
docstrings and parameters no caller used took it to 12,602; the workshop room's recorder
(``course/room.py`` and its hooks in checks, quizzes and the capstone, issue 32) to 12,709.
Then one implementation per job in each area (checks' forbidden shortcuts and known slips,
the figures' number grids and widgets, downloads through torchvision's dataset classes, the
capstone's speed measured by ``fit``; the Colab templates and the across-runs seed shift moved
to the instructor's tools and the benchmark): 11,747; the quizzes as package data
(``lessons/quizzes/*.json``, -1,069): 10,678; checks and quizzes on one ``ByName`` base,
one ``cnncourse data``/``weights`` command table, ``validate.positive_number``, and the
review's fixes (a median step in ``measure_speed``, named shortcuts, grids too fine for
numbers): 10,638; the module docstrings' design notes for maintainers moved into
CONTRIBUTING.md's "What the tree cannot say" (each module keeps what it is for): 10,350;
the room's recorder moved to the instructor's tools, leaving a hook that loads it through an
entry point only in a room (``course/room.py``): 10,314; a third look at every area (the
data layer in 9 modules, not 11; one hook runner in ``interpret``; transfer's batches from
``TensorLoader``; helpers used once inlined; fallbacks for an IPython that ipywidgets always
brings): 10,152; importing files obtained elsewhere moved to the instructor's tools
(``cnncourse-instructor data|weights import``; learners copy files to the paths
``cnncourse data status`` lists): 10,053; pre-fetching pretrained weights moved there too
(``cnncourse-instructor weights download|status``; notebook 11 downloads them itself online),
leaving ``cnncourse data`` written plainly, without the table it shared with ``weights``: 9,974; its download loop then became
``cli.download_each``, which the instructor's weights download calls instead of a second copy
of it (+10 here, -17 there): 9,984.
Lower this as the package shrinks, down to TARGET_LINES; never raise it without moving
something out first."""

FORBIDDEN_IMPORTS = {"jupyterhub", "nbgitpuller", "cnncourse_instructor"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The learner's wheel, built from a copy of pyproject.toml, README, LICENSE and cnncourse/."""
    import setuptools  # noqa: F401  (a dev dependency: make setup installs it)
    src = tmp_path_factory.mktemp("wheel-src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "cnncourse", src / "cnncourse",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel-out")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "--no-index", "-q", "-w", str(out), str(src)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    wheels = list(out.glob("cnncourse-*.whl"))
    assert len(wheels) == 1, f"expected one cnncourse wheel in {out}, got {wheels}"
    return wheels[0]


def _python_files(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                if name.endswith(".py")}


def _imported_roots(source: str) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_learner_wheel_holds_only_the_learner_package(wheel):
    files = _python_files(wheel)
    tops = {name.split("/")[0] for name in files}
    assert tops == {"cnncourse"}, f"the learner wheel holds other packages: {sorted(tops)}"
    assert "cnncourse/timing.json" in zipfile.ZipFile(wheel).namelist(), \
        "the Colab setup line reads cnncourse/timing.json: keep it in package-data"
    assert "cnncourse/course/sections.json" in zipfile.ZipFile(wheel).namelist(), \
        "the directions read cnncourse/course/sections.json: keep it in package-data"
    quiz_files = {f"cnncourse/lessons/quizzes/{lesson}.json" for lesson in LESSONS}
    missing = sorted(quiz_files - set(zipfile.ZipFile(wheel).namelist()))
    assert not missing, f"the lessons' quizzes read {missing}: keep them in package-data"
    offenders = {name: sorted(_imported_roots(text) & FORBIDDEN_IMPORTS)
                 for name, text in files.items() if _imported_roots(text) & FORBIDDEN_IMPORTS}
    assert not offenders, (f"modules of the learner wheel import the instructor's or the room's "
                           f"code: {offenders}; that belongs in instructor/")


def test_the_quizzes_load_from_the_wheel(wheel, monkeypatch):
    # Quizzes read their files with importlib.resources: point it at the wheel's package.
    from_repo = sum(len(Quizzes(lesson)) for lesson in LESSONS)
    monkeypatch.setattr(quiz_module, "resources", SimpleNamespace(
        files=lambda name: zipfile.Path(wheel, name.replace(".", "/") + "/")))
    from_wheel = sum(len(Quizzes(lesson)) for lesson in LESSONS)
    assert from_wheel == from_repo > 40, (
        f"the wheel's quiz files hold {from_wheel} quizzes, the repository's {from_repo}")


def test_the_learner_wheel_stays_within_its_line_budget(wheel):
    files = _python_files(wheel)
    lines = sum(len(text.splitlines()) for text in files.values())
    print(f"learner wheel: {lines} lines of Python in {len(files)} modules "
          f"(target {TARGET_LINES}, ceiling today {CEILING_LINES})")
    assert len(files) > 50 and lines > 5_000, "the wheel lost most of the package"
    assert lines <= CEILING_LINES, (
        f"the learner wheel has {lines} lines of Python, above its ceiling of {CEILING_LINES} "
        f"(target {TARGET_LINES}): move instructor-, test- or benchmark-only code out of "
        f"cnncourse/ (instructor/, tests/, benchmarks/) or simplify it.")
