"""Every check and quiz in the package, found automatically, meets the same contract.

Each check accepts its reference, calls a stub "not attempted", and can show its solution;
each quiz builds as text, HTML and a widget whose right answer says so. The per-notebook
test files add the realistic wrong answers each check must name.
"""

import importlib
import pkgutil

import pytest

import cnncourse.checks
import cnncourse.quizzes
from cnncourse.exercises import CORRECT, NOT_ATTEMPTED, Check
from cnncourse.quiz import Quiz


def _members(package, kind):
    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found += [(f"{info.name}.{name}", value) for name, value in vars(module).items()
                  if isinstance(value, kind)]
    return found


CHECKS = _members(cnncourse.checks, Check)
QUIZZES = _members(cnncourse.quizzes, Quiz)


def test_every_notebook_module_has_checks_and_quizzes():
    with_checks = {name.split(".")[0] for name, _ in CHECKS}
    with_quizzes = {name.split(".")[0] for name, _ in QUIZZES}
    assert {f"nb{n:02d}" for n in range(12)} <= with_checks
    assert {f"nb{n:02d}" for n in range(12)} <= with_quizzes


@pytest.mark.parametrize("name,chk", CHECKS, ids=[n for n, _ in CHECKS])
def test_check_accepts_reference_and_flags_stub(name, chk):
    assert chk.verdict(chk.reference).status == CORRECT, chk.verdict(chk.reference).message

    def stub(*args, **kwargs):
        raise NotImplementedError("Hint: ...")

    assert chk.verdict(stub).status == NOT_ATTEMPTED
    assert f"def {chk.name}(" in chk.solution(show=False)


@pytest.mark.parametrize("name,quiz", QUIZZES, ids=[n for n, _ in QUIZZES])
def test_quiz_builds_in_both_modes(name, quiz):
    right = next(i for i, o in enumerate(quiz.options) if o.correct)
    assert f"Answer: {chr(65 + right)}" in quiz.to_text()
    page = quiz.to_html()
    assert "<details>" in page and quiz.options[0].text.split()[0] in page
    box = quiz.widget()
    assert len(box.buttons) == len(quiz.options)
    wrong_index = next(i for i, o in enumerate(quiz.options) if not o.correct)
    box.buttons[wrong_index].click()
    assert "Not quite" in box.feedback.value
    assert box.buttons[wrong_index].button_style == "danger"
    box.buttons[right].click()
    assert "Right" in box.feedback.value and quiz.answer == right
