"""Lesson 00 · Start here: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

from cnncourse.course.exercises import Checks, Mistake, expect_size
from cnncourse.course.quiz import Option, Quiz, Quizzes

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


# Quizzes ------------------------------------------------------------------------------------------

quiz.last_layer = Quiz(
    "A CNN classifies a photo into 10 classes. What comes out of its last layer?",
    [Option("The name of the class, as text", False,
            "Networks only produce numbers; turning a number into a name is a lookup we do "
            "afterwards."),
     Option("A smaller copy of the input image", False,
            "That is what the middle layers produce (feature maps); the last layer produces "
            "one number per class."),
     Option("10 numbers, one score per class", True,
            "Yes: one raw score (a logit) per class. The biggest score is the prediction."),
     Option("One number: the index of the class", False,
            "The index is picked afterwards (argmax); the layer itself gives every class a "
            "score.")],
    "The final fully connected layer maps the features to one score per class, called logits. "
    "Softmax can turn them into probabilities, but the largest logit already names the "
    "predicted class.",
)

quiz.local_patches = Quiz(
    "A convolution layer with 16 filters looks at a 32 × 32 image through a 3 × 3 window, one "
    "position at a time. Per filter, how many different sets of 3 × 3 weights does it use "
    "across the image?",
    [Option("One set, reused at every position", True,
            "Right: the same 9 weights are applied everywhere. That is weight sharing."),
     Option("One set per pixel: 1,024 sets", False,
            "That is closer to a fully connected layer, where every position has its own "
            "weights."),
     Option("One set per row of pixels: 32 sets", False,
            "Rows are not special: the one filter moves in both directions."),
     Option("A fresh set for every new image", False,
            "The weights are learned during training; every image then meets the same filter.")],
    "A convolution applies one small filter at every position (weight sharing). A pattern it "
    "has learned to detect is found wherever it appears, and the layer stays small whatever "
    "the image size. Notebook 03 counts the parameters.",
)
