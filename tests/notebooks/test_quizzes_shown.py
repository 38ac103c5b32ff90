"""The quiz files and the notebooks agree: every quiz a notebook shows is in its lesson's
``cnncourse/lessons/quizzes/<lesson>.json``, and every quiz in those files is shown.

A quiz's name is the key of its entry in the file; a notebook shows it with
``quiz.NAME.show()`` after ``from cnncourse.lessons.<lesson> import ... quiz``.
"""

import json
import re
from pathlib import Path

from cnncourse.lessons import LESSONS

ROOT = Path(__file__).resolve().parents[2]
QUIZ_FILES = ROOT / "cnncourse" / "lessons" / "quizzes"
LESSON_IMPORT = re.compile(r"from cnncourse\.lessons\.(\w+) import")
QUIZ_USE = re.compile(r"\bquiz\.(\w+)(\.show\(\))?")


def shown_by_notebooks() -> dict[str, list[tuple[str, str]]]:
    """``{lesson: [(notebook, quiz name), ...]}`` for every ``quiz.NAME`` in a code cell."""
    shown: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        code = "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]
                         if cell["cell_type"] == "code")
        lessons = set(LESSON_IMPORT.findall(code))
        assert len(lessons) == 1, f"{path.name}: expected one lesson import, found {lessons}"
        lesson = lessons.pop()
        for match in QUIZ_USE.finditer(code):
            assert match.group(2), (f"{path.name}: quiz.{match.group(1)} is used without "
                                    f".show(); notebooks show a quiz with quiz.NAME.show()")
            shown.setdefault(lesson, []).append((path.name, match.group(1)))
    return shown


def quiz_names(lesson: str) -> list[str]:
    return list(json.loads((QUIZ_FILES / f"{lesson}.json").read_text(encoding="utf-8")))


def test_every_lesson_has_a_quiz_file_and_every_file_a_lesson():
    files = {path.stem for path in QUIZ_FILES.glob("*.json")}
    assert files == set(LESSONS), (f"quiz files without a lesson: {files - set(LESSONS)}; "
                                   f"lessons without a quiz file: {set(LESSONS) - files}")


def test_every_quiz_a_notebook_shows_is_in_its_lessons_file():
    missing = [f"{notebook}: quiz.{name}.show() but {lesson}.json has no {name!r}"
               for lesson, uses in shown_by_notebooks().items() for notebook, name in uses
               if name not in quiz_names(lesson)]
    assert not missing, "\n".join(missing)


def test_every_quiz_in_the_files_is_shown_once():
    shown = shown_by_notebooks()
    for lesson in LESSONS:
        names = [name for _, name in shown.get(lesson, [])]
        unshown = [name for name in quiz_names(lesson) if name not in names]
        assert not unshown, f"{lesson}.json: no notebook shows {unshown}; show or delete them"
        twice = sorted({name for name in names if names.count(name) > 1})
        assert not twice, f"{lesson}: quizzes shown more than once: {twice}"


def test_each_quiz_file_lists_its_quizzes_in_the_order_the_notebook_shows_them():
    """An author reading a file meets the quizzes as a learner does."""
    for lesson, uses in shown_by_notebooks().items():
        order = [name for _, name in uses]
        assert quiz_names(lesson) == order, (
            f"{lesson}.json lists {quiz_names(lesson)}, but the notebook shows them as {order}: "
            f"reorder the file's entries")
