"""Every check and quiz in the package, found automatically, meets the same contract.

Each check accepts its reference, calls a stub "not attempted", and can show its solution;
each quiz builds as text, HTML and a widget whose right answer says so. The per-notebook
test files add the realistic wrong answers each check must name.
"""

import importlib
import pkgutil

import pytest

import cnncourse.lessons
from cnncourse.course.exercises import CORRECT, NOT_ATTEMPTED, WRONG, Checks
from cnncourse.course.quiz import Quizzes

LESSON_MODULES = {info.name: importlib.import_module(f"cnncourse.lessons.{info.name}")
                  for info in pkgutil.iter_modules(cnncourse.lessons.__path__)}
CHECKS = [(f"{name}.{chk.name}", chk) for name, mod in LESSON_MODULES.items() for chk in mod.check]
QUIZZES = [(f"{name}.{key}", q) for name, mod in LESSON_MODULES.items() for key, q in mod.quiz.items()]


def test_every_lesson_is_listed_and_has_checks_and_quizzes():
    # The course order lists every lesson module once; each has a check and quiz namespace.
    assert sorted(cnncourse.lessons.LESSONS) == sorted(LESSON_MODULES)
    for name, module in LESSON_MODULES.items():
        assert isinstance(module.check, Checks) and list(module.check), name
        assert isinstance(module.quiz, Quizzes) and len(module.quiz) >= 2, name


@pytest.mark.parametrize("name,chk", CHECKS, ids=[n for n, _ in CHECKS])
def test_check_accepts_reference_and_flags_stub(name, chk, capsys):
    assert chk.verdict(chk.reference).status == CORRECT, chk.verdict(chk.reference).message

    def stub(*args, **kwargs):
        raise NotImplementedError("Hint: ...")

    assert chk.verdict(stub).status == NOT_ATTEMPTED
    chk.solution()
    source = capsys.readouterr().out
    assert f"def {chk.name}(" in source or f"class {chk.name}(" in source


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


@pytest.mark.parametrize("name,chk", CHECKS, ids=[n for n, _ in CHECKS])
def test_check_leaves_the_learners_random_state_alone(name, chk):
    # A check that reseeds torch's global generator would change the learner's later results.
    import torch

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    chk.verdict(chk.reference)
    assert torch.equal(torch.rand(3), expected), f"{name} changed the global random state"


CRASHES = [
    (ZeroDivisionError("integer division or modulo by zero"), "by zero"),
    (RuntimeError("stack expects each tensor to be equal size, but got [2, 4] at entry 0 and "
                  "[2, 3] at entry 1"), "stack"),
    (TypeError("unsupported operand type(s) for //: 'int' and 'NoneType'"), "None"),
    (ValueError("something else went wrong"), "print"),
]


@pytest.mark.parametrize("name,chk", CHECKS, ids=[n for n, _ in CHECKS])
@pytest.mark.parametrize("error,cause", CRASHES, ids=[type(e).__name__ for e, _ in CRASHES])
def test_an_answer_that_raises_gets_a_diagnosis_not_a_bare_exception(name, chk, error, cause):
    # Whatever the check, a crash names the input it was called with, a likely cause, and then
    # shows the original error.
    def crashes(*args, **kwargs):
        raise error

    result = chk.verdict(crashes)
    assert result.status == WRONG, result
    message = result.message
    assert f"called as {chk.name}(" in message, message
    assert cause in message, message
    assert f"Original error: {type(error).__name__}: {error}" in message, message
