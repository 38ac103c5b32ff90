"""Looking inside a trained CNN: feature maps, saliency, Grad-CAM, gradient norms, receptive fields.

Notebook 08 writes ``saliency`` and ``grad_cam`` cell by cell; this module holds the same
functions under the same names. Every function leaves the model's ``.grad`` fields alone
(it uses ``torch.autograd.grad``), so you can call it in the middle of training.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

_SPATIAL = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)


# Input checking ----------------------------------------------------------------------------

def _as_batch(x: Any, where: str) -> tuple[torch.Tensor, bool]:
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


def _check_model(model: Any, where: str) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"{where}: expected a torch.nn.Module, got {type(model).__name__}.")


def _targets(logits: torch.Tensor, target: Any, where: str) -> torch.Tensor:
    """Class index per example: the prediction when ``target`` is None."""
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


def _model_device(model: nn.Module) -> torch.device:
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")


def find_layer(model: nn.Module, layer: str | nn.Module) -> nn.Module:
    """The submodule ``layer`` of ``model``, given as a module or a dotted name like "conv2"."""
    _check_model(model, "find_layer")
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


# Feature maps ------------------------------------------------------------------------------

@torch.no_grad()
def feature_maps(model: nn.Module, x: torch.Tensor,
                 layers: Iterable[str] | None = None) -> dict[str, torch.Tensor]:
    """Outputs of the chosen layers (default: every Conv2d and pooling layer) for input ``x``.

    Returns a dict ``name -> (N, C, H, W)`` tensor, in the order the layers ran; a layer
    that runs twice appears twice ("pool", "pool#2").
    """
    _check_model(model, "feature_maps")
    X, _ = _as_batch(x, "feature_maps")
    if layers is None:
        chosen = {n: m for n, m in model.named_modules() if isinstance(m, _SPATIAL)}
    else:
        chosen = {n: find_layer(model, n) for n in layers}
    if not chosen:
        raise ValueError("feature_maps: the model has no Conv2d or pooling layers; name the "
                         "layers to record with layers=[...].")
    out: dict[str, torch.Tensor] = {}

    def record(name: str, output: torch.Tensor) -> None:
        # A module used twice (SimpleCNN's shared ``pool``) gives "pool" then "pool#2".
        key, k = name, 1
        while key in out:
            k += 1
            key = f"{name}#{k}"
        out[key] = output.detach()

    hooks = [m.register_forward_hook(lambda _m, _i, o, n=n: record(n, o))
             for n, m in chosen.items()]
    was_training = model.training
    try:
        model.eval()
        model(X.to(_model_device(model)))
    finally:
        model.train(was_training)
        for h in hooks:
            h.remove()
    return out


# Saliency and Grad-CAM -----------------------------------------------------------------------

def saliency(model: nn.Module, x: torch.Tensor, target: int | Sequence[int] | None = None
             ) -> torch.Tensor:
    """How strongly each pixel moves the target logit: ``max_c |d logit / d x|``.

    Args:
        x: one image ``(C, H, W)`` or a batch ``(N, C, H, W)``.
        target: class index (or one per image); default: the predicted class.

    Returns:
        ``(H, W)`` for one image, ``(N, H, W)`` for a batch.
    """
    _check_model(model, "saliency")
    X, single = _as_batch(x, "saliency")
    was_training = model.training
    model.eval()
    try:
        X = X.detach().to(_model_device(model)).requires_grad_(True)
        logits = model(X)                                   # (N, K)
        t = _targets(logits, target, "saliency")
        score = logits.gather(1, t[:, None]).sum()           # one logit per image
        (grad,) = torch.autograd.grad(score, X)              # (N, C, H, W)
    finally:
        model.train(was_training)
    sal = grad.abs().amax(dim=1)                             # (N, H, W)
    return sal[0] if single else sal


def grad_cam(model: nn.Module, x: torch.Tensor, layer: str | nn.Module,
             target: int | Sequence[int] | None = None, upsample: bool = True) -> torch.Tensor:
    """Grad-CAM heatmap: the ``layer`` feature maps weighted by their average gradient.

    ``cam = relu(sum_k w_k * A_k)`` with ``w_k`` the mean over space of ``d logit / d A_k``,
    scaled to [0, 1] per image and (by default) resized to the input size.

    Args:
        layer: a conv layer of ``model`` (the module or its name, e.g. "conv2").
        x: one image ``(C, H, W)`` or a batch ``(N, C, H, W)``.
        target: class index (or one per image); default: the predicted class.

    Returns:
        ``(H, W)`` for one image, ``(N, H, W)`` for a batch.
    """
    _check_model(model, "grad_cam")
    module = find_layer(model, layer)
    X, single = _as_batch(x, "grad_cam")
    store: dict[str, torch.Tensor] = {}
    hook = module.register_forward_hook(lambda _m, _i, o: store.__setitem__("A", o))
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            X = X.detach().to(_model_device(model))
            logits = model(X)                               # (N, K)
            if "A" not in store:
                raise ValueError("grad_cam: the chosen layer did not run in the forward pass.")
            A = store["A"]                                  # (N, C, h, w)
            if A.dim() != 4:
                raise ValueError(f"grad_cam: the layer must output feature maps (N, C, h, w), "
                                 f"got shape {tuple(A.shape)}; pick a conv layer.")
            t = _targets(logits, target, "grad_cam")
            score = logits.gather(1, t[:, None]).sum()
            (dA,) = torch.autograd.grad(score, A)           # (N, C, h, w)
    finally:
        hook.remove()
        model.train(was_training)
    weights = dA.mean(dim=(2, 3), keepdim=True)             # (N, C, 1, 1)
    cam = F.relu((weights * A.detach()).sum(dim=1))         # (N, h, w)
    if upsample:
        cam = F.interpolate(cam[:, None], size=X.shape[-2:], mode="bilinear",
                            align_corners=False)[:, 0]       # (N, H, W)
    peak = cam.flatten(1).amax(dim=1).clamp_min(1e-12)
    cam = cam / peak[:, None, None]
    return cam[0] if single else cam


# Gradient norms ------------------------------------------------------------------------------

def gradient_norms(model: nn.Module, X: torch.Tensor, y: torch.Tensor,
                   loss_fn: Any = None) -> dict[str, float]:
    """The L2 norm of the loss gradient for each Conv2d/Linear weight, first layer first.

    Uses one batch ``X (N, C, H, W)``, ``y (N,)``. Small numbers in early layers next to
    large ones near the output are the signature of vanishing gradients.
    """
    _check_model(model, "gradient_norms")
    X, _ = _as_batch(X, "gradient_norms")
    if not isinstance(y, torch.Tensor) or y.dim() != 1 or y.shape[0] != X.shape[0]:
        got = tuple(y.shape) if isinstance(y, torch.Tensor) else type(y).__name__
        raise ValueError(f"gradient_norms: expected labels y of shape ({X.shape[0]},), "
                         f"got {got}.")
    named = [(n, m.weight) for n, m in model.named_modules()
             if isinstance(m, (nn.Conv2d, nn.Linear)) and m.weight.requires_grad]
    if not named:
        raise ValueError("gradient_norms: the model has no trainable Conv2d or Linear layers.")
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    dev = _model_device(model)
    with torch.enable_grad():
        loss = loss_fn(model(X.to(dev)), y.to(dev))
        grads = torch.autograd.grad(loss, [w for _, w in named], allow_unused=True)
    return {n: (0.0 if g is None else g.norm().item()) for (n, _), g in zip(named, grads)}


# Receptive fields ----------------------------------------------------------------------------

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
    _check_model(model, "layer_specs")
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if input_shape is None:
        input_shape = (1, convs[0].in_channels if convs else 3, 32, 32)
    calls: list[tuple[str, nn.Module]] = []
    hooks = [m.register_forward_hook(lambda mod, _i, _o, n=n: calls.append((n, mod)))
             for n, m in model.named_modules() if isinstance(m, _SPATIAL)]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(*input_shape, device=_model_device(model)))
    except Exception as err:
        raise ValueError(f"layer_specs: a forward pass on zeros of shape {tuple(input_shape)} "
                         f"failed ({type(err).__name__}: {err}); pass the model's input shape "
                         "as input_shape=(1, C, H, W).") from err
    finally:
        model.train(was_training)
        for h in hooks:
            h.remove()
    specs, seen = [], {}
    for name, m in calls:
        seen[name] = seen.get(name, 0) + 1
        label = name if seen[name] == 1 else f"{name}#{seen[name]}"
        specs.append((label, _pair_first(m.kernel_size), _pair_first(m.stride or 1),
                      _pair_first(m.padding), _pair_first(getattr(m, "dilation", 1))))
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
        specs = []
        for i, s in enumerate(layers):
            if not isinstance(s, (list, tuple)) or not 2 <= len(s) <= 5:
                raise ValueError(f"receptive_field: layer {i} should be (kernel, stride) or "
                                 f"(kernel, stride, padding), got {s!r}.")
            name, nums = (s[0], list(s[1:])) if isinstance(s[0], str) else (f"layer{i + 1}",
                                                                              list(s))
            if not 2 <= len(nums) <= 4:
                raise ValueError(f"receptive_field: layer {i} needs 2 to 4 numbers "
                                 f"(kernel, stride[, padding[, dilation]]), got {s!r}.")
            k, st, p, d = (nums + [0, 1][len(nums) - 2:])[:4]
            specs.append((name, k, st, p, d))
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
