"""Claims a notebook prints are also tested: ``claim("same outputs", torch.equal(a, b))``.

A cell that prints "same outputs: True" only proves something if it fails when the outputs
differ. :func:`claim` prints the statement and its verdict the way a plain ``print`` would,
and raises :class:`ClaimError` when it is false, so the notebook stops there and the test
run (nbval) fails instead of quietly showing ``False``.
"""

from __future__ import annotations

from typing import Any


class ClaimError(AssertionError):
    """A statement the notebook makes about its own results turned out false."""


def claim(statement: str, holds: Any, detail: str = "") -> None:
    """Print ``statement: True``; raise :class:`ClaimError` if ``holds`` is false.

    Args:
        statement: what the text says, e.g. ``"same outputs"`` or ``"matches nn.BatchNorm2d"``.
        holds: a bool, or a one-element tensor such as ``torch.allclose(...)`` returns.
        detail: optional figures printed after the verdict, e.g. ``"max difference 3e-7"``.
    """
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
