"""Reference solutions for notebook 07 · Build a CNN in PyTorch."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional as F


def simple_cnn_forward(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The forward pass of ``SimpleCNN``, written with the model's own layers.

    ``x`` is ``(N, 3, 32, 32)``; the result is logits ``(N, 10)``.
    """
    x = model.pool(F.relu(model.conv1(x)))   # (N, 16, 16, 16)
    x = model.pool(F.relu(model.conv2(x)))   # (N, 32, 8, 8)
    x = torch.flatten(x, 1)                  # (N, 2048): keeps the batch axis
    x = F.relu(model.fc1(x))                 # (N, 128)
    return model.fc2(x)                      # (N, 10) logits: no softmax here


def train_step(model: nn.Module, X: torch.Tensor, y: torch.Tensor,
               optimizer: torch.optim.Optimizer, loss_fn: Any) -> float:
    """One optimisation step on one batch; returns the batch loss as a Python float."""
    logits = model(X)                        # 1. forward pass: (N, num_classes)
    loss = loss_fn(logits, y)                # 2. loss against the true labels
    optimizer.zero_grad()                    # 3. clear the previous batch's gradients
    loss.backward()                          # 4. backpropagate: fill p.grad for every weight
    optimizer.step()                         # 5. update the weights
    return loss.item()


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` ``(N, K)`` whose largest score is at the label ``y``."""
    predictions = logits.argmax(dim=1)       # (N,) one class per example
    return (predictions == y).float().mean().item()
