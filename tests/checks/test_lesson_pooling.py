"""Lesson 04 (pooling): each check accepts its reference and names the mistake in realistic wrong answers."""

import itertools

import pytest
import torch
from checkhelpers import assert_accepts_reference, stub, verdict, wrong
from torch import nn
from torch.nn import functional as F

from cnncourse.course.exercises import NOT_ATTEMPTED
from cnncourse.lessons.pooling import check, stack_output_size


def _pool(x, k, s, *, reduce="max", ceil=False, across_channels=False):
    """A learner's loop pooling with switchable slips (no built-in pooling inside)."""
    n, c, h, w = x.shape
    size = (lambda n_: -(-(n_ - k) // s) + 1) if ceil else (lambda n_: (n_ - k) // s + 1)
    out = torch.empty(n, c, size(h), size(w))
    for i in range(size(h)):
        for j in range(size(w)):
            window = x[:, :, i * s:i * s + k, j * s:j * s + k]
            out[:, :, i, j] = window.amax(dim=(2, 3)) if reduce == "max" else window.mean((2, 3))
    return out.amax(dim=1, keepdim=True) if across_channels else out


def test_nb04_max_pool2d():
    c = check.max_pool2d
    assert_accepts_reference(c)
    assert verdict(c, stub).status == NOT_ATTEMPTED
    wrong(c, lambda x, kernel_size=2, stride=None:
          _pool(x, kernel_size, stride or kernel_size, reduce="mean"), "average pooling")
    wrong(c, lambda x, kernel_size=2, stride=None: _pool(x, kernel_size, 1),
          "windows overlap (stride 1)")
    wrong(c, lambda x, kernel_size=2, stride=None:
          _pool(x, kernel_size, stride or kernel_size, across_channels=True),
          "max across channels")
    wrong(c, lambda x, kernel_size=2, stride=None:
          _pool(x, kernel_size, stride or kernel_size, ceil=True), "you rounded up")
    wrong(c, lambda x, kernel_size=2, stride=None: _pool(x, kernel_size, kernel_size),
          "ignored the stride")


@pytest.mark.parametrize("shortcut, named", [
    (lambda x, kernel_size=2, stride=None: F.max_pool2d(x, kernel_size, stride), "F.max_pool2d"),
    (lambda x, kernel_size=2, stride=None: torch.max_pool2d(x, kernel_size, stride or kernel_size),
     "torch.max_pool2d"),
    (lambda x, kernel_size=2, stride=None: nn.MaxPool2d(kernel_size, stride)(x),
     "torch.nn.MaxPool2d"),
    (lambda x, kernel_size=2, stride=None: F.max_pool2d_with_indices(x, kernel_size, stride)[0],
     "F.max_pool2d_with_indices"),
])
def test_nb04_max_pool2d_rejects_the_builtin(shortcut, named):
    wrong(check.max_pool2d, shortcut, f"you called {named}")
    assert F.max_pool2d(torch.ones(1, 1, 4, 4), 2).shape == (1, 1, 2, 2)  # restored after


def _real_side(size, layers):
    """Side length that real nn.Conv2d / nn.MaxPool2d layers produce on a tensor."""
    x = torch.zeros(1, 2, size, size)
    for kind, k, s, p in layers:
        layer = nn.Conv2d(2, 2, k, stride=s, padding=p) if kind == "conv" else \
            nn.MaxPool2d(k, stride=s, padding=p)
        x = layer(x)
    return x.shape[-1]


STACKS = [[("conv", k, s, p), ("pool", 2, 2, 0), ("conv", 3, s2, 1)]
          for k, s, p, s2 in itertools.product((3, 5), (1, 2), (0, 1, 2), (1, 2))]


@pytest.mark.parametrize("size", [17, 32, 45])
def test_stack_output_size_reference_matches_real_layers(size):
    for layers in STACKS + [[("conv", 7, 2, 3), ("pool", 3, 2, 1)], []]:
        assert stack_output_size(size, layers) == _real_side(size, layers), layers


def test_nb04_stack_output_size():
    c = check.stack_output_size
    assert_accepts_reference(c)

    def true_division(size, layers):
        for _kind, k, s, p in layers:
            size = (size + 2 * p - k) / s + 1
        return size

    def no_padding(size, layers):
        for _kind, k, s, _p in layers:
            size = (size - k) // s + 1
        return size

    def no_stride(size, layers):
        for _kind, k, _s, p in layers:
            size = size + 2 * p - k + 1
        return size

    def last_only(size, layers):
        out = size
        for _kind, k, s, p in layers:
            out = (size + 2 * p - k) // s + 1
        return out

    def pools_never_pad(size, layers):  # right for every stack except the ResNet stem's pool
        for kind, k, s, p in layers:
            size = (size + 2 * (p if kind == "conv" else 0) - k) // s + 1
        return size

    wrong(c, true_division, "Use // (floor division)")
    wrong(c, no_padding, "left out the padding")
    wrong(c, no_stride, "ignored the stride")
    wrong(c, last_only, "previous layer's output size")
    wrong(c, pools_never_pad, "the real layers give")


def test_nb04_stack_output_size_with_the_tuple_in_another_order():
    def swapped(size, layers):
        for _kind, kernel_size, padding, stride in layers:    # stride and padding swapped
            size = (size + 2 * padding - kernel_size) // stride + 1
        return size

    wrong(check.stack_output_size, swapped, "called as stack_output_size(32,", "divided by zero",
          "(kind, kernel_size, stride, padding)", "Original error: ZeroDivisionError")


def test_nb04_stack_output_size_with_a_none_stride():
    def size_of(size, kernel_size, stride=None, padding=0):
        return (size + 2 * padding - kernel_size) // stride + 1

    def none_stride(size, layers):
        for _kind, kernel_size, _stride, padding in layers:
            size = size_of(size, kernel_size, padding=padding)   # forgot stride=
        return size

    wrong(check.stack_output_size, none_stride, "a None reached your formula", "stride=stride",
          "Original error: TypeError")


def test_stack_output_size_knows_not_every_pool_halves():
    def halving(size, layers):
        for kind, k, s, p in layers:
            size = size // 2 if kind == "pool" else (size + 2 * p - k) // s + 1
        return size

    wrong(check.stack_output_size, halving, "not every pool halves")
