"""A check only ever grades the learner's own answer (issue 28, item 1).

``NAME = check.NAME.pick()`` puts the reference in the learner's ``NAME`` when their answer
does not pass; re-running ``check.NAME()`` afterwards must say so, never turn green, and the
verdict it records (``Check.own``) stays the learner's own.
"""

import contextlib
import importlib
import inspect
import io
import pkgutil

import pytest

import cnncourse.lessons
from cnncourse.course.exercises import CORRECT, NOT_ATTEMPTED, WRONG

LESSONS = [importlib.import_module(f"cnncourse.lessons.{info.name}")
           for info in pkgutil.iter_modules(cnncourse.lessons.__path__)]
CHECKS = [(f"{mod.__name__.rsplit('.', 1)[1]}.{chk.name}", chk)
          for mod in LESSONS for chk in mod.check]


def _run_cell(source: str, namespace: dict) -> str:
    """Run ``source`` as a notebook cell in ``namespace`` and return what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<cell>", "exec"), namespace)
    return out.getvalue()


def test_every_lesson_check_is_found():
    assert len(CHECKS) >= 31


@pytest.mark.parametrize("name,chk", CHECKS, ids=[n for n, _ in CHECKS])
def test_a_check_after_pick_never_grades_the_reference(name, chk):
    def stub(*args, **kwargs):
        raise NotImplementedError("Hint: ...")

    chk.own = None
    ns = {"check": chk, chk.name: stub}
    printed = _run_cell(f"{chk.name} = check.pick()", ns)
    assert "Using the reference" in printed
    assert ns[chk.name] is chk.reference
    printed = _run_cell("check()", ns)           # the learner re-runs the check cell
    assert "✅" not in printed and "Correct" not in printed, printed
    assert "reference" in printed and "re-run your exercise cell" in printed, printed
    assert f"last own answer: {NOT_ATTEMPTED}" in printed
    assert chk.own is not None and chk.own.status == NOT_ATTEMPTED
    assert _run_cell("ok = check.passed()", ns) == "" and ns["ok"] is False
    # Re-running the pick() cell keeps the reference and says so, without grading it.
    printed = _run_cell(f"{chk.name} = check.pick()", ns)
    assert ns[chk.name] is chk.reference and "still the reference" in printed
    assert chk.own.status == NOT_ATTEMPTED


def test_the_recorded_verdict_follows_the_learners_own_answers():
    chk = next(chk for _, chk in CHECKS if inspect.isfunction(chk.reference))

    def wrong_answer(*args, **kwargs):
        return None

    chk.own = None
    ns = {"check": chk, chk.name: wrong_answer}
    _run_cell(f"{chk.name} = check.pick()", ns)
    assert chk.own.status in (WRONG, NOT_ATTEMPTED)
    reference = chk.reference

    def own(*args, **kwargs):                    # the learner re-runs a (correct) exercise cell
        return reference(*args, **kwargs)

    ns[chk.name] = own
    assert ns[chk.name] is not chk.reference
    printed = _run_cell("check()", ns)
    assert "✅" in printed and chk.own.status == CORRECT
    assert _run_cell(f"{chk.name} = check.pick()", ns) == ""
    assert ns[chk.name] is not chk.reference      # their own passing answer is kept
