"""Receptive fields: how many input pixels one output pixel sees after each conv/pool layer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from cnncourse.interpret.activations import spatial_calls
from cnncourse.modelutils import check_model


@dataclass(frozen=True)
class RFStep:
    """Receptive field after one layer: ``size`` input pixels wide, ``jump`` pixels between
    neighbouring outputs, and ``start`` the centre of the first output in input pixels."""

    name: str
    kernel: int
    stride: int
    size: int
    jump: int
    start: float


def _first(v: Any) -> int:
    """The height part of a size given as an int or an (H, W) pair."""
    return int(v[0] if isinstance(v, (tuple, list)) else v)


def receptive_field(model: nn.Module, input_shape: Sequence[int] | None = None
                    ) -> list[RFStep]:
    """Receptive field growth through the Conv2d/pooling layers of ``model``, in run order.

    Args:
        model: the network; one forward pass on zeros records the order its layers run in.
        input_shape: that pass's input, default ``(1, C, 32, 32)`` with ``C`` the first
            conv's input channels.

    Each layer adds ``(kernel - 1) * dilation * jump`` pixels, and ``jump`` (the distance
    in input pixels between neighbouring outputs) multiplies by the stride.
    """
    check_model(model, "receptive_field")
    if input_shape is None:
        convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
        input_shape = (1, convs[0].in_channels if convs else 3, 32, 32)
    size, jump, start = 1, 1, 0.5
    steps = []
    try:
        calls = spatial_calls(model, torch.zeros(*input_shape))
    except Exception as err:
        raise ValueError(f"receptive_field: a forward pass on zeros of shape "
                         f"{tuple(input_shape)} failed ({type(err).__name__}: {err}); pass the "
                         "model's input shape as input_shape=(1, C, H, W).") from err
    for name, m, _ in calls:
        k, st = _first(m.kernel_size), _first(m.stride or 1)
        p, d = _first(m.padding), _first(getattr(m, "dilation", 1))
        size = size + (k - 1) * d * jump
        start = start + ((k - 1) * d / 2 - p) * jump
        jump = jump * st
        steps.append(RFStep(name, k, st, size, jump, start))
    return steps
