"""Lesson 09 (under_the_hood): each check accepts its reference and names the mistake in realistic wrong answers."""

import pytest
import torch
from checkhelpers import wrong
from torch import nn

from cnncourse.lessons.under_the_hood import check

STACKS = [([3], [1]), ([3, 3], [1, 1]), ([3, 3, 3], [1, 1, 1]), ([3, 2, 3, 2], [1, 2, 1, 2]),
          ([5, 2, 3], [1, 2, 1]), ([7, 3, 3], [2, 2, 1]), ([2, 2, 2], [2, 2, 2])]


def _footprint(kernel_sizes, strides, size=64):
    """Width of the input region that one central output of a real nn stack depends on.

    Each layer is an unpadded ``nn.Conv2d`` with positive weights (conv and pooling windows
    have the same footprint), so no gradient cancels; autograd then marks every input pixel
    the output depends on.
    """
    layers = [nn.Conv2d(1, 1, k, stride=s, bias=False) for k, s in zip(kernel_sizes, strides)]
    for layer in layers:
        nn.init.constant_(layer.weight, 1.0)
    x = torch.rand(1, 1, size, size, dtype=torch.float64, requires_grad=True)
    out = nn.Sequential(*layers).double()(x)                   # (1, 1, h, w)
    h, w = out.shape[-2:]
    (grad,) = torch.autograd.grad(out[0, 0, h // 2, w // 2], x)
    cols = (grad[0, 0].abs().sum(0) > 0).nonzero()
    return int(cols.max() - cols.min() + 1)


@pytest.mark.parametrize("kernel_sizes, strides", STACKS)
def test_receptive_field_size_reference_matches_the_autograd_footprint(kernel_sizes, strides):
    reference = check.receptive_field_size.reference
    assert reference(kernel_sizes, strides) == _footprint(kernel_sizes, strides)


def test_footprint_helper_sees_strides():
    # the helper itself can tell a stride from none: 3x3 after a stride-2 layer reaches further
    assert _footprint([2, 3], [2, 1]) == 6 and _footprint([2, 3], [1, 1]) == 4


def test_receptive_field_size_mistakes():
    chk = check.receptive_field_size
    wrong(chk, lambda ks, ss: sum(ks), "sum of the kernel sizes")
    wrong(chk, lambda ks, ss: 1 + sum(k - 1 for k in ks), "strides were ignored")

    def stride_first(ks, ss):
        size, jump = 1, 1
        for k, s in zip(ks, ss):
            jump *= s
            size += (k - 1) * jump
        return size

    wrong(chk, stride_first, "stride was applied before")
    wrong(chk, lambda ks, ss: (check.receptive_field_size.reference(ks, ss), 1), "whole number")
    wrong(chk, lambda ks, ss: float("nan"), "whole number")


def _diff(f, x, eps, central=True, denom=None, restore=True):
    grad = torch.zeros_like(x)
    flat = x.view(-1)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        up = float(f(x))
        flat[i] = old - eps if central else old
        down = float(f(x))
        if restore:
            flat[i] = old
        grad.view(-1)[i] = (up - down) / (denom if denom is not None else
                                          (2 * eps if central else eps))
    return grad


def test_numerical_grad_mistakes():
    chk = check.numerical_grad
    wrong(chk, lambda f, x, eps=1e-3: _diff(f, x, eps, central=False), "one-sided difference")
    wrong(chk, lambda f, x, eps=1e-3: _diff(f, x, eps, denom=eps), "twice autograd")
    wrong(chk, lambda f, x, eps=1e-3: _diff(f, x, eps, restore=False), "x was changed")
    wrong(chk, lambda f, x, eps=1e-3: _diff(f, x.clone(), eps)[:1], "shape")


def test_numerical_grad_with_a_view_for_old_is_named():
    def view_slip(f, x, eps=1e-3):
        grad = torch.zeros_like(x)
        flat, g = x.view(-1), grad.view(-1)
        for i in range(flat.numel()):
            old = flat[i]                       # a view: follows the writes below
            flat[i] = old + eps
            up = float(f(x))
            flat[i] = old - eps
            down = float(f(x))
            flat[i] = old
            g[i] = (up - down) / (2 * eps)
        return grad

    wrong(check.numerical_grad, view_slip, "half of autograd's", "view", ".item()")
