"""Lesson 06 · Flatten, fully connected layers and outputs: the reference solutions, their checks, and the quizzes.

In the notebook: ``from cnncourse.lessons.outputs import check, quiz``, then
``check.NAME(NAME)`` and ``quiz.NAME.show()``. Each check sits right after the
reference solution it compares against.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.exercises import Checks, Mistake, expect_tensor
from cnncourse.quiz import Option, Quiz, Quizzes

check = Checks("outputs")
quiz = Quizzes("outputs")


# Reference solutions ------------------------------------------------------------------------------

def flatten_size(height: int, width: int, channels: int, num_pools: int) -> int:
    """Features after ``num_pools`` 2x2 max-pools (convs keep the size) with ``channels`` maps.

    Each pool halves height and width, rounding down; flatten multiplies C * H * W.
    """
    for _ in range(num_pools):
        height, width = height // 2, width // 2
    return channels * height * width


def softmax_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``logits`` ``(N, K)`` against labels ``y`` ``(N,)``, computed stably.

    ``-log softmax(logits)[y] = logsumexp(logits) - logits[y]``; subtracting each row's max
    first keeps ``exp`` from overflowing without changing the result.
    """
    shifted = logits - logits.max(dim=1, keepdim=True).values          # (N, K), max is 0
    log_sum_exp = shifted.exp().sum(dim=1).log()                        # (N,)
    correct = shifted.gather(1, y[:, None])[:, 0]                       # (N,) score of true class
    return (log_sum_exp - correct).mean()


# Checks -------------------------------------------------------------------------------------------

@check.of(flatten_size)
def check_flatten_size(fn):
    """Compare with the real number of features after conv/pool blocks, odd and non-square too."""
    cases = [((32, 32, 32, 2), "the seed's CNN on 32x32 images"),
             ((64, 64, 32, 2), "the same CNN fed 64x64 images"),
             ((28, 28, 16, 2), "16 channels on 28x28 (MNIST-sized) images"),
             ((30, 30, 8, 2), "an odd size: 30 -> 15 -> 7"),
             ((32, 48, 4, 3), "a non-square 32x48 image with 3 pools")]
    for (h, w, c, p), what in cases:
        want = flatten_size(h, w, c, p)
        got = fn(h, w, c, p)
        if isinstance(got, float):
            raise Mistake(f"you returned a float ({got}) for {what}. Sizes are whole numbers: "
                          "use // 2 so each pool rounds down, as nn.MaxPool2d does.")
        if not isinstance(got, int) or isinstance(got, bool):
            raise Mistake(f"return an int, got {type(got).__name__}.")
        if got == want:
            continue
        side_h, side_w = h // 2 ** p, w // 2 ** p
        if got == side_h * side_w:
            raise Mistake(f"for {what} you got {got}, expected {want}: you forgot the channels. "
                          "Flattening keeps every channel: multiply by channels too.")
        if got == c * (h // (2 * p)) * (w // (2 * p)):
            raise Mistake(f"for {what} you got {got}, expected {want}: each pool *halves* the "
                          "size, so p pools divide it by 2**p, not by 2*p.")
        if got == c * side_h * side_h or got == c * side_w * side_w:
            raise Mistake(f"for {what} you got {got}, expected {want}: you used one side twice. "
                          "Height and width can differ: use both.")
        if got == c * -(-h // 2 ** p) * -(-w // 2 ** p):
            raise Mistake(f"for {what} you got {got}, expected {want}: you rounded up. "
                          "nn.MaxPool2d(2) rounds down (drops a last odd row or column).")
        raise Mistake(f"for {what} ({h}x{w}, {c} channels, {p} pools) you got {got}; the real "
                      f"layers give {want}.")
    return "your sizes match what torch.flatten(x, 1) produces after real conv/pool blocks."


@check.of(softmax_cross_entropy)
def check_softmax_cross_entropy(fn):
    """Compare with F.cross_entropy, including huge logits that overflow a naive exp."""
    g = torch.Generator().manual_seed(6)
    logits = torch.randn(8, 5, generator=g) * 3
    y = torch.tensor([0, 1, 2, 3, 4, 0, 2, 4])
    want = F.cross_entropy(logits, y)
    got = fn(logits, y)
    if not isinstance(got, torch.Tensor):
        raise Mistake(f"return a torch.Tensor, got {type(got).__name__}.")
    if got.shape == (8,):
        if torch.allclose(got, F.cross_entropy(logits, y, reduction="none"), atol=1e-4):
            raise Mistake("you returned one loss per example. F.cross_entropy averages over "
                          "the batch: finish with .mean().")
    expect_tensor(got, (), what="softmax_cross_entropy(logits, y)")
    if torch.allclose(got, -F.softmax(logits, dim=1)[torch.arange(8), y].mean(), atol=1e-4):
        raise Mistake("you averaged minus the probabilities; take the log first: the loss "
                      "is -log(p[y]).")
    if torch.allclose(got, F.cross_entropy(logits, y, reduction="sum"), atol=1e-3):
        raise Mistake("you summed over the batch; F.cross_entropy takes the mean.")
    wrong_dim = -F.log_softmax(logits, dim=0)[torch.arange(8), y].mean()
    if torch.allclose(got, wrong_dim, atol=1e-4):
        raise Mistake("your softmax normalises over the batch (dim=0). Each example's scores "
                      "should sum to 1 over the classes: use dim=1.")
    if not torch.allclose(got, want, atol=1e-4):
        raise Mistake(f"your loss is {got.item():.4f} but F.cross_entropy gives "
                      f"{want.item():.4f}. The loss is the mean over the batch of "
                      "logsumexp(logits) - logits[y].")
    big = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 800.0, 10.0]])
    got = fn(big, torch.tensor([0, 2]))
    if not torch.isfinite(got).all():
        raise Mistake("with logits like 1000 your loss is nan or inf: exp(1000) overflows. "
                      "Subtract each row's maximum before exp (the result does not change).")
    want = F.cross_entropy(big, torch.tensor([0, 2]))
    if not torch.allclose(got, want, rtol=1e-4):
        raise Mistake(f"with large logits you get {got.item():.4f} but F.cross_entropy "
                      f"gives {want.item():.4f}.")
    return "your loss matches F.cross_entropy, even for logits of 1000."


