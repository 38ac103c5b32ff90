"""Lesson 05 · Activation functions: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.course.exercises import Checks, Mistake, expect_close, expect_tensor
from cnncourse.course.quiz import Quizzes

check = Checks("activations")
quiz = Quizzes("activations")


# Reference solutions ------------------------------------------------------------------------------

def relu(x: torch.Tensor) -> torch.Tensor:
    """ReLU: negatives become 0, positives pass unchanged (a new tensor; x is untouched)."""
    return torch.where(x > 0, x, torch.zeros_like(x))


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    """Derivative of ReLU at each x: 1.0 where x > 0, else 0.0 (PyTorch uses 0 at x = 0)."""
    return (x > 0).to(x.dtype)


def compose_kernels(k1: torch.Tensor, k2: torch.Tensor) -> torch.Tensor:
    """One kernel equal to applying ``k1`` then ``k2`` (PyTorch convolutions, no padding).

    Two kernels of sizes ``(a, a)`` and ``(b, b)`` give one ``(a + b - 1, a + b - 1)`` kernel:
    the full 2-D convolution of ``k1`` and ``k2``, i.e. cross-correlating the zero-padded
    ``k1`` with the flipped ``k2``.
    """
    kh, kw = k2.shape
    out = F.conv2d(k1[None, None], torch.flip(k2, dims=(0, 1))[None, None],
                   padding=(kh - 1, kw - 1))                # (1, 1, a+b-1, a+b-1)
    return out[0, 0]


# Checks -------------------------------------------------------------------------------------------

def _inputs() -> torch.Tensor:
    g = torch.Generator().manual_seed(5)
    x = torch.randn(4, 3, 5, 5, generator=g) * 3
    return x.masked_fill(x.abs() < 1e-3, 0.5)  # keep away from exactly 0


@check.of(relu)
def check_relu(fn):
    """Compare with torch.relu on a batch with negative, positive and large values."""
    x = _inputs()
    original = x.clone()
    out = fn(x)
    if not torch.equal(x, original):
        raise Mistake("your relu changed its input in place (the negatives of x are now 0). "
                      "Return a new tensor, e.g. with torch.where or x.clamp(min=0).")
    expect_tensor(out, tuple(x.shape), what="relu(x)")
    if out.dtype == torch.bool:
        raise Mistake("you returned a True/False mask (x > 0). ReLU returns the values "
                      "themselves where x > 0 and 0 elsewhere.")
    slips = [(torch.clamp(x, max=0), "you kept the negatives and zeroed the positives "
                                     "(clamp(max=0)); ReLU is the other way round: "
                                     "clamp(min=0)."),
             (x.abs(), "you returned |x|: negatives became positive. ReLU sets negatives to 0."),
             (torch.sigmoid(x), "that is the sigmoid. ReLU is max(0, x).")]
    expect_close(out, torch.relu(x), "relu(x)", atol=1e-6, hint="ReLU is max(0, x) per element.",
                 mistakes=slips)
    return "your relu matches torch.relu and leaves its input untouched."


@check.of(relu_grad)
def check_relu_grad(fn):
    """Compare with the gradient autograd computes for torch.relu, exact zeros included."""
    x = _inputs()
    x.view(-1)[::7] = 0.0      # every 7th value exactly 0, where ReLU's slope is 0 in PyTorch
    x.requires_grad_(True)
    torch.relu(x).sum().backward()
    want = x.grad                                            # d relu(x) / dx, per element
    out = fn(x.detach())
    expect_tensor(out, tuple(want.shape), what="relu_grad(x)")
    if out.dtype == torch.bool:
        raise Mistake("you returned a True/False mask. Gradients are numbers: convert the "
                      "mask with .float() (or .to(x.dtype)).")
    x = x.detach()
    at_zero = x == 0
    s = torch.sigmoid(x)
    slips = [(torch.relu(x), "you returned relu(x) itself. The gradient is the slope: 1 where "
                             "x > 0 and 0 where x < 0."),
             (torch.sign(x), "you returned the sign of x, which is -1 for negatives. ReLU is "
                             "flat (slope 0) for negative inputs, not falling."),
             (x, "you returned x. The gradient of ReLU is 1 where x > 0 and 0 elsewhere."),
             (lambda out: torch.allclose(out[~at_zero], want[~at_zero].double())
              and bool((out[at_zero] == 1).all()),
              "right everywhere except at exactly x = 0, where you return 1 (x >= 0?). The "
              "text and PyTorch use slope 0 at x = 0: use (x > 0)."),
             (s * (1 - s), "that is the sigmoid's gradient. ReLU's is 1 for x > 0 and 0 "
                           "otherwise.")]
    expect_close(out, want, "relu_grad(x)", atol=1e-6,
                 hint="Compare with autograd: 1.0 where x > 0, else 0.0.", mistakes=slips)
    return "your relu_grad matches the gradient autograd computes."


@check.of(compose_kernels)
def check_compose_kernels(fn):
    """Apply k1 then k2 to random images and compare with one convolution by your kernel."""
    g = torch.Generator().manual_seed(7)
    k1, k2 = torch.randn(3, 3, generator=g), torch.randn(3, 3, generator=g)
    x = torch.randn(2, 1, 12, 12, generator=g)
    two_steps = F.conv2d(F.conv2d(x, k1[None, None]), k2[None, None])  # (2, 1, 8, 8)
    k = fn(k1, k2)
    expect_tensor(k, what="your kernel")
    if tuple(k.shape) == (3, 3):
        raise Mistake("your kernel is 3x3, but two 3x3 convolutions in a row let each output "
                      "see a 5x5 patch of the input. The combined kernel must be 5x5.")
    expect_tensor(k, (5, 5), what="compose_kernels(k1, k2) for two 3x3 kernels")
    one_step = F.conv2d(x, k.detach()[None, None])
    if not torch.allclose(one_step, two_steps, atol=1e-4):
        unflipped = F.conv2d(F.pad(k1[None, None], (2, 2, 2, 2)), k2[None, None])[0, 0]
        if torch.allclose(k, unflipped, atol=1e-4) or torch.allclose(
                k, torch.flip(compose_kernels(k1, k2), dims=(0, 1)), atol=1e-4):
            raise Mistake("your kernel is the right size but mirrored: slide the *flipped* k2 "
                          "over the zero-padded k1 (that is a full convolution, "
                          "torch.flip(k2, dims=(0, 1))).")
        raise Mistake("one convolution with your 5x5 kernel does not reproduce the two steps. "
                      "Each entry K[u, v] is the sum of k1[a, b] * k2[c, d] over all a + c = u "
                      "and b + d = v.")
    k5 = torch.randn(2, 2, generator=g)
    k = fn(k1, k5)
    if isinstance(k, torch.Tensor) and tuple(k.shape) != (4, 4):
        raise Mistake(f"it works for two 3x3 kernels but a 3x3 followed by a 2x2 gave shape "
                      f"{tuple(k.shape)} instead of (4, 4); pad k1 by (size of k2 - 1) on "
                      "each side rather than a fixed amount.")
    expect_tensor(k, (4, 4), what="compose_kernels for a 3x3 and a 2x2 kernel")
    if not torch.allclose(F.conv2d(x, k[None, None]),
                          F.conv2d(F.conv2d(x, k1[None, None]), k5[None, None]), atol=1e-4):
        raise Mistake("it works for two 3x3 kernels but not for a 3x3 followed by a 2x2; "
                      "pad k1 by (size of k2 - 1) on each side.")
    return "one convolution with your kernel equals the two in a row."
