"""Lesson 00 · Start here: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

from cnncourse.course.exercises import Checks, Mistake, expect_size
from cnncourse.course.quiz import Quizzes

check = Checks("overview")
quiz = Quizzes("overview")


# Reference solutions ------------------------------------------------------------------------------

def pixel_count(height: int, width: int, channels: int) -> int:
    """How many numbers describe an image: one per pixel per channel."""
    return height * width * channels


# Checks -------------------------------------------------------------------------------------------

@check.of(pixel_count)
def check_pixel_count(fn):
    """A 32x32 RGB image has 32*32*3 = 3072 numbers."""
    got = expect_size(fn(32, 32, 3), "pixel_count(32, 32, 3)",
                      hint="Multiply the sizes: each is already a whole number.")
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
