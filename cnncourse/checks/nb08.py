"""Checks for notebook 08 · Under the hood: ``from cnncourse.checks import nb08 as check``."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.exercises import Mistake, check, expect_close, expect_tensor
from cnncourse.solutions import nb08 as solutions


@check(reference=solutions.receptive_field_size)
def receptive_field_size(fn):
    """Stacks with and without strides, against the layer-by-layer formula."""
    cases = [([3], [1]), ([3, 3], [1, 1]), ([3, 3, 3], [1, 1, 1]), ([3, 2, 3, 2], [1, 2, 1, 2]),
             ([5, 2, 3], [1, 2, 1]), ([7, 3, 3], [2, 2, 1])]
    for ks, ss in cases:
        got = fn(list(ks), list(ss))
        want = solutions.receptive_field_size(ks, ss)
        if isinstance(got, bool) or not isinstance(got, (int, float)) or not float(got).is_integer():
            raise Mistake(f"return a whole number of pixels (an int), got {got!r}.")
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


@check(reference=solutions.numerical_grad)
def numerical_grad(fn):
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
        if torch.allclose(got, true, rtol=1e-4, atol=1e-5):
            continue
        if torch.allclose(got, 2 * true, rtol=1e-3, atol=1e-4):
            raise Mistake(f"on {what} your gradient is twice autograd's: the two nudged "
                          "points are 2*eps apart, so divide by 2 * eps.")
        if torch.allclose(got, true / 2, rtol=1e-3, atol=1e-4):
            raise Mistake(f"on {what} your gradient is half of autograd's: divide by 2 * eps, "
                          "not 4 * eps (or nudge by +eps and -eps, not +-eps/2).")
        if torch.allclose(got, true, rtol=1e-2, atol=1e-2):
            raise Mistake(f"on {what} your gradient is close to autograd's but off by "
                          f"{(got - true).abs().max().item():.2g}: that is the error of a "
                          "one-sided difference (f(x+eps) - f(x)) / eps. Use the central "
                          "difference (f(x+eps) - f(x-eps)) / (2*eps), which is far more "
                          "accurate.")
        expect_close(got, true, what=f"your gradient of {what}", rtol=1e-4, atol=1e-5,
                     hint="Nudge one entry at a time: x[i] + eps and x[i] - eps.")
    return "your finite differences agree with autograd to 1e-5."
