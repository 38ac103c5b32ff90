"""Reference solutions for notebook 02 · Neural-network basics."""

from __future__ import annotations

import torch


def neuron(x: torch.Tensor, w: torch.Tensor, b: float) -> torch.Tensor:
    """One ReLU neuron on a batch: ``x`` (N, D), ``w`` (D,), ``b`` a number -> (N,)."""
    z = x @ w + b                      # (N,): weighted sum of the inputs plus the bias
    return torch.clamp(z, min=0)       # ReLU: negative sums become 0


def softmax(logits: torch.Tensor) -> torch.Tensor:
    """Numerically stable softmax over the classes: ``logits`` (N, K) -> probabilities (N, K)."""
    shifted = logits - logits.max(dim=1, keepdim=True).values  # largest logit becomes 0
    e = torch.exp(shifted)                                     # no overflow: every value <= 1
    return e / e.sum(dim=1, keepdim=True)                      # each row sums to 1


def sgd_step(w: torch.Tensor, grad: torch.Tensor, lr: float) -> torch.Tensor:
    """One gradient-descent step: new weights ``w - lr * grad`` (``w`` itself is unchanged)."""
    return w - lr * grad               # walk downhill, against the gradient
