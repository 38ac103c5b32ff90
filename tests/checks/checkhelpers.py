"""Shared assertions for the per-notebook check tests."""

from cnncourse.course.exercises import WRONG


def wrong(check, fn, *fragments):
    """Assert ``check`` rejects ``fn`` as WRONG with every fragment in its message."""
    verdict = check.verdict(fn)
    assert verdict.status == WRONG, f"{check.name} accepted a wrong answer: {verdict}"
    for fragment in fragments:
        assert fragment in verdict.message, f"{fragment!r} not in {verdict.message!r}"


def verdict(check, answer):
    """The :class:`Verdict` of ``check`` on ``answer``, without printing."""
    return check.verdict(answer)


def assert_accepts_reference(check):
    """Assert ``check`` calls its own reference solution correct."""
    from cnncourse.course.exercises import CORRECT

    result = check.verdict(check.reference)
    assert result.status == CORRECT, result


def stub(*args, **kwargs):
    """An exercise the learner has not started: it still raises NotImplementedError."""
    raise NotImplementedError("Hint: ...")
