"""Checks for notebook 00: a warm-up exercise that shows how checks work."""

from cnncourse.exercises import Mistake, check
from cnncourse.solutions import nb00 as solutions


@check(reference=solutions.pixel_count)
def pixel_count(fn):
    """A 32x32 RGB image has 32*32*3 = 3072 numbers."""
    got = fn(32, 32, 3)
    if isinstance(got, bool) or not isinstance(got, int):
        raise Mistake(f"pixel_count(32, 32, 3) returned {got!r} ({type(got).__name__}); "
                      "a count should be a whole number (int).")
    if got == 32 * 32:
        raise Mistake("pixel_count(32, 32, 3) returned 1024: that counts pixels but forgets "
                      "that each pixel has 3 colour channels.")
    if got == 32 + 32 + 3:
        raise Mistake("pixel_count(32, 32, 3) returned 67: the sizes should be multiplied, "
                      "not added.")
    if got != 3072:
        raise Mistake(f"pixel_count(32, 32, 3) returned {got}; expected 3072.")
    if fn(28, 28, 1) != 784:
        raise Mistake(f"pixel_count(28, 28, 1) returned {fn(28, 28, 1)}; expected 784 "
                      "(a grayscale MNIST digit).")
    return "a 32x32 RGB image is 3,072 numbers, and a 28x28 grayscale digit is 784."