# Quizzes ------------------------------------------------------------------------------------------

quiz.keeps_spatial = Quiz(
    "Before the fully connected layers, the feature maps are flattened. Does that keep "
    "spatial information or throw it away?",
    [Option("It keeps the 2-D layout: the layer still knows which values are neighbours",
            False, "After flattening, nothing marks two values as neighbours any more."),
     Option("It turns the maps into one long vector; each position gets its own weights, "
            "but the notion of neighbourhood is gone", True,
            "Right: the layer can still tell positions apart, because each has its own "
            "weight, but it treats them as an unordered list of features."),
     Option("It averages each map to a single number", False,
            "That is global average pooling, a different operation (section 6 uses it).")],
    "torch.flatten(x, 1) lays C x H x W values out in a row. A fully connected layer gives "
    "every one of them its own weight, so position is not forgotten, but the layer has no idea "
    "which positions are next to each other: shuffle the inputs consistently and it works "
    "just as well.",
)

quiz.outputs_are_probabilities = Quiz(
    "Myth check: the last layer of a classifier outputs probabilities for each class. True?",
    [Option("True: the 10 outputs are between 0 and 1 and sum to 1", False,
            "Look at the numbers below: some are negative and they do not sum to 1."),
     Option("False: it outputs raw scores (logits); softmax turns them into probabilities",
            True, "Right. And for training you keep the logits: CrossEntropyLoss wants them."),
     Option("True, but only after training", False,
            "Training changes the values, not what they are: still unnormalised scores.")],
    "nn.Linear can output any real numbers. These logits become probabilities only through "
    "softmax. nn.CrossEntropyLoss applies (log-)softmax itself, so the model should return "
    "logits and you apply softmax only when you want probabilities to show.",
)

quiz.softmax_before_loss = Quiz(
    "You add F.softmax to the model's output and feed that to nn.CrossEntropyLoss. What "
    "happens?",
    [Option("An error: CrossEntropyLoss rejects probabilities", False,
            "No error at all: probabilities are just numbers to it. That is what makes the "
            "bug silent."),
     Option("Nothing: softmax twice is the same as once", False,
            "Softmax of probabilities is not the same distribution; it is much flatter."),
     Option("It trains, but worse: the loss can never get low and the gradients are weak",
            True, "Yes: the loss then applies softmax a second time to values in [0, 1]."),
     Option("It trains better, because the outputs are now proper probabilities", False,
            "The loss already does the softmax; doing it twice squashes the signal.")],
    "CrossEntropyLoss computes log_softmax of its input. Given probabilities in [0, 1], that "
    "second softmax can never become confident: even a perfect prediction costs "
    "log(1 + 9/e) = 1.46 with 10 classes. Training stalls or slows down, without any error.",
)

quiz.any_input_size = Quiz(
    "Myth check: a CNN can take images of any size without changes. True?",
    [Option("True: convolutions slide over any size", False,
            "The convolutions can; the flatten + fully connected head cannot."),
     Option("False for this CNN: its first Linear layer expects exactly 2048 features", True,
            "Right: a 64x64 image gives 8192 features, so the head no longer fits."),
     Option("False: even the convolutions need exactly 32x32", False,
            "Convolution and pooling layers work on any size large enough for their kernels.")],
    "Convolution and pooling layers adapt to the input size; their output just gets bigger. "
    "The flatten + nn.Linear head has a fixed number of inputs, so it ties the whole model to "
    "one image size, unless you resize the images or add nn.AdaptiveAvgPool2d.",
)
