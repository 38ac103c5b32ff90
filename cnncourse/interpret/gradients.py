"""Gradient norm per layer: the measurement behind "vanishing gradients" (notebook 10)."""

from __future__ import annotations

import torch
from torch import nn

from cnncourse.interpret._inputs import as_batch
from cnncourse.modelutils import check_model, model_device


def gradient_norms(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    """The L2 norm of the cross-entropy gradient of each Conv2d/Linear weight, input first.

    Uses one batch ``X (N, C, H, W)``, ``y (N,)``. Small numbers in early layers next to
    large ones near the output are the signature of vanishing gradients.
    """
    check_model(model, "gradient_norms")
    X, _ = as_batch(X, "gradient_norms")
    if not isinstance(y, torch.Tensor) or y.dim() != 1 or y.shape[0] != X.shape[0]:
        got = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
        raise ValueError(f"gradient_norms: expected labels y of shape ({X.shape[0]},), "
                         f"got {got}.")
    named = [(n, m.weight) for n, m in model.named_modules()
             if isinstance(m, (nn.Conv2d, nn.Linear)) and m.weight.requires_grad]
    if not named:
        raise ValueError("gradient_norms: the model has no trainable Conv2d or Linear layers.")
    dev = model_device(model)
    with torch.enable_grad():
        loss = nn.functional.cross_entropy(model(X.to(dev)), y.to(dev))
        grads = torch.autograd.grad(loss, [w for _, w in named], allow_unused=True)
    return {n: (0.0 if g is None else g.norm().item()) for (n, _), g in zip(named, grads)}
