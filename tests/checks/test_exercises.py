"""The check machinery: three verdicts, recovery with the reference, showing a solution."""

import torch

from cnncourse.course.exercises import (
    CORRECT,
    NOT_ATTEMPTED,
    WRONG,
    Check,
    Mistake,
    expect_close,
    expect_tensor,
)


def double(x):
    """Reference: twice the input."""
    return 2 * x


def double_body(fn):
    out = fn(torch.tensor([1.0, 2.0]))
    expect_close(out, torch.tensor([2.0, 4.0]), what="double(x)")


check_double = Check(double_body, double, "check_double")


def test_correct_answer_passes(capsys):
    # A check cell shows only the message (no stray True/False); passed() gives the verdict.
    assert check_double(lambda x: x + x) is None
    assert "Correct" in capsys.readouterr().out
    assert check_double.passed(lambda x: x + x) is True


def test_check_reads_the_learners_name_from_the_notebook_namespace(capsys):
    # check.NAME() looks NAME up where it is called; an undefined name is "not attempted".
    namespace = {"check": Check(double_body, double, name="double")}
    exec("check()", namespace)
    assert "Not attempted" in capsys.readouterr().out
    namespace["double"] = lambda x: 2 * x
    exec("check()\nresult = check.pick()", namespace)
    assert "Correct" in capsys.readouterr().out and namespace["result"] is namespace["double"]


def test_not_attempted(capsys):
    def stub(x):
        raise NotImplementedError("Hint: multiply")

    assert check_double.passed(stub) is False
    check_double(stub)
    assert check_double.verdict(stub).status == NOT_ATTEMPTED
    assert check_double.verdict(None).status == NOT_ATTEMPTED
    assert "Not attempted" in capsys.readouterr().out


def test_wrong_answer_says_what_is_wrong():
    verdict = check_double.verdict(lambda x: 3 * x)
    assert verdict.status == WRONG
    assert "wrong values" in verdict.message
    shape = check_double.verdict(lambda x: x.sum())
    assert "shape ()" in shape.message
    crash = check_double.verdict(lambda x: x.reshape(3, 5))
    assert crash.status == WRONG and "Original error" in crash.message
    assert "RuntimeError" in crash.message and "called as check_double(a tensor of shape (2,))" in crash.message


def test_a_crash_names_the_input_the_likely_cause_and_the_line():
    def mine(x):
        return torch.stack([x, x[:1]])

    message = check_double.verdict(mine).message
    assert "called as check_double(a tensor of shape (2,))" in message
    assert "Likely cause: the pieces you stacked" in message
    assert "(raised at `return torch.stack([x, x[:1]])`" in message


def test_a_crash_after_the_call_says_so():
    # The learner's function returned, and the check crashed on what it returned.
    def check_plus_one(fn):
        return fn(torch.tensor([1.0])) + 1

    check_plus_one = Check(check_plus_one, double)
    message = check_plus_one.verdict(lambda x: "two").message
    assert "led to an error" in message and "Original error" in message and "TypeError" in message


def test_pick_returns_learner_or_reference(capsys):
    def mine(x):
        return x * 2

    assert check_double.pick(mine) is mine
    assert check_double.pick(lambda x: x) is double
    assert "Using the reference" in capsys.readouterr().out


def test_solution_shows_reference_source(capsys):
    assert check_double.solution() is None
    source = capsys.readouterr().out
    assert "def double" in source and "2 * x" in source


def test_expect_tensor_messages():
    for value, shape, dtype, message in [
        ([1, 2], None, None, "should be a torch.Tensor"),
        (torch.zeros(2, 3), (3, 2), None, "shape (2, 3); expected (3, 2)"),
        (torch.zeros(2, dtype=torch.uint8), None, torch.float32, "dtype torch.uint8"),
    ]:
        try:
            expect_tensor(value, shape, dtype)
        except Mistake as err:
            assert message in str(err)
        else:
            raise AssertionError(f"expect_tensor accepted {value!r}")
    assert CORRECT == "correct"



def test_describe_uses_the_right_article_for_each_dtype():
    from cnncourse.course.exercises import describe

    assert describe(torch.zeros(2, dtype=torch.int64)) == "an int64 tensor of shape (2,)"
    assert describe(torch.zeros(2, dtype=torch.uint8)) == "a uint8 tensor of shape (2,)"
    assert describe(torch.zeros(2, dtype=torch.float64)) == "a float64 tensor of shape (2,)"
    assert describe(torch.zeros(2)) == "a tensor of shape (2,)"
