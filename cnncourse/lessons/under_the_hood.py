"""Lesson 09 · Under the hood: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.course.exercises import Checks, Mistake, expect_close, expect_size, expect_tensor
from cnncourse.course.quiz import Quizzes

check = Checks("under_the_hood")
quiz = Quizzes("under_the_hood")


# Reference solutions ------------------------------------------------------------------------------

def receptive_field_size(kernel_sizes, strides):
    """Input pixels (per side) seen by one output of a stack of conv/pool layers."""
    size, jump = 1, 1            # one pixel; neighbouring outputs 1 input pixel apart
    for k, s in zip(kernel_sizes, strides):
        size += (k - 1) * jump   # a k-wide window reaches k - 1 more positions of the layer below
        jump *= s                # a stride spreads the next layer's inputs further apart
    return size


def numerical_grad(f, x, eps=1e-3):
    """Central finite differences: d f / d x[i] ~ (f(x + eps) - f(x - eps)) / (2 eps)."""
    grad = torch.zeros_like(x)
    flat, g = x.view(-1), grad.view(-1)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        up = float(f(x))
        flat[i] = old - eps
        down = float(f(x))
        flat[i] = old            # put the value back before moving on
        g[i] = (up - down) / (2 * eps)
    return grad


# Checks -------------------------------------------------------------------------------------------

@check.of(receptive_field_size)
def check_receptive_field_size(fn):
    """Stacks with and without strides, against the layer-by-layer formula."""
    cases = [([3], [1]), ([3, 3], [1, 1]), ([3, 3, 3], [1, 1, 1]), ([3, 2, 3, 2], [1, 2, 1, 2]),
             ([5, 2, 3], [1, 2, 1]), ([7, 3, 3], [2, 2, 1])]
    for ks, ss in cases:
        got = expect_size(fn(list(ks), list(ss)), f"receptive_field_size({ks}, {ss})",
                          hint="A receptive field is a whole number of pixels.")
        want = receptive_field_size(ks, ss)
        if got == want:
            continue
        where = f"kernels {ks}, strides {ss}"
        if got == sum(ks):
            raise Mistake(f"for {where} you returned {got}, the sum of the kernel sizes. A "
                          "3x3 layer on top of another adds 2 pixels (kernel - 1), not 3: "
                          "start from size 1 and add (k - 1) * jump per layer.")
        if got == 1 + sum(k - 1 for k in ks):
            raise Mistake(f"for {where} you returned {got}: strides were ignored. After a "
                          "stride-2 layer, neighbouring outputs are 2 input pixels apart, so "
                          "every later layer adds (k - 1) * jump with jump multiplied by "
                          "each stride so far.")
        late = 1
        jump = 1
        for k, s in zip(ks, ss):
            jump *= s
            late += (k - 1) * jump
        if got == late:
            raise Mistake(f"for {where} you returned {got}: the stride was applied before the "
                          "layer's own kernel. A layer's stride only affects the layers after "
                          "it: add (k - 1) * jump first, then update jump *= stride.")
        raise Mistake(f"for {where} the receptive field is {want} pixels, you returned {got}.")
    return "receptive fields match the formula for every stack, strides included."


def _conv_loss(w: torch.Tensor) -> torch.Tensor:
    image = torch.linspace(-1, 1, 2 * 6 * 6, dtype=torch.float64).reshape(1, 2, 6, 6)
    return (F.conv2d(image, w) ** 3).sum()


def _grad_with_view(f, x, eps=1e-3):
    """What numerical_grad gives when ``old = flat[i]`` keeps a view instead of the number."""
    x = x.clone()
    grad = torch.zeros_like(x)
    flat, g = x.view(-1), grad.view(-1)
    for i in range(flat.numel()):
        old = flat[i]            # the slip: a view, so it follows every write to flat[i]
        flat[i] = old + eps
        up = float(f(x))
        flat[i] = old - eps      # old is now x[i] + eps, so this puts x[i] back
        down = float(f(x))
        flat[i] = old
        g[i] = (up - down) / (2 * eps)
    return grad


@check.of(numerical_grad)
def check_numerical_grad(fn):
    """Matches autograd on a cubic and on the loss of a conv2d, and leaves x unchanged."""
    g = torch.Generator().manual_seed(8)
    cases = [("sum(x**3)", lambda x: (x ** 3).sum(),
              torch.randn(5, generator=g, dtype=torch.float64) * 2),
             ("a conv2d loss w.r.t. its 3x3 kernel", _conv_loss,
              torch.randn(1, 2, 3, 3, generator=g, dtype=torch.float64))]
    for what, f, x in cases:
        before = x.clone()
        got = fn(f, x, eps=1e-3)
        if not torch.equal(x, before):
            raise Mistake(f"on {what}, x was changed by your function: after nudging x[i] by "
                          "+eps and -eps, put the original value back before moving on.")
        expect_tensor(got, tuple(x.shape), what=f"your gradient of {what}")
        xr = x.clone().requires_grad_(True)
        (true,) = torch.autograd.grad(f(xr), xr)
        got = got.double()
        if not torch.allclose(got, true, rtol=1e-4, atol=1e-5) and torch.allclose(
                got, true, rtol=1e-2, atol=1e-2):
            raise Mistake(f"on {what} your gradient is close to autograd's but off by "
                          f"{(got - true).abs().max().item():.2g}: that is the error of a "
                          "one-sided difference (f(x+eps) - f(x)) / eps. Use the central "
                          "difference (f(x+eps) - f(x-eps)) / (2*eps), which is far more "
                          "accurate.")
        slips = [(2 * true, f"on {what} your gradient is twice autograd's: the two nudged "
                            "points are 2*eps apart, so divide by 2 * eps."),
                 (true / 2, f"on {what} your gradient is half of autograd's: divide by 2 * eps, "
                            "not 4 * eps (or nudge by +eps and -eps, not +-eps/2)."),
                 (_grad_with_view(f, x), f"on {what} your gradient is about half of "
                  "autograd's: old = flat[i] is a view of x, not a copy, so flat[i] = old + eps "
                  "also changes old, and the 'minus' point lands back on x itself. Copy the "
                  "number out: old = flat[i].item() (or flat[i].clone()).")]
        expect_close(got, true, f"your gradient of {what}", rtol=1e-4, atol=1e-5,
                     hint="Nudge one entry at a time: x[i] + eps and x[i] - eps.", mistakes=slips)
    return "your finite differences agree with autograd to 1e-5."
