"""Checks for notebook 04 · Pooling: ``from cnncourse.checks import nb04 as check``."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.exercises import Mistake, check, expect_tensor
from cnncourse.solutions import nb04 as solutions


def _maps(n: int, c: int, h: int, w: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, c, h, w, generator=g)


@check(reference=solutions.max_pool2d)
def max_pool2d(fn):
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
    return solutions.stack_output_size(size, layers)


@check(reference=solutions.stack_output_size)
def stack_output_size(fn):
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
