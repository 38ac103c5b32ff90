"""Input checks shared by the interpretation functions: image batches and target classes."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

# Layers that change the spatial size: what feature maps and receptive fields look at.
SPATIAL = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)


def as_batch(x: Any, where: str) -> tuple[torch.Tensor, bool]:
    """Return ``x`` as ``(N, C, H, W)`` and whether a single ``(C, H, W)`` image was given."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{where}: expected an image tensor (C, H, W) or a batch (N, C, H, W), "
                        f"got {type(x).__name__}. Convert with torch.as_tensor(...).")
    if not x.is_floating_point():
        raise TypeError(f"{where}: expected a float tensor, got dtype {x.dtype}. Use the "
                        "normalised images from load_data (or x.float() / 255).")
    if x.dim() == 3:
        return x.unsqueeze(0), True
    if x.dim() == 4:
        return x, False
    raise ValueError(f"{where}: expected shape (C, H, W) or (N, C, H, W), got "
                     f"{tuple(x.shape)}. Add a batch dimension with x.unsqueeze(0).")


def targets(logits: torch.Tensor, target: Any, where: str) -> torch.Tensor:
    """Class index per example ``(N,)``: the predicted class when ``target`` is None."""
    n, k = logits.shape
    if target is None:
        return logits.argmax(dim=1)
    t = torch.as_tensor(target, device=logits.device).long().reshape(-1)
    if t.numel() == 1:
        t = t.expand(n)
    if t.numel() != n:
        raise ValueError(f"{where}: got {t.numel()} targets for {n} images; pass one class "
                         "index per image, or a single int for all of them.")
    if (t < 0).any() or (t >= k).any():
        raise ValueError(f"{where}: target class must be in 0..{k - 1}, got {t.tolist()}.")
    return t
