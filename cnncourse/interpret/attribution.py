"""Which pixels and regions drive a prediction: saliency maps and Grad-CAM."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

from cnncourse.interpret._inputs import as_batch, targets
from cnncourse.interpret.activations import find_layer
from cnncourse.modelutils import check_model, eval_mode, model_device


def saliency(model: nn.Module, x: torch.Tensor, target: int | Sequence[int] | None = None
             ) -> torch.Tensor:
    """How strongly each pixel moves the target logit: ``max_c |d logit / d x|``.

    Args:
        x: one image ``(C, H, W)`` or a batch ``(N, C, H, W)``.
        target: class index (or one per image); default: the predicted class.

    Returns:
        ``(H, W)`` for one image, ``(N, H, W)`` for a batch.
    """
    check_model(model, "saliency")
    X, single = as_batch(x, "saliency")
    with eval_mode(model), torch.enable_grad():
        X = X.detach().to(model_device(model)).requires_grad_(True)
        logits = model(X)                                   # (N, K)
        t = targets(logits, target, "saliency")
        score = logits.gather(1, t[:, None]).sum()           # one logit per image
        (grad,) = torch.autograd.grad(score, X)              # (N, C, H, W)
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
    check_model(model, "grad_cam")
    module = find_layer(model, layer)
    X, single = as_batch(x, "grad_cam")
    store: dict[str, torch.Tensor] = {}
    hook = module.register_forward_hook(lambda _m, _i, o: store.__setitem__("A", o))
    try:
        with eval_mode(model), torch.enable_grad():
            X = X.detach().to(model_device(model))
            logits = model(X)                               # (N, K)
            if "A" not in store:
                raise ValueError("grad_cam: the chosen layer did not run in the forward pass.")
            A = store["A"]                                  # (N, C, h, w)
            if A.dim() != 4:
                raise ValueError(f"grad_cam: the layer must output feature maps (N, C, h, w), "
                                 f"got shape {tuple(A.shape)}; pick a conv layer.")
            t = targets(logits, target, "grad_cam")
            score = logits.gather(1, t[:, None]).sum()
            (dA,) = torch.autograd.grad(score, A)           # (N, C, h, w)
    finally:
        hook.remove()
    weights = dA.mean(dim=(2, 3), keepdim=True)             # (N, C, 1, 1)
    cam = F.relu((weights * A.detach()).sum(dim=1))         # (N, h, w)
    if upsample:
        cam = F.interpolate(cam[:, None], size=X.shape[-2:], mode="bilinear",
                            align_corners=False)[:, 0]       # (N, H, W)
    peak = cam.flatten(1).amax(dim=1).clamp_min(1e-12)
    cam = cam / peak[:, None, None]
    return cam[0] if single else cam
