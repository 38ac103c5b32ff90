"""Data augmentation for image batches: one vectorised implementation, a new draw per image.

``augment_batch`` pads, crops at a random offset and mirrors every image of a batch at once;
``AugmentedLoader`` wraps a batch iterable so that ``fit`` trains on augmented batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
from torch.nn import functional as F

from cnncourse.modelutils import check_images
from cnncourse.validate import whole_number


def augment_batch(X: torch.Tensor, padding: int = 2, flip: bool = True,
                  generator: torch.Generator | None = None) -> torch.Tensor:
    """Random crop and horizontal flip with a DIFFERENT draw for every image, all at once.

    Pads ``X (N, C, H, W)`` by ``padding`` zeros, cuts each image's ``H x W`` window at a
    random offset and mirrors about half of the images. No Python loop over images.
    """
    check_images(X, "augment_batch")
    whole_number(padding, "padding", "augment_batch", minimum=0)
    N, C, H, W = X.shape
    dev = X.device
    if padding > 0:
        padded = F.pad(X, (padding,) * 4)                                  # (N, C, H+2p, W+2p)
        dy = torch.randint(0, 2 * padding + 1, (N,), device=dev, generator=generator)
        dx = torch.randint(0, 2 * padding + 1, (N,), device=dev, generator=generator)
        rows = dy[:, None] + torch.arange(H, device=dev)                   # (N, H)
        cols = dx[:, None] + torch.arange(W, device=dev)                   # (N, W)
        n = torch.arange(N, device=dev)[:, None, None]
        X = padded.permute(0, 2, 3, 1)[n, rows[:, :, None], cols[:, None, :]]  # (N, H, W, C)
        X = X.permute(0, 3, 1, 2).contiguous()                             # (N, C, H, W)
    if flip:
        mask = torch.rand(N, device=dev, generator=generator) < 0.5
        X = torch.where(mask[:, None, None, None], X.flip(-1), X)
    return X


class AugmentedLoader:
    """Wrap a batch iterable so every batch passes through ``augment`` (e.g. ``augment_batch``)."""

    def __init__(self, batches: Any, augment: Any = augment_batch):
        if not hasattr(batches, "__iter__") or isinstance(batches, torch.Tensor):
            raise TypeError(f"AugmentedLoader: expected an iterable of (X, y) batches such as a "
                            f"TensorLoader, got {type(batches).__name__}.")
        self.batches, self.augment = batches, augment

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for X, y in self.batches:
            yield self.augment(X), y

    def __len__(self) -> int:
        return len(self.batches)

    def __repr__(self) -> str:
        return f"AugmentedLoader({self.batches!r})"
