"""``fit`` reads like the loop learners write in notebook 08: a short body in which the five
numbered steps appear in order, with the budget, clock and schedules in small helpers."""

import ast
import inspect
import re
import textwrap

from cnncourse import train

STEPS = ["forward", "loss", "clear old gradients", "backpropagate", "update the weights"]


def _body_lines(fn) -> tuple[int, str]:
    """The number of lines in ``fn``'s body after its docstring, and that body's source."""
    source = textwrap.dedent(inspect.getsource(fn))
    node = ast.parse(source).body[0]
    body = node.body[1:] if ast.get_docstring(node) else node.body
    lines = source.splitlines()[body[0].lineno - 1:body[-1].end_lineno]
    return len(lines), "\n".join(lines)


def test_fit_body_is_short_and_shows_the_five_steps_in_order():
    n, body = _body_lines(train.fit)
    assert n <= 60, f"fit's body has {n} lines; move option checks or bookkeeping to a helper"
    found = [int(m.group(1)) for m in re.finditer(r"#\s*(\d)\.\s", body)]
    assert found == [1, 2, 3, 4, 5], found
    for number, words in enumerate(STEPS, 1):
        assert re.search(rf"#\s*{number}\.\s[^\n]*{words}", body), (number, words)
    for call in ("model(X)", "loss_fn(logits, y)", "optimizer.zero_grad(", "loss.backward()",
                 "optimizer.step()"):
        assert call in body, call


def test_the_line_counter_sees_a_long_body():
    def long():
        """Doc."""
        a = 1
        a += 1
        a += 1
        return a

    assert _body_lines(long)[0] == 4
