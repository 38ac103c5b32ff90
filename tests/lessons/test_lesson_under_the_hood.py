"""Lesson 08 (under_the_hood): each check accepts its reference and names the mistake in realistic wrong answers."""

import torch
from checkhelpers import wrong

from cnncourse.lessons.under_the_hood import check


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
