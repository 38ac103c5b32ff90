"""Lesson 04 · Pooling: the reference solutions, their checks, and the quizzes.

In the notebook: ``from cnncourse.lessons.pooling import check, quiz``, then
``check.NAME(NAME)`` and ``quiz.NAME.show()``. Each check sits right after the
reference solution it compares against.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.exercises import Checks, Mistake, expect_tensor
from cnncourse.quiz import Option, Quiz, Quizzes

check = Checks("pooling")
quiz = Quizzes("pooling")


# Reference solutions ------------------------------------------------------------------------------

def max_pool2d(x: torch.Tensor, kernel_size: int = 2, stride: int | None = None) -> torch.Tensor:
    """Max pooling from scratch: the largest value in each window of each channel.

    Args:
        x: feature maps ``(N, C, H, W)``.
        kernel_size: the window is ``kernel_size x kernel_size``.
        stride: step between windows; defaults to ``kernel_size`` (no overlap), like PyTorch.
    Returns ``(N, C, H_out, W_out)`` with ``H_out = (H - kernel_size) // stride + 1``.
    """
    stride = kernel_size if stride is None else stride
    n, c, h, w = x.shape
    h_out = (h - kernel_size) // stride + 1
    w_out = (w - kernel_size) // stride + 1
    out = torch.empty(n, c, h_out, w_out, dtype=x.dtype)
    for i in range(h_out):
        for j in range(w_out):
            top, left = i * stride, j * stride
            window = x[:, :, top:top + kernel_size, left:left + kernel_size]  # (N, C, k, k)
            out[:, :, i, j] = window.amax(dim=(2, 3))  # per image and channel, never across
    return out


def stack_output_size(size: int, layers: list[tuple[str, int, int, int]]) -> int:
    """Side length after a stack of layers, each ``(kind, kernel_size, stride, padding)``.

    Conv and pool layers follow the same formula: ``(size + 2*padding - kernel) // stride + 1``.
    """
    for _kind, kernel_size, stride, padding in layers:
        size = (size + 2 * padding - kernel_size) // stride + 1
    return size


# Checks -------------------------------------------------------------------------------------------

def _maps(n: int, c: int, h: int, w: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, c, h, w, generator=g)


@check.of(max_pool2d)
def check_max_pool2d(fn):
    """Compare with F.max_pool2d on batches, channels, odd sizes and a custom stride."""
    x = _maps(2, 3, 6, 6)
    out = fn(x, 2)
    if not isinstance(out, torch.Tensor):
        raise Mistake(f"return a torch.Tensor, got {type(out).__name__}.")
    if tuple(out.shape) == (2, 3, 5, 5):
        raise Mistake("the output is 5x5 for a 6x6 input with kernel_size=2: your windows "
                      "overlap (stride 1). When stride is None it should equal kernel_size, "
                      "so the output is 3x3.")
    if out.dim() == 4 and out.shape[1] == 1:
        raise Mistake("the output has 1 channel instead of 3: you took the max across "
                      "channels too. Pool each channel separately (amax over the last two "
                      "dimensions only).")
    expect_tensor(out, (2, 3, 3, 3), what="max_pool2d(x of shape (2, 3, 6, 6), 2)")
    if torch.allclose(out, F.avg_pool2d(x, 2), atol=1e-5):
        raise Mistake("these are the window averages: that is average pooling. Max pooling "
                      "keeps the largest value in each window (.amax or .max).")
    if not torch.allclose(out, F.max_pool2d(x, 2), atol=1e-6):
        raise Mistake("the shape is right but some values differ from nn.MaxPool2d(2). Each "
                      "output (i, j) should be the max of rows i*stride to i*stride+k-1 and "
                      "the same columns.")
    odd = _maps(1, 2, 7, 5, seed=1)
    out = fn(odd, 2)
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (1, 2, 4, 3):
        raise Mistake("a 7x5 input gave 4x3: you rounded up. PyTorch drops a last window "
                      "that does not fit, so the output is (7-2)//2+1 = 3 by (5-2)//2+1 = 2.")
    expect_tensor(out, (1, 2, 3, 2), what="max_pool2d on a 7x5 map")
    if not torch.allclose(out, F.max_pool2d(odd, 2), atol=1e-6):
        raise Mistake("on a 7x5 map your values differ from nn.MaxPool2d(2).")
    out = fn(x, 3, 1)
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (2, 3, 2, 2):
        raise Mistake("with stride=1 the windows should overlap, but you ignored the stride "
                      "argument and stepped by kernel_size.")
    expect_tensor(out, (2, 3, 4, 4), what="max_pool2d(x, kernel_size=3, stride=1)")
    if not torch.allclose(out, F.max_pool2d(x, 3, 1), atol=1e-6):
        raise Mistake("with kernel_size=3, stride=1 your values differ from nn.MaxPool2d(3, 1).")
    return "your max_pool2d matches nn.MaxPool2d on batches, channels, odd sizes and strides."


def _true_size(size: int, layers: list) -> int:
    return stack_output_size(size, layers)


@check.of(stack_output_size)
def check_stack_output_size(fn):
    """Try stacks with padding, stride, odd sizes and pools; compare with real layers."""
    cases = [
        (32, [("conv", 3, 1, 1), ("pool", 2, 2, 0), ("conv", 3, 1, 1), ("pool", 2, 2, 0)],
         "the seed's CNN (two 'same' convs, two 2x2 pools)"),
        (28, [("conv", 5, 1, 0), ("pool", 2, 2, 0), ("conv", 5, 1, 0), ("pool", 2, 2, 0)],
         "a LeNet-style stack on 28x28 (no padding)"),
        (15, [("conv", 3, 1, 0), ("pool", 2, 2, 0)], "an odd size: 15 -> conv 3 -> pool 2"),
        (64, [("conv", 7, 2, 3), ("pool", 3, 2, 1)], "a ResNet-style stem (stride-2 conv)"),
        (10, [], "an empty stack"),
    ]
    for size, layers, what in cases:
        want = _true_size(size, layers)
        got = fn(size, layers)
        if isinstance(got, float):
            raise Mistake(f"you returned a float ({got}); sizes are whole numbers. Use // "
                          "(floor division) instead of /.")
        if not isinstance(got, int) or isinstance(got, bool):
            raise Mistake(f"return an int, got {type(got).__name__}.")
        if got == want:
            continue
        no_pad = size
        for _k, k, s, _p in layers:
            no_pad = (no_pad - k) // s + 1
        if got == no_pad:
            raise Mistake(f"for {what} you got {got}, expected {want}: you left out the "
                          "padding (add 2*padding before subtracting the kernel).")
        no_stride = size
        for _k, k, _s, p in layers:
            no_stride = no_stride + 2 * p - k + 1
        if got == no_stride:
            raise Mistake(f"for {what} you got {got}, expected {want}: you ignored the stride. "
                          "Divide by the stride (floor) before adding 1.")
        if layers and got == _true_size(size, layers[-1:]):
            raise Mistake(f"for {what} you got {got}, expected {want}: each layer must start "
                          "from the previous layer's output size (update size in the loop).")
        raise Mistake(f"for {what} starting at {size}, you got {got} but the real layers "
                      f"give {want}.")
    return "your sizes match what the real layers produce, odd sizes included."


# Quizzes ------------------------------------------------------------------------------------------

quiz.pooling_size = Quiz(
    "A 2x2 max-pooling layer with stride 2 is applied to a 16-channel 32x32 feature map. "
    "What comes out?",
    [Option("A bigger map: 16 channels of 64x64", False,
            "Pooling never adds positions; it summarises windows, so the map shrinks."),
     Option("16 channels of 16x16", True,
            "Each 2x2 window becomes one number: half the height, half the width, a quarter "
            "of the values, and the channel count is untouched."),
     Option("1 channel of 32x32", False,
            "Pooling works on each channel separately and keeps them all; it shrinks height "
            "and width only."),
     Option("16 channels of 31x31", False,
            "That would be a 2x2 window with stride 1. With stride 2 the windows do not "
            "overlap.")],
    "Pooling decreases the size of the representation: (32 - 2) // 2 + 1 = 16 along each "
    "side, channel by channel. Fewer values means less computation in the layers that follow.",
)

quiz.pool_parameters = Quiz(
    "How many learnable parameters does nn.MaxPool2d(2) have?",
    [Option("4, one per window position", False,
            "There are no weights to learn: the rule 'take the largest' is fixed."),
     Option("0", True, "Right: pooling is a fixed operation with nothing to train."),
     Option("It depends on the number of channels", False,
            "That is true of a convolution, not of pooling.")],
    "Max and average pooling are fixed rules. They have no weights, so training cannot teach "
    "them anything; they only reduce what the convolutions produced.",
)

quiz.shift_robustness = Quiz(
    "Shift an image 1 pixel to the right. Which changes less: the edge feature map, or the "
    "same map after 2x2 max pooling?",
    [Option("The feature map", False, "Measure it below: the raw map changes more."),
     Option("The max-pooled map", True,
            "Yes: a strong value that moves by one pixel often stays inside the same 2x2 "
            "window, so the window's maximum does not change."),
     Option("They change by exactly the same amount", False,
            "Pooling keeps one value per window, and a small move often stays within the "
            "window.")],
    "Max pooling reports the strongest response in each window regardless of where in the "
    "window it sits, so small shifts change the pooled map less. It reduces the effect of a "
    "shift; it does not remove it.",
)

quiz.adds_information = Quiz(
    "Myth check: can a pooling layer create new information that was not in its input "
    "feature map?",
    [Option("Yes: it combines values into new, richer features", False,
            "That is the myth. Combining values with learned weights is what convolutions do; "
            "pooling has no weights."),
     Option("No: it only keeps a summary (the max or the mean) of each window", True,
            "Right: the output is a fixed function of the input, so it cannot contain more "
            "than the input did."),
     Option("Only average pooling adds information", False,
            "Averaging is also a fixed summary; it blurs detail away, it does not add any.")],
    "The pooled map is computed from the input by a fixed rule, so it cannot hold more "
    "information than the input. It holds less: many different inputs give the same pooled "
    "output. Pooling is used to shrink maps and tolerate small shifts, not to add features.",
)
