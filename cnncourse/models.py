"""Models used across the course: the seed's small CNN and an MLP baseline.

Notebook 07 writes ``SimpleCNN`` cell by cell; later notebooks import this copy.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class SimpleCNN(nn.Module):
    """Two conv blocks (3->16->32 channels, ReLU, 2x2 max-pool) and a 2048->128->10 head.

    Built for 32x32 RGB images (CIFAR-10). ``torch.flatten(x, 1)`` keeps the batch
    dimension, so a wrong input size fails loudly instead of silently changing the batch.
    """

    def __init__(self, in_channels: int = 3, num_classes: int = 10, image_size: int = 32):
        super().__init__()
        if image_size % 4 != 0 or image_size < 4:
            raise ValueError(f"SimpleCNN: image_size must be a positive multiple of 4 "
                             f"(two 2x2 poolings), got {image_size}.")
        self.conv1 = nn.Conv2d(in_channels, 16, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        side = image_size // 4
        self.fc1 = nn.Linear(32 * side * side, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.conv1(x)))  # (N, 16, H/2, W/2)
        x = self.pool(F.relu(self.conv2(x)))  # (N, 32, H/4, W/4)
        x = torch.flatten(x, 1)               # (N, 32*H/4*W/4) = (N, 2048) for 32x32
        x = F.relu(self.fc1(x))               # (N, 128)
        return self.fc2(x)                    # (N, num_classes) logits


class MLP(nn.Module):
    """A fully connected baseline: flatten, one hidden ReLU layer, class logits."""

    def __init__(self, in_features: int = 3 * 32 * 32, hidden: int = 256,
                 num_classes: int = 10):
        super().__init__()
        for name, value in {"in_features": in_features, "hidden": hidden,
                            "num_classes": num_classes}.items():
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"MLP: {name} must be a positive int, got {value!r}.")
        self.net = nn.Sequential(
            nn.Flatten(),                          # (N, C, H, W) -> (N, C*H*W)
            nn.Linear(in_features, hidden),
            nn.ReLU(),
            nn.Linear(hidden, num_classes),        # (N, num_classes) logits
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def count_parameters(model: nn.Module, trainable_only: bool = True) -> int:
    """Number of (trainable) parameters in ``model``."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"count_parameters: expected a torch.nn.Module, got "
                        f"{type(model).__name__}.")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
