"""Claims a notebook prints are also tested: ``claim("same outputs", torch.equal(a, b))``.

:func:`claim` prints the statement as ``print`` would and raises :class:`ClaimError` when it is
false. :func:`compare` prints two accuracies, the noise of a score on that many images, and a
verdict: "no clear difference" when the gap is inside that noise.
"""

from __future__ import annotations

import math
from typing import Any

from cnncourse.course.directions import refuse_unfinished
from cnncourse.validate import whole_number

NO_CLEAR_DIFFERENCE = "no clear difference"


class ClaimError(AssertionError):
    """A statement the notebook makes about its own results turned out false."""


def claim(statement: str, holds: Any, detail: str = "") -> None:
    """Print ``statement: True``; raise :class:`ClaimError` if ``holds`` is false.

    Args:
        statement: what the text says, e.g. ``"same outputs"`` or ``"matches nn.BatchNorm2d"``.
        holds: a bool, or a one-element tensor such as ``torch.allclose(...)`` returns.
        detail: optional figures printed after the verdict, e.g. ``"max difference 3e-7"``.
    """
    refuse_unfinished("claim")
    if not isinstance(statement, str) or not statement.strip():
        raise ValueError("claim: expected the statement as a non-empty string, e.g. "
                         "claim('same outputs', torch.equal(a, b)).")
    try:
        verdict = bool(holds)
    except (RuntimeError, ValueError) as err:  # e.g. a tensor with many elements
        raise TypeError(f"claim({statement!r}, ...): expected True/False or a one-element "
                        f"tensor, got {type(holds).__name__} ({err}). Reduce it first, e.g. "
                        f"with torch.allclose(a, b) or (a == b).all().") from err
    print(f"{statement}: {verdict}" + (f" ({detail})" if detail else ""))
    if not verdict:
        raise ClaimError(f"The notebook says {statement!r}, but here it is false"
                         + (f" ({detail})" if detail else "") + ". The text above no longer "
                         "matches what the code computes: please report this.")


def standard_error(accuracy: float, n: int) -> float:
    """Standard error of an accuracy measured on ``n`` images: sqrt(p (1 - p) / n)."""
    whole_number(n, "n", "standard_error", hint="the number of images scored")
    if not 0.0 <= float(accuracy) <= 1.0:
        raise ValueError(f"standard_error: expected an accuracy between 0 and 1, got "
                         f"{accuracy!r}. Pass 0.42 for 42%.")
    return math.sqrt(float(accuracy) * (1 - float(accuracy)) / n)


def compare(name_a: str, acc_a: float, name_b: str, acc_b: float, n: int,
            metric: str = "validation accuracy", note: str | None = None,
            noise_floor: float = 0.0) -> str:
    """Compare two accuracies scored on the same ``n`` images; print and return the verdict.

    The verdict is ``"<name_a> higher"``, ``"<name_b> higher"`` or ``"no clear difference"``:
    a gap counts only when it exceeds twice its standard error (about 95% confidence), since
    each accuracy on ``n`` images wobbles by sqrt(p (1 - p) / n) from run to run.

    Args:
        name_a, name_b: what was compared, e.g. ``"with ReLUs"``, ``"no ReLU"``.
        acc_a, acc_b: their accuracies, as fractions between 0 and 1.
        n: how many images each accuracy was measured on.
        metric: the metric the sentence names, printed with the figures.
        note: e.g. ``"stand-in"``, printed next to the accuracies.
        noise_floor: a noise level measured another way, e.g. how far the same run moved
            when repeated from other starting weights; the noise is the larger of the two.
    """
    refuse_unfinished("compare")
    se = math.hypot(standard_error(acc_a, n), standard_error(acc_b, n))
    if isinstance(noise_floor, bool) or not isinstance(noise_floor, (int, float)) \
            or not 0 <= noise_floor < 1:
        raise ValueError(f"compare: noise_floor must be a fraction between 0 and 1 (e.g. the "
                         f"gap between two repeated runs), got {noise_floor!r}.")
    rerun = noise_floor > se
    se = max(se, float(noise_floor))
    gap = float(acc_a) - float(acc_b)
    if abs(gap) <= 2 * se:
        verdict = NO_CLEAR_DIFFERENCE
    else:
        verdict = f"{name_a if gap > 0 else name_b} higher"
    on = f", {note}" if note else ""
    print(f"{metric}{on}: {name_a} {acc_a:.1%} vs {name_b} {acc_b:.1%} on {n:,} images; "
          f"difference {100 * gap:+.1f} points, noise ±{200 * se:.1f} "
          f"({'2 x the rerun gap' if rerun else '2 standard errors'}) "
          f"-> {verdict}")
    return verdict
