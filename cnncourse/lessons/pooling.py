"""Lesson 04 · Pooling: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.course.exercises import Checks, Mistake, expect_size, expect_tensor
from cnncourse.course.quiz import Quizzes

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

@check.of(max_pool2d, forbid=("torch.nn.functional.max_pool2d", "torch.max_pool2d",
                              "torch.nn.functional.max_pool2d_with_indices",
                              "torch.max_pool2d_with_indices", "torch.nn.MaxPool2d"))
def check_max_pool2d(fn):
    """Compare with F.max_pool2d on batches, channels, odd sizes and a custom stride.

    The answer runs while F.max_pool2d, torch.max_pool2d and nn.MaxPool2d raise.
    """
    x = torch.randn(2, 3, 6, 6, generator=torch.Generator().manual_seed(0))
    odd = torch.randn(1, 2, 7, 5, generator=torch.Generator().manual_seed(1))
    want, want_avg = F.max_pool2d(x, 2), F.avg_pool2d(x, 2)
    want_odd, want_overlap = F.max_pool2d(odd, 2), F.max_pool2d(x, 3, 1)
    out = fn(x, 2)
    expect_tensor(out)
    if tuple(out.shape) == (2, 3, 5, 5):
        raise Mistake("the output is 5x5 for a 6x6 input with kernel_size=2: your windows "
                      "overlap (stride 1). When stride is None it should equal kernel_size, "
                      "so the output is 3x3.")
    if out.dim() == 4 and out.shape[1] == 1:
        raise Mistake("the output has 1 channel instead of 3: you took the max across "
                      "channels too. Pool each channel separately (amax over the last two "
                      "dimensions only).")
    expect_tensor(out, (2, 3, 3, 3), what="max_pool2d(x of shape (2, 3, 6, 6), 2)")
    if torch.allclose(out, want_avg, atol=1e-5):
        raise Mistake("these are the window averages: that is average pooling. Max pooling "
                      "keeps the largest value in each window (.amax or .max).")
    if not torch.allclose(out, want, atol=1e-6):
        raise Mistake("the shape is right but some values differ from nn.MaxPool2d(2). Each "
                      "output (i, j) should be the max of rows i*stride to i*stride+k-1 and "
                      "the same columns.")
    out = fn(odd, 2)
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (1, 2, 4, 3):
        raise Mistake("a 7x5 input gave 4x3: you rounded up. PyTorch drops a last window "
                      "that does not fit, so the output is (7-2)//2+1 = 3 by (5-2)//2+1 = 2.")
    expect_tensor(out, (1, 2, 3, 2), what="max_pool2d on a 7x5 map")
    if not torch.allclose(out, want_odd, atol=1e-6):
        raise Mistake("on a 7x5 map your values differ from nn.MaxPool2d(2).")
    out = fn(x, 3, 1)
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (2, 3, 2, 2):
        raise Mistake("with stride=1 the windows should overlap, but you ignored the stride "
                      "argument and stepped by kernel_size.")
    expect_tensor(out, (2, 3, 4, 4), what="max_pool2d(x, kernel_size=3, stride=1)")
    if not torch.allclose(out, want_overlap, atol=1e-6):
        raise Mistake("with kernel_size=3, stride=1 your values differ from nn.MaxPool2d(3, 1).")
    return "your max_pool2d matches nn.MaxPool2d on batches, channels, odd sizes and strides."


def _true_size(size: int, layers: list) -> int:
    """The side length real nn.Conv2d / nn.MaxPool2d layers give (run on a zero image)."""
    from torch import nn

    modules = [nn.Conv2d(1, 1, k, stride=s, padding=p) if kind == "conv"
               else nn.MaxPool2d(k, stride=s, padding=p) for kind, k, s, p in layers]
    with torch.no_grad():
        return int(nn.Sequential(*modules)(torch.zeros(1, 1, size, size)).shape[-1])


@check.of(stack_output_size, causes=[
    (("division by zero",),
     "your code divided by zero. The only divisor is the stride, and no layer here has "
     "stride 0, so a value was read from the wrong place in the tuple: each layer is (kind, "
     "kernel_size, stride, padding), in that order, e.g. `for kind, kernel_size, stride, "
     "padding in layers:`."),
    (("NoneType",),
     "a None reached your formula. Every layer here gives its stride: read it from the tuple "
     "(kind, kernel_size, stride, padding). If you call a helper whose stride defaults to "
     "None (like max_pool2d's), pass stride=stride, or use `stride = kernel_size if stride "
     "is None else stride` first.")])
def check_stack_output_size(fn):
    """Try stacks with padding, stride, odd sizes and pools; compare with real layers."""
    cases = [
        (32, [("conv", 3, 1, 1), ("pool", 2, 2, 0), ("conv", 3, 1, 1), ("pool", 2, 2, 0)],
         "SimpleCNN's stack (two 'same' convs, two 2x2 pools)"),
        (28, [("conv", 5, 1, 0), ("pool", 2, 2, 0), ("conv", 5, 1, 0), ("pool", 2, 2, 0)],
         "a LeNet-style stack on 28x28 (no padding)"),
        (15, [("conv", 3, 1, 0), ("pool", 2, 2, 0)], "an odd size: 15 -> conv 3 -> pool 2"),
        (64, [("conv", 7, 2, 3), ("pool", 3, 2, 1)], "a ResNet-style stem (stride-2 conv)"),
        (13, [("pool", 3, 1, 0), ("pool", 2, 2, 0)], "a 3x3 pool with stride 1, then a 2x2"),
        (10, [], "an empty stack"),
    ]
    for size, layers, what in cases:
        want = _true_size(size, layers)
        got = expect_size(fn(size, layers), f"stack_output_size for {what}")
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
        halved = size
        for kind, k, s, p in layers:
            halved = halved // 2 if kind == "pool" else (halved + 2 * p - k) // s + 1
        if got == halved:
            raise Mistake(f"for {what} you got {got}, expected {want}: not every pool halves "
                          "the size. Use the same formula for pools as for convs, with the "
                          "pool's own kernel, stride and padding.")
        if layers and got == _true_size(size, layers[-1:]):
            raise Mistake(f"for {what} you got {got}, expected {want}: each layer must start "
                          "from the previous layer's output size (update size in the loop).")
        raise Mistake(f"for {what} starting at {size}, you got {got} but the real layers "
                      f"give {want}.")
    return "your sizes match what the real layers produce, odd sizes included."
