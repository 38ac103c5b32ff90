"""Pictures of what a CNN learned: filters, feature maps, saliency, Grad-CAM, gradient norms
and receptive fields. Plain matplotlib functions; each returns the figure it drew on.

Images use ``gray`` (or their own RGB colours); heatmaps use ``viridis``; line plots use the
Okabe-Ito colourblind-safe palette.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000"]


def _plt() -> Any:
    import matplotlib.pyplot as plt

    return plt


def _tensor(value: Any, where: str, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{where}: expected {what} as a torch.Tensor, got "
                        f"{type(value).__name__}.")
    return value.detach().float().cpu()


def to_display(image: Any, where: str = "to_display") -> Any:
    """An image tensor ``(C, H, W)`` or ``(H, W)`` as a numpy array ready for ``imshow``.

    Values are rescaled to [0, 1] when they fall outside it (normalised images), so pass
    ``data.denormalize(x)`` for true colours.
    """
    img = _tensor(image, where, "an image (C, H, W) or (H, W)")
    if img.dim() == 4 and img.shape[0] == 1:
        img = img[0]
    if img.dim() == 3 and img.shape[0] == 1:
        img = img[0]
    if img.dim() == 3 and img.shape[0] == 3:
        img = img.permute(1, 2, 0)                      # (H, W, 3) for imshow
    elif img.dim() != 2:
        raise ValueError(f"{where}: expected an image of shape (C, H, W) with C = 1 or 3, or "
                         f"(H, W); got {tuple(image.shape)}.")
    lo, hi = img.min(), img.max()
    if lo < 0 or hi > 1:
        img = (img - lo) / (hi - lo).clamp_min(1e-8)
    return img.numpy()


def _show(ax: Any, image: Any, title: str) -> None:
    arr = to_display(image, "plot")
    ax.imshow(arr, cmap="gray" if arr.ndim == 2 else None, vmin=0, vmax=1)
    ax.set_title(title, fontsize=9)
    ax.axis("off")


def _grid(n: int, ncols: int, size: float = 1.3, title: str = "") -> tuple[Any, Any]:
    plt = _plt()
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.5),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return fig, axes.flat


def plot_filters(weights: Any, max_filters: int = 32, ncols: int = 8,
                 title: str = "First-layer filters") -> Any:
    """Show conv filters ``(out, in, k, k)`` (or a ``Conv2d``): RGB when ``in == 3``, else gray.

    Each filter is rescaled on its own, so compare patterns, not brightness, across tiles.
    """
    if isinstance(weights, torch.nn.Conv2d):
        weights = weights.weight
    w = _tensor(weights, "plot_filters", "conv weights (out, in, k, k) or an nn.Conv2d")
    if w.dim() != 4:
        raise ValueError(f"plot_filters: expected weights of shape (out, in, k, k), got "
                         f"{tuple(w.shape)}.")
    w = w[:max_filters]
    fig, axes = _grid(w.shape[0], ncols, title=title)
    for i, (ax, f) in enumerate(zip(axes, w)):
        f = f if f.shape[0] == 3 else f[:1]             # (3, k, k) colour or first channel
        f = (f - f.min()) / (f.max() - f.min()).clamp_min(1e-8)
        _show(ax, f, f"filter {i}")
    fig.tight_layout()
    return fig


def plot_feature_maps(maps: Any, max_maps: int = 16, ncols: int = 8,
                      title: str = "Feature maps") -> Any:
    """Show the channels of one feature map ``(C, H, W)`` (or ``(1, C, H, W)``) in viridis."""
    m = _tensor(maps, "plot_feature_maps", "feature maps (C, H, W)")
    if m.dim() == 4 and m.shape[0] == 1:
        m = m[0]
    if m.dim() != 3:
        raise ValueError(f"plot_feature_maps: expected one image's maps (C, H, W), got "
                         f"{tuple(maps.shape)}; index one image first, e.g. maps[0].")
    m = m[:max_maps]
    fig, axes = _grid(m.shape[0], ncols, title=f"{title} ({m.shape[1]}x{m.shape[2]})")
    for i, (ax, fmap) in enumerate(zip(axes, m)):
        ax.imshow(fmap.numpy(), cmap="viridis")
        ax.set_title(f"channel {i}", fontsize=8)
    fig.tight_layout()
    return fig


def _overlay_heat(ax: Any, image: Any, heat: torch.Tensor, alpha: float, title: str) -> Any:
    arr = to_display(image, "plot")
    gray = arr if arr.ndim == 2 else arr @ [0.299, 0.587, 0.114]   # luminance under the heat
    ax.imshow(gray, cmap="gray", vmin=0, vmax=1)
    im = ax.imshow(heat.numpy(), cmap="viridis", alpha=alpha)
    ax.set_title(title, fontsize=10)
    ax.axis("off")
    return im


def _heat(value: Any, image: Any, where: str) -> torch.Tensor:
    h = _tensor(value, where, "a heatmap (H, W)")
    if h.dim() != 2:
        raise ValueError(f"{where}: expected a heatmap of shape (H, W), got {tuple(h.shape)}; "
                         "pass one image's map, e.g. cam[0].")
    if tuple(h.shape) != tuple(image.shape[-2:]):
        raise ValueError(f"{where}: heatmap is {tuple(h.shape)} but the image is "
                         f"{tuple(image.shape[-2:])}; use grad_cam(..., upsample=True).")
    return h


def plot_grad_cam(image: Any, cam: Any, alpha: float = 0.5, title: str = "Grad-CAM",
                  label: str | None = None) -> Any:
    """Image, heatmap and their overlay side by side. ``image`` is ``(C, H, W)`` in [0, 1]."""
    heat = _heat(cam, image, "plot_grad_cam")
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(8, 3))
    _show(axes[0], image, "image" if label is None else f"image ({label})")
    im = axes[1].imshow(heat.numpy(), cmap="viridis")
    axes[1].set_title("heatmap")
    axes[1].axis("off")
    fig.colorbar(im, ax=axes[1], fraction=0.046)
    _overlay_heat(axes[2], image, heat, alpha, "overlay")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_saliency(image: Any, sal: Any, title: str = "Saliency map",
                  label: str | None = None) -> Any:
    """Image and its saliency map ``(H, W)`` side by side (brighter = pixel matters more)."""
    heat = _heat(sal, image, "plot_saliency")
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(6, 3))
    _show(axes[0], image, "image" if label is None else f"image ({label})")
    im = axes[1].imshow(heat.numpy(), cmap="viridis")
    axes[1].set_title("|d logit / d pixel|")
    axes[1].axis("off")
    fig.colorbar(im, ax=axes[1], fraction=0.046)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_gradient_norms(norms: Mapping[str, Any], ax: Any = None,
                        title: str = "Gradient norm per layer") -> Any:
    """Gradient norm per layer (log scale), input side on the left.

    ``norms`` is one ``gradient_norms`` result, or ``{"label": result, ...}`` to compare
    models of the same depth.
    """
    if not isinstance(norms, Mapping) or not norms:
        raise TypeError(f"plot_gradient_norms: expected the dict returned by gradient_norms "
                        f"(or a dict of them), got {type(norms).__name__}.")
    first = next(iter(norms.values()))
    series = norms if isinstance(first, Mapping) else {"model": norms}
    plt = _plt()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    for i, (label, result) in enumerate(series.items()):
        values = [max(float(v), 1e-30) for v in result.values()]
        ax.semilogy(range(1, len(values) + 1), values, marker="o", ms=3,
                    color=OKABE_ITO[i % len(OKABE_ITO)], label=label)
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("gradient norm (log scale)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax.figure


def plot_receptive_field(steps: Sequence[Any], image: Any = None, image_size: int = 32,
                         ax: Any = None, title: str = "Receptive field of one output pixel"
                         ) -> Any:
    """Draw the receptive field after each layer as nested squares around the image centre.

    ``steps`` is the list returned by ``cnncourse.interpret.receptive_field``.
    """
    if not isinstance(steps, Sequence) or not steps or not hasattr(steps[0], "size"):
        raise TypeError("plot_receptive_field: expected the list returned by "
                        "cnncourse.interpret.receptive_field(...).")
    plt = _plt()
    from matplotlib.patches import Rectangle

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    if image is not None:
        arr = to_display(image, "plot_receptive_field")
        image_size = arr.shape[0]
        ax.imshow(arr, cmap="gray" if arr.ndim == 2 else None, vmin=0, vmax=1)
    else:
        ax.imshow(torch.zeros(image_size, image_size).numpy(), cmap="gray", vmin=0, vmax=1)
    cmap = plt.get_cmap("viridis")
    centre = image_size / 2
    for i, step in enumerate(steps):
        colour = cmap(0.15 + 0.8 * i / max(1, len(steps) - 1))
        half = step.size / 2
        ax.add_patch(Rectangle((centre - half - 0.5, centre - half - 0.5), step.size,
                               step.size, fill=False, lw=2, ec=colour,
                               label=f"{step.name}: {step.size}x{step.size}"))
    ax.set_xlim(-0.5, image_size - 0.5)
    ax.set_ylim(image_size - 0.5, -0.5)
    ax.set_xlabel("x (pixels)")
    ax.set_ylabel("y (pixels)")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    return ax.figure
