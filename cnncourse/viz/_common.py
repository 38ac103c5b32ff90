"""What every plot in ``cnncourse.viz`` shares: the palette, one image converter, one grid, one
grid of printed numbers. No matplotlib import at module level."""

from __future__ import annotations

from typing import Any

import numpy as np

# Okabe-Ito colours: distinguishable with every common colour-vision deficiency.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000"]
BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, YELLOW, BLACK = OKABE_ITO
HIGHLIGHT = ORANGE   # a window or crop outline: visible on gray images and to colour-blind readers


def plt() -> Any:
    """``matplotlib.pyplot``, imported on first use."""
    import matplotlib.pyplot as pyplot

    return pyplot


def in_kernel() -> bool:
    """True inside a Jupyter kernel (a notebook), False in plain Python or a terminal IPython."""
    from IPython import get_ipython  # always there: ipywidgets, a dependency, requires it

    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def with_note(title: str, note: str | None) -> str:
    """``title`` with a note about the data in brackets, e.g. "Accuracy (stand-in)"."""
    return f"{title} ({note})" if note else title


def to_hwc(image: Any, where: str = "to_hwc", rescale: bool = False) -> np.ndarray:
    """Any one image (tensor or array; HW, HWC or CHW) as a NumPy array ``(H, W)`` or ``(H, W, 3)``.

    Channels-first input (C = 1 or 3 in front) is moved last; a single channel is squeezed.
    The dtype is kept, so uint8 stays 0..255 and floats stay as they are. With ``rescale``,
    the result is float and stretched to [0, 1] when its values fall outside that range
    (normalised images; pass ``data.denormalize(x)`` for true colours).
    """
    if hasattr(image, "detach"):
        image = image.detach().cpu().numpy()
    arr = np.asarray(image)
    if arr.ndim == 4 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim == 3 and arr.shape[0] in (1, 3) and arr.shape[-1] not in (1, 3):
        arr = np.moveaxis(arr, 0, -1)                 # (C, H, W) -> (H, W, C)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] == 3)):
        raise ValueError(f"{where}: expected one image shaped (H, W), (H, W, 3), (3, H, W) or "
                         f"(1, H, W); got shape {tuple(np.shape(image))}. For a batch "
                         "(N, C, H, W), pass one image, e.g. X[0].")
    if rescale:
        arr = arr.astype(np.float32) / (255.0 if arr.dtype == np.uint8 else 1.0)
        lo, hi = float(arr.min()), float(arr.max())
        if lo < 0 or hi > 1:
            arr = (arr - lo) / max(hi - lo, 1e-8)
    return arr


def to_gray(arr: np.ndarray) -> np.ndarray:
    """An ``(H, W, 3)`` image as its luminance ``(H, W)`` (ITU-R 601 weights, like PIL's "L");
    uint8 stays uint8, and a gray ``(H, W)`` image is returned as it is."""
    if arr.ndim == 2:
        return arr
    gray = arr.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return gray.round().astype(np.uint8) if arr.dtype == np.uint8 else gray


def as_2d(x: Any, where: str, what: str = "one map") -> Any:
    """``x`` as a float ``(H, W)`` torch tensor on the CPU; leading sizes of 1 are dropped."""
    import torch

    t = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x)
    t = t.detach().cpu().float()
    while t.dim() > 2 and t.shape[0] == 1:
        t = t[0]
    if t.dim() != 2:
        raise ValueError(f"{where}: expected {what} as a 2-D array of shape (H, W), got shape "
                         f"{tuple(t.shape)}. Pick one image and channel, e.g. x[0] or x[0, 0].")
    return t


def image_grid(n: int, ncols: int, cell: tuple[float, float] = (1.5, 1.7),
               title: str = "") -> tuple[Any, list[Any]]:
    """A figure with ``n`` axes in rows of ``ncols`` (each ``cell`` inches), all axes off.

    Returns ``(figure, axes)`` with ``axes`` a flat list of every grid cell, in reading order.
    """
    if n < 1:
        raise ValueError(f"image_grid: need at least one image, got {n}.")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = plt().subplots(nrows, ncols, figsize=(cell[0] * ncols,
                                                      cell[1] * nrows + (0.4 if title else 0)),
                               squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return fig, list(axes.flat)


def show_on(ax: Any, arr: np.ndarray, title: str = "", fontsize: float | None = None) -> Any:
    """Draw an ``(H, W)`` or ``(H, W, 3)`` array on ``ax``: gray for one channel, axes off.

    uint8 shows 0..255, floats 0..1 (colour floats are clipped to [0, 1]).
    """
    hi = 255.0 if arr.dtype == np.uint8 else 1.0
    if arr.ndim == 3 and arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 1)
    im = ax.imshow(arr, cmap="gray" if arr.ndim == 2 else None, vmin=0.0, vmax=hi)
    ax.set_title(title, fontsize=fontsize)
    ax.axis("off")
    return im


def outline(ax: Any, top: float, left: float, height: float, width: float,
            color: str = HIGHLIGHT, **style: Any) -> None:
    """A rectangle around the cells ``[top, top + height) x [left, left + width)`` of an image."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False, edgecolor=color,
                           linewidth=style.pop("linewidth", 3), **style))


def values_panel(ax: Any, values: np.ndarray, title: str = "", fmt: str | None = "{:.2g}",
                 fontsize: float = 9, cmap: Any = "cividis", vmin: float | None = None,
                 vmax: float | None = None) -> None:
    """A small grid of numbers as a heatmap, one tick per cell, each value printed on its cell.

    The numbers are black or white, whichever reads better on their cell's colour; NaN cells
    (not computed yet) are left blank and drawn in the colour map's "bad" colour. With
    ``fmt=None``, or on a grid wider than 12 cells (too small to read), no numbers are printed.
    """
    if max(values.shape) > 12:
        fmt = None
    lo = float(np.nanmin(values)) if vmin is None else vmin
    hi = float(np.nanmax(values)) if vmax is None else vmax
    colormap = plt().get_cmap(cmap)
    ax.imshow(np.ma.masked_invalid(values), cmap=colormap, vmin=lo, vmax=hi)
    for (i, j), v in np.ndenumerate(values):
        if fmt is None or np.isnan(v):
            continue
        r, g, b, _ = colormap((v - lo) / (hi - lo) if hi > lo else 0.5)
        light = 0.299 * r + 0.587 * g + 0.114 * b > 0.5
        ax.text(j, i, fmt.format(v + 0.0), ha="center", va="center", fontsize=fontsize,
                color="black" if light else "white")
    step = 1 if max(values.shape) <= 16 else 5       # a tick per cell while they fit
    ax.set_xticks(range(0, values.shape[1], step))
    ax.set_yticks(range(0, values.shape[0], step))
    ax.tick_params(labelsize=7)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_title(title, fontsize=9)
