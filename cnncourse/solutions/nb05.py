"""Reference solutions for notebook 05 · Activation functions."""

from __future__ import annotations

import torch
from torch.nn import functional as F


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
