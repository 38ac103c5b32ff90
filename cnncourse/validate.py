"""The one check for whole-number arguments and positive numbers, with the same message
everywhere: ``"TensorLoader: batch_size must be a positive int, got 0."`` (no torch)."""

from __future__ import annotations

import math
from typing import Any


def whole_number(value: Any, name: str, where: str, minimum: int = 1, hint: str = "") -> int:
    """Return ``value`` if it is an int (not a bool) of at least ``minimum``; else a ValueError
    naming ``where`` (the public function or class), ``name`` (the argument) and ``hint``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        kind = {1: "a positive int", 0: "a non-negative int"}.get(minimum,
                                                                  f"an int >= {minimum}")
        extra = f" ({hint})" if hint else ""
        raise ValueError(f"{where}: {name} must be {kind}{extra}, got {value!r}.")
    return value


def whole_numbers(values: Any, name: str, where: str, minimum: int = 1, length: int | None = None,
                  hint: str = "") -> tuple[int, ...]:
    """``values`` (a non-empty tuple or list, of ``length`` items if given) as a tuple, each
    item checked like :func:`whole_number`."""
    if not isinstance(values, (tuple, list)) or not values or (
            length is not None and len(values) != length) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= minimum for v in values):
        kind = {1: "positive ints", 0: "non-negative ints"}.get(minimum, f"ints >= {minimum}")
        what = f"a tuple of {length} {kind}" if length else f"a non-empty tuple of {kind}"
        extra = f" ({hint})" if hint else ""
        raise ValueError(f"{where}: {name} must be {what}{extra}, got {values!r}.")
    return tuple(values)


def positive_number(value: Any, name: str, where: str, hint: str = "") -> float:
    """Return ``value`` if it is a finite int or float above 0 (not a bool); else a ValueError
    worded like :func:`whole_number`'s, e.g. ``"fit: lr must be a positive number, got 0."``"""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        extra = f" ({hint})" if hint else ""
        raise ValueError(f"{where}: {name} must be a positive number{extra}, got {value!r}.")
    return value


__all__ = ["positive_number", "whole_number", "whole_numbers"]
