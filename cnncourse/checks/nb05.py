"""Checks for notebook 05 · Activation functions: ``from cnncourse.checks import nb05 as check``."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.exercises import Mistake, check, expect_close, expect_tensor
from cnncourse.solutions import nb05 as solutions


def _inputs() -> torch.Tensor:
    g = torch.Generator().manual_seed(5)
    x = torch.randn(4, 3, 5, 5, generator=g) * 3
    return x.masked_fill(x.abs() < 1e-3, 0.5)  # keep away from exactly 0


@check(reference=solutions.relu)
def relu(fn):
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
    want = torch.relu(x)
    if torch.allclose(out, torch.clamp(x, max=0)):
        raise Mistake("you kept the negatives and zeroed the positives (clamp(max=0)); ReLU "
                      "is the other way round: clamp(min=0).")
    if torch.allclose(out, x.abs()):
        raise Mistake("you returned |x|: negatives became positive. ReLU sets negatives to 0.")
    if torch.allclose(out, torch.sigmoid(x)):
        raise Mistake("that is the sigmoid. ReLU is max(0, x).")
    expect_close(out, want, what="relu(x)", atol=1e-6, hint="ReLU is max(0, x) per element.")
    return "your relu matches torch.relu and leaves its input untouched."


@check(reference=solutions.relu_grad)
def relu_grad(fn):
    """Compare with the gradient autograd computes for torch.relu."""
    x = _inputs().requires_grad_(True)
    torch.relu(x).sum().backward()
    want = x.grad                                            # d relu(x) / dx, per element
    out = fn(x.detach())
    expect_tensor(out, tuple(want.shape), what="relu_grad(x)")
    if out.dtype == torch.bool:
        raise Mistake("you returned a True/False mask. Gradients are numbers: convert the "
                      "mask with .float() (or .to(x.dtype)).")
    out = out.detach()
    if torch.allclose(out, torch.relu(x.detach())):
        raise Mistake("you returned relu(x) itself. The gradient is the slope: 1 where x > 0 "
                      "and 0 where x < 0.")
    if torch.allclose(out, torch.sign(x.detach())):
        raise Mistake("you returned the sign of x, which is -1 for negatives. ReLU is flat "
                      "(slope 0) for negative inputs, not falling.")
    if torch.allclose(out, x.detach()):
        raise Mistake("you returned x. The gradient of ReLU is 1 where x > 0 and 0 elsewhere.")
    s = torch.sigmoid(x.detach())
    if torch.allclose(out, s * (1 - s)):
        raise Mistake("that is the sigmoid's gradient. ReLU's is 1 for x > 0 and 0 otherwise.")
    expect_close(out, want, what="relu_grad(x)", atol=1e-6,
                 hint="Compare with autograd: 1.0 where x > 0, else 0.0.")
    return "your relu_grad matches the gradient autograd computes."


@check(reference=solutions.compose_kernels)
def compose_kernels(fn):
    """Apply k1 then k2 to random images and compare with one convolution by your kernel."""
    g = torch.Generator().manual_seed(7)
    k1, k2 = torch.randn(3, 3, generator=g), torch.randn(3, 3, generator=g)
    x = torch.randn(2, 1, 12, 12, generator=g)
    two_steps = F.conv2d(F.conv2d(x, k1[None, None]), k2[None, None])  # (2, 1, 8, 8)
    k = fn(k1, k2)
    if not isinstance(k, torch.Tensor):
        raise Mistake(f"return a torch.Tensor kernel, got {type(k).__name__}.")
    if tuple(k.shape) == (3, 3):
        raise Mistake("your kernel is 3x3, but two 3x3 convolutions in a row let each output "
                      "see a 5x5 patch of the input. The combined kernel must be 5x5.")
    expect_tensor(k, (5, 5), what="compose_kernels(k1, k2) for two 3x3 kernels")
    one_step = F.conv2d(x, k.detach()[None, None])
    if not torch.allclose(one_step, two_steps, atol=1e-4):
        unflipped = F.conv2d(F.pad(k1[None, None], (2, 2, 2, 2)), k2[None, None])[0, 0]
        if torch.allclose(k, unflipped, atol=1e-4) or torch.allclose(
                k, torch.flip(solutions.compose_kernels(k1, k2), dims=(0, 1)), atol=1e-4):
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
