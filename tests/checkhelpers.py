"""Shared assertions for the per-notebook check tests."""

from cnncourse.exercises import WRONG


def wrong(check, fn, *fragments):
    """Assert ``check`` rejects ``fn`` as WRONG with every fragment in its message."""
    verdict = check.verdict(fn)
    assert verdict.status == WRONG, f"{check.name} accepted a wrong answer: {verdict}"
    for fragment in fragments:
        assert fragment in verdict.message, f"{fragment!r} not in {verdict.message!r}"
