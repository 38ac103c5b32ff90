"""What every function that takes a model needs: check it (and its image batch), find its
device, run it in eval mode; a wrong argument gets the same message everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn


def check_model(model: Any, where: str) -> nn.Module:
    """Return ``model`` if it is a ``torch.nn.Module``; otherwise raise a TypeError that says so."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"{where}: expected a torch.nn.Module as the model, got "
                        f"{type(model).__name__}. Pass the network itself, e.g. SimpleCNN().")
    return model


def check_images(X: Any, where: str) -> None:
    """Raise a ValueError unless ``X`` is a float batch of images ``(N, C, H, W)``."""
    if not isinstance(X, torch.Tensor) or X.dim() != 4 or not X.is_floating_point():
        got = (f"{tuple(X.shape)} {X.dtype}" if isinstance(X, torch.Tensor)
               else type(X).__name__)
        raise ValueError(f"{where}: expected a float batch of images (N, C, H, W), got {got}.")


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter (CPU for a model without parameters)."""
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Run a block with ``model.eval()`` and restore the train/eval mode it had before.

    Example:
        >>> with eval_mode(model):
        ...     logits = model(X)      # dropout off, batch norm uses its running statistics
    """
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)
