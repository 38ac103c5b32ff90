"""Pictures of what a CNN learned: filters, feature maps, saliency, Grad-CAM, gradient norms and
receptive fields. Plain matplotlib functions; each returns the figure it drew on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from cnncourse.viz._common import OKABE_ITO, image_grid, plt, show_on, to_gray, to_hwc
from cnncourse.viz.alt import describe


def _tensor(value: Any, where: str, what: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{where}: expected {what} as a torch.Tensor, got "
                        f"{type(value).__name__}.")
    return value.detach().float().cpu()


def _show(ax: Any, image: Any, title: str, where: str) -> None:
    """An image ``(C, H, W)`` or ``(H, W)`` on ``ax``, stretched to [0, 1] if it falls outside
    (normalised images: pass ``data.denormalize(x)`` for true colours)."""
    image = _tensor(image, where, "an image (C, H, W) or (H, W)")
    show_on(ax, to_hwc(image, where, rescale=True), title, fontsize=9)


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
    fig, axes = image_grid(w.shape[0], ncols, cell=(1.3, 1.3), title=title)
    for i, (ax, f) in enumerate(zip(axes, w)):
        f = f if f.shape[0] == 3 else f[:1]             # (3, k, k) colour or first channel
        f = (f - f.min()) / (f.max() - f.min()).clamp_min(1e-8)
        _show(ax, f, f"filter {i}", "plot_filters")
    fig.tight_layout()
    kind = "colour" if w.shape[1] == 3 else "gray"
    return describe(fig, f"{title}: {w.shape[0]} convolution filters of "
                         f"{w.shape[2]}x{w.shape[3]} weights each, shown as small {kind} "
                         f"tiles numbered 0 to {w.shape[0] - 1}, each rescaled on its own "
                         f"(bright = large weight). {filter_statistics(w)}")


def filter_statistics(weights: Any) -> str:
    """What filter tiles show, in numbers: how smooth they are (the correlation between
    horizontally adjacent weights: near 0 for random noise, higher for edges and blobs), and
    the spread of the weights."""
    w = weights.detach().cpu().float()                            # (out, in, k, k)
    if w.shape[-1] < 2:
        return f"Weights from {w.min().item():+.2f} to {w.max().item():+.2f}."
    left, right = w[..., :, :-1].flatten(), w[..., :, 1:].flatten()
    neighbours = torch.corrcoef(torch.stack([left, right]))[0, 1].nan_to_num().item()
    return (f"Neighbouring weights correlate {neighbours:+.2f} on average (near 0: random "
            f"noise; higher: smooth patterns such as edges and blobs); weights from "
            f"{w.min().item():+.2f} to {w.max().item():+.2f}, standard deviation "
            f"{w.std().item():.2f}.")


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
    fig, axes = image_grid(m.shape[0], ncols, cell=(1.3, 1.3),
                           title=f"{title} ({m.shape[1]}x{m.shape[2]})")
    for i, (ax, fmap) in enumerate(zip(axes, m)):
        ax.imshow(fmap.numpy(), cmap="viridis")
        ax.set_title(f"channel {i}", fontsize=8)
    fig.tight_layout()
    return describe(fig, f"{title}: {m.shape[0]} feature maps of {m.shape[1]}x{m.shape[2]} "
                         f"pixels, channels 0 to {m.shape[0] - 1}, in viridis colours "
                         f"(yellow = strong activation, dark blue = weak).")


def overlay_heatmap(ax: Any, image: Any, heat: Any, alpha: float = 0.5,
                    title: str = "") -> Any:
    """Draw ``heat`` ``(H, W)`` in viridis over the gray version of ``image`` on ``ax``.

    ``image`` is ``(C, H, W)`` or ``(H, W)`` in [0, 1], e.g. ``data.denormalize(x)``; ``heat``
    is a map of the same height and width, e.g. from ``grad_cam``. Returns the heat layer
    (pass it to ``fig.colorbar`` for a scale).
    """
    heat = _heat(heat, image, "overlay_heatmap")
    image = _tensor(image, "overlay_heatmap", "an image (C, H, W) or (H, W)")
    gray = to_gray(to_hwc(image, "overlay_heatmap", rescale=True))   # luminance under the heat
    show_on(ax, gray, title, fontsize=10)
    return ax.imshow(heat.numpy(), cmap="viridis", alpha=alpha)


def _heat(value: Any, image: Any, where: str) -> torch.Tensor:
    h = _tensor(value, where, "a heatmap (H, W)")
    if h.dim() != 2:
        raise ValueError(f"{where}: expected a heatmap of shape (H, W), got {tuple(h.shape)}; "
                         "pass one image's map, e.g. cam[0].")
    if tuple(h.shape) != tuple(image.shape[-2:]):
        raise ValueError(f"{where}: heatmap is {tuple(h.shape)} but the image is "
                         f"{tuple(image.shape[-2:])}; use grad_cam(..., upsample=True).")
    return h


def _image_and_heat(image: Any, heat: torch.Tensor, panels: int, heat_title: str,
                    title: str) -> tuple[Any, Any]:
    """A row of ``panels`` axes: the image, then the heatmap with a colour bar."""
    fig, axes = plt().subplots(1, panels, figsize=(8 if panels == 3 else 6, 3))
    _show(axes[0], image, "image", "plot")
    im = axes[1].imshow(heat.numpy(), cmap="viridis")
    axes[1].set_title(heat_title)
    axes[1].axis("off")
    fig.colorbar(im, ax=axes[1], fraction=0.046)
    fig.suptitle(title)
    return fig, axes


def plot_grad_cam(image: Any, cam: Any, title: str = "Grad-CAM") -> Any:
    """Image, heatmap and their overlay side by side. ``image`` is ``(C, H, W)`` in [0, 1]."""
    heat = _heat(cam, image, "plot_grad_cam")
    fig, axes = _image_and_heat(image, heat, 3, "heatmap", title)
    overlay_heatmap(axes[2], image, heat, 0.5, "overlay")
    fig.tight_layout()
    return describe(fig, f"{title}: three panels: the image; a Grad-CAM heatmap "
                         f"(yellow = regions that raised the predicted class score most); "
                         f"and the heatmap laid over the image in gray.")


def plot_saliency(image: Any, sal: Any, title: str = "Saliency map") -> Any:
    """Image and its saliency map ``(H, W)`` side by side (brighter = pixel matters more)."""
    heat = _heat(sal, image, "plot_saliency")
    fig, _ = _image_and_heat(image, heat, 2, "|d logit / d pixel|", title)
    fig.tight_layout()
    return describe(fig, f"{title}: two panels: the image, and its saliency map "
                         f"(yellow = pixels whose change moves the class score most).")


def plot_gradient_norms(norms: Mapping[str, Any], title: str = "Gradient norm per layer") -> Any:
    """Gradient norm per layer (log scale), input side on the left.

    ``norms`` is one ``gradient_norms`` result, or ``{"label": result, ...}`` to compare
    models of the same depth.
    """
    if not isinstance(norms, Mapping) or not norms:
        raise TypeError(f"plot_gradient_norms: expected the dict returned by gradient_norms "
                        f"(or a dict of them), got {type(norms).__name__}.")
    first = next(iter(norms.values()))
    series = norms if isinstance(first, Mapping) else {"model": norms}
    _, ax = plt().subplots(figsize=(7, 3.5))
    parts = []
    for i, (label, result) in enumerate(series.items()):
        values = [float(v) for v in result.values()]
        ax.semilogy(range(1, len(values) + 1), [max(v, 1e-30) for v in values], marker="o",
                    ms=3, color=OKABE_ITO[i % len(OKABE_ITO)], label=label)
        parts.append(f"{label}: {values[0]:.2g} at layer 1 to {values[-1]:.2g} at layer "
                     f"{len(values)}")
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("gradient norm (log scale)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return describe(ax.figure, f"{title}: line chart, gradient norm (log scale) against layer "
                               f"number from the input side; " + "; ".join(parts) + ".")


def plot_receptive_field(steps: Sequence[Any], image: Any,
                         title: str = "Receptive field of one output pixel") -> Any:
    """Draw the receptive field after each layer as nested squares around the image centre.

    ``steps`` is the list returned by ``cnncourse.interpret.receptive_field``; ``image`` is
    ``(C, H, W)`` or ``(H, W)``, e.g. ``data.denormalize(x)``.
    """
    if not isinstance(steps, Sequence) or not steps or not hasattr(steps[0], "size"):
        raise TypeError("plot_receptive_field: expected the list returned by "
                        "cnncourse.interpret.receptive_field(...).")
    from matplotlib.patches import Rectangle

    _, ax = plt().subplots(figsize=(4.5, 4.5))
    _show(ax, image, title, "plot_receptive_field")
    ax.axis("on")
    image_size = ax.images[0].get_array().shape[0]
    cmap = plt().get_cmap("viridis")
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
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    sizes = ", ".join(f"{s.name} {s.size}x{s.size}" for s in steps)
    return describe(ax.figure, f"{title}: nested squares around the centre of a "
                               f"{image_size}x{image_size} image, one per layer, showing the "
                               f"input pixels one output pixel sees: {sizes}.")
