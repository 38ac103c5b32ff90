"""Receptive fields: how many input pixels one output pixel sees after each conv/pool layer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from cnncourse.interpret._inputs import SPATIAL
from cnncourse.modelutils import check_model, eval_mode, model_device


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


def _pair_first(v: Any) -> int:
    return int(v[0] if isinstance(v, (tuple, list)) else v)


def layer_specs(model: nn.Module, input_shape: Sequence[int] | None = None
                ) -> list[tuple[str, int, int, int, int]]:
    """``(name, kernel, stride, padding, dilation)`` of each Conv2d/pooling call, in run order.

    One forward pass on zeros of ``input_shape`` (default ``(1, C, 32, 32)``, with ``C`` the
    first conv's input channels) records the order, so a pooling layer used twice counts twice.
    """
    check_model(model, "layer_specs")
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if input_shape is None:
        input_shape = (1, convs[0].in_channels if convs else 3, 32, 32)
    calls: list[tuple[str, nn.Module]] = []
    hooks = [m.register_forward_hook(lambda mod, _i, _o, n=n: calls.append((n, mod)))
             for n, m in model.named_modules() if isinstance(m, SPATIAL)]
    try:
        with eval_mode(model), torch.no_grad():
            model(torch.zeros(*input_shape, device=model_device(model)))
    except Exception as err:
        raise ValueError(f"layer_specs: a forward pass on zeros of shape {tuple(input_shape)} "
                         f"failed ({type(err).__name__}: {err}); pass the model's input shape "
                         "as input_shape=(1, C, H, W).") from err
    finally:
        for h in hooks:
            h.remove()
    specs, seen = [], {}
    for name, m in calls:
        seen[name] = seen.get(name, 0) + 1
        label = name if seen[name] == 1 else f"{name}#{seen[name]}"
        specs.append((label, _pair_first(m.kernel_size), _pair_first(m.stride or 1),
                      _pair_first(m.padding), _pair_first(getattr(m, "dilation", 1))))
    return specs


def _specs_from_list(layers: Sequence[Any]) -> list[tuple[str, int, int, int, int]]:
    """``(kernel, stride[, padding[, dilation]])`` tuples, optionally named, as full specs."""
    specs = []
    for i, s in enumerate(layers):
        if not isinstance(s, (list, tuple)) or not 2 <= len(s) <= 5:
            raise ValueError(f"receptive_field: layer {i} should be (kernel, stride) or "
                             f"(kernel, stride, padding), got {s!r}.")
        name, nums = (s[0], list(s[1:])) if isinstance(s[0], str) else (f"layer{i + 1}", list(s))
        if not 2 <= len(nums) <= 4:
            raise ValueError(f"receptive_field: layer {i} needs 2 to 4 numbers "
                             f"(kernel, stride[, padding[, dilation]]), got {s!r}.")
        k, st, p, d = (nums + [0, 1][len(nums) - 2:])[:4]
        specs.append((name, k, st, p, d))
    return specs


def receptive_field(layers: nn.Module | Sequence[Any],
                    input_shape: Sequence[int] | None = None) -> list[RFStep]:
    """Receptive field growth through a stack of conv/pool layers.

    Args:
        layers: a model (its Conv2d/pooling layers, in the order they run) or a list of
            ``(kernel, stride)``, ``(kernel, stride, padding)`` or
            ``(name, kernel, stride, padding, dilation)`` tuples.

    Each layer adds ``(kernel - 1) * dilation * jump`` pixels, and ``jump`` (the distance
    in input pixels between neighbouring outputs) multiplies by the stride.
    """
    if isinstance(layers, nn.Module):
        specs = layer_specs(layers, input_shape)
    elif isinstance(layers, (list, tuple)):
        specs = _specs_from_list(layers)
    else:
        raise TypeError(f"receptive_field: expected an nn.Module or a list of (kernel, stride) "
                        f"tuples, got {type(layers).__name__}.")
    for name, k, st, p, d in specs:
        if not all(isinstance(v, int) for v in (k, st, p, d)) or k < 1 or st < 1 or p < 0 \
                or d < 1:
            raise ValueError(f"receptive_field: {name} needs kernel>=1, stride>=1, "
                             f"padding>=0, dilation>=1 as ints; got kernel={k!r}, "
                             f"stride={st!r}, padding={p!r}, dilation={d!r}.")
    size, jump, start = 1, 1, 0.5
    steps = []
    for name, k, st, p, d in specs:
        size = size + (k - 1) * d * jump
        start = start + ((k - 1) * d / 2 - p) * jump
        jump = jump * st
        steps.append(RFStep(name, k, st, size, jump, start))
    return steps
