"""What each layer outputs: pick a layer by name, record feature maps with forward hooks."""

from __future__ import annotations

import torch
from torch import nn

from cnncourse.interpret._inputs import SPATIAL, as_batch
from cnncourse.modelutils import check_model, eval_mode, model_device


def find_layer(model: nn.Module, layer: str | nn.Module) -> nn.Module:
    """The submodule ``layer`` of ``model``, given as a module or a dotted name like "conv2"."""
    check_model(model, "find_layer")
    if isinstance(layer, nn.Module):
        if not any(m is layer for m in model.modules()):
            raise ValueError("find_layer: that layer is not part of the model; pass one of "
                             "its own submodules, e.g. model.conv2.")
        return layer
    names = dict(model.named_modules())
    if not isinstance(layer, str) or layer not in names or layer == "":
        convs = [n for n, m in names.items() if isinstance(m, nn.Conv2d)]
        raise ValueError(f"find_layer: no layer named {layer!r}; conv layers in this model: "
                         f"{convs}.")
    return names[layer]


def spatial_calls(model: nn.Module, x: torch.Tensor) -> list[tuple[str, nn.Module, torch.Tensor]]:
    """``(name, layer, output)`` for each Conv2d/pooling call of one forward pass on ``x`` (in
    eval mode, no gradients), in run order; a layer that runs twice (SimpleCNN's shared
    ``pool``) appears twice, as "pool" then "pool#2"."""
    calls: list[tuple[str, nn.Module, torch.Tensor]] = []
    hooks = [m.register_forward_hook(lambda mod, _i, out, n=n: calls.append((n, mod, out)))
             for n, m in model.named_modules() if isinstance(m, SPATIAL)]
    try:
        with eval_mode(model), torch.no_grad():
            model(x.to(model_device(model)))
    finally:
        for h in hooks:
            h.remove()
    seen: dict[str, int] = {}
    for i, (name, m, out) in enumerate(calls):
        seen[name] = seen.get(name, 0) + 1
        calls[i] = (name if seen[name] == 1 else f"{name}#{seen[name]}", m, out.detach())
    return calls


def feature_maps(model: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Outputs of every Conv2d and pooling layer of ``model`` for input ``x``.

    Returns a dict ``name -> (N, C, H, W)`` tensor, in the order the layers ran; a layer
    that runs twice appears twice ("pool", "pool#2").
    """
    check_model(model, "feature_maps")
    X, _ = as_batch(x, "feature_maps")
    if not any(isinstance(m, SPATIAL) for m in model.modules()):
        raise ValueError("feature_maps: the model has no Conv2d or pooling layers, so there "
                         "are no feature maps to record.")
    return {name: out for name, _, out in spatial_calls(model, X)}
