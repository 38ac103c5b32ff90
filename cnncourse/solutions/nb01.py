"""Reference solutions for notebook 01 · Pixels as numbers."""

from __future__ import annotations

from collections.abc import Sequence

import torch


def to_chw_float(image: torch.Tensor) -> torch.Tensor:
    """A uint8 image (H, W, C) with values 0..255 -> float32 (C, H, W) with values in [0, 1]."""
    x = torch.as_tensor(image)         # (H, W, C) uint8
    x = x.permute(2, 0, 1)             # (C, H, W): move channels first, keep pixels in place
    return x.float() / 255.0           # float32 in [0, 1]


def normalize(x: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """Per-channel ``(x - mean) / std`` for ``x`` of shape (C, H, W) or (N, C, H, W)."""
    mean_t = torch.as_tensor(mean, dtype=x.dtype).reshape(-1, 1, 1)  # (C, 1, 1)
    std_t = torch.as_tensor(std, dtype=x.dtype).reshape(-1, 1, 1)    # (C, 1, 1)
    return (x - mean_t) / std_t        # broadcasts over H and W (and N)
