"""Build and drive the course widgets under ipywidgets 7 (run by tests/test_ipywidgets7.py).

Run with the ipywidgets-7 folder first on PYTHONPATH; exits non-zero on the first failure
and prints one ``OK`` line per widget checked.
"""

import importlib
import pkgutil
import sys

import ipywidgets

import cnncourse.quizzes
from cnncourse.quiz import Quiz


def check_version() -> None:
    assert ipywidgets.__version__.startswith("7."), (
        f"expected ipywidgets 7 first on sys.path, got {ipywidgets.__version__} "
        f"from {ipywidgets.__file__}")
    print(f"OK ipywidgets {ipywidgets.__version__} from {ipywidgets.__file__}")


def course_quizzes() -> list[tuple[str, Quiz]]:
    """Every Quiz object defined in cnncourse.quizzes.nbNN modules."""
    found = []
    for info in pkgutil.iter_modules(cnncourse.quizzes.__path__):
        module = importlib.import_module(f"cnncourse.quizzes.{info.name}")
        found += [(f"{info.name}.{k}", v) for k, v in vars(module).items() if isinstance(v, Quiz)]
    return found


def check_quiz(name: str, quiz: Quiz) -> None:
    box = quiz.widget()
    assert isinstance(box, ipywidgets.VBox), type(box)
    assert len(box.buttons) == len(quiz.options)
    before = box.feedback.value
    wrong = next((i for i, o in enumerate(quiz.options) if not o.correct), None)
    right = next(i for i, o in enumerate(quiz.options) if o.correct)
    if wrong is not None:
        box.buttons[wrong].click()
        assert "Not quite" in box.feedback.value and box.feedback.value != before
        assert box.buttons[wrong].button_style == "danger" and quiz.answer == wrong
    box.buttons[right].click()
    assert "Right" in box.feedback.value and box.buttons[right].button_style == "success"
    assert quiz.answer == right
    if wrong is not None:
        assert box.buttons[wrong].button_style == "", "the earlier pick must be cleared"
    print(f"OK quiz {name}: built {len(box.buttons)} buttons, clicks update the feedback")


def main() -> int:
    check_version()
    quizzes = course_quizzes() or [("inline", Quiz("2 + 2?", [("4", True), ("5", False)], "Sum."))]
    for name, quiz in quizzes:
        check_quiz(name, quiz)
    print(f"OK {len(quizzes)} quizzes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
