"""Images as numbers: a real photo with no download (``sample_photo()``, the portrait of Grace
Hopper that matplotlib ships), pixel grids, RGB channels and histograms."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np

from cnncourse.viz._common import (  # noqa: F401  (OKABE_ITO: imported from here)
    BLUE,
    GREEN,
    OKABE_ITO,
    VERMILLION,
    image_grid,
    outline,
    show_on,
    to_gray,
    to_hwc,
    values_panel,
)
from cnncourse.viz._common import plt as _plt
from cnncourse.viz.alt import describe

CHANNEL_NAMES = ("red", "green", "blue")
RGB_COLORS = (VERMILLION, GREEN, BLUE)   # Okabe-Ito colours standing for red, green, blue

# The photo --------------------------------------------------------------------------------

@functools.cache
def _load_photo() -> np.ndarray:
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        return np.asarray(Image.open(f).convert("RGB")).copy()


def sample_photo(size: int | tuple[int, int] | None = None, gray: bool = False) -> np.ndarray:
    """A real photo that ships with matplotlib, as uint8 ``(H, W, 3)`` (or ``(H, W)`` if gray).

    Args:
        size: None for the full 600x512 photo; an int for a centred square crop resized to
            ``size x size``; a tuple ``(H, W)`` to resize to exactly that.
        gray: convert to one luminance channel (ITU-R 601 weights, like PIL's "L" mode).
    """
    from PIL import Image

    photo = Image.fromarray(_load_photo())
    if size is not None:
        if isinstance(size, int) and not isinstance(size, bool) and size > 0:
            side = min(photo.size)
            left, top = (photo.width - side) // 2, (photo.height - side) // 8  # keep the face
            photo = photo.crop((left, top, left + side, top + side)).resize(
                (size, size), Image.LANCZOS)
        elif (isinstance(size, tuple) and len(size) == 2
              and all(isinstance(s, int) and s > 0 for s in size)):
            photo = photo.resize((size[1], size[0]), Image.LANCZOS)
        else:
            raise ValueError(f"sample_photo: size must be None, a positive int or a tuple "
                             f"(H, W) of positive ints, got {size!r}.")
    if gray:
        photo = photo.convert("L")
    return np.asarray(photo).copy()


def sample_photo_tensor(size: int | tuple[int, int] | None = None, gray: bool = False) -> Any:
    """The sample photo as a float32 tensor ``(C, H, W)`` with values in [0, 1]."""
    import torch

    arr = sample_photo(size, gray)
    t = torch.from_numpy(arr).float() / 255.0
    return t[None] if gray else t.permute(2, 0, 1)   # (1, H, W) or (3, H, W)


# Plots ------------------------------------------------------------------------------------

def show_image(image: Any, title: str = "Image", ax: Any = None) -> Any:
    """Show one image (gray or RGB, HWC or CHW, uint8 or float in [0, 1]) with a title."""
    arr = to_hwc(image, "show_image")
    if ax is None:
        fig, ax = _plt().subplots(figsize=(4, 4))
    show_on(ax, arr, f"{title}\n{'x'.join(map(str, arr.shape))}, {arr.dtype}")
    if ax.figure.get_axes() != [ax]:
        return ax.figure                       # a panel of the caller's figure: theirs to describe
    kind = "colour" if arr.ndim == 3 else "grayscale"
    return describe(ax.figure, f"{title}: one {kind} image, {arr.shape[0]} pixels high and "
                               f"{arr.shape[1]} wide ({arr.dtype} values).")


def plot_pixel_grid(image: Any, top: int = 0, left: int = 0, size: int = 8,
                    title: str = "Pixel values") -> Any:
    """A small crop as a grid of cells with each pixel's number printed on it, beside the
    whole image with the crop outlined.

    Args:
        image: gray or RGB image; RGB is shown as its gray (luminance) version.
        top, left: the crop's upper-left pixel.
        size: crop side in pixels (at most 16, so the numbers stay readable).
    """
    arr = to_hwc(image, "plot_pixel_grid")
    was_rgb = arr.ndim == 3
    gray = to_gray(arr)
    h, w = gray.shape
    if not (isinstance(size, int) and 1 <= size <= 16):
        raise ValueError(f"plot_pixel_grid: size must be an int from 1 to 16 (readable "
                         f"numbers), got {size!r}.")
    if not (0 <= top <= h - size and 0 <= left <= w - size):
        raise ValueError(f"plot_pixel_grid: a {size}x{size} crop at top={top}, left={left} "
                         f"does not fit in a {h}x{w} image; use top <= {h - size} and "
                         f"left <= {w - size}.")
    crop = gray[top:top + size, left:left + size]
    fig, (ax_all, ax) = _plt().subplots(1, 2, figsize=(10, 5),
                                        gridspec_kw={"width_ratios": [1, 1.2]})
    show_on(ax_all, gray, f"Whole image ({h}x{w}){' as gray' if was_rgb else ''}")
    outline(ax_all, top, left, size, size, linewidth=2)
    fmt = "{:.0f}" if gray.dtype == np.uint8 else "{:.2f}"
    values_panel(ax, crop, f"{title}: rows {top}-{top + size - 1}, columns {left}-"
                 f"{left + size - 1}", fmt, 8 if size > 10 else 9, "gray", 0.0,
                 255.0 if gray.dtype == np.uint8 else 1.0)
    ax.set_xlabel("column (x)")
    ax.set_ylabel("row (y)")
    ax.set_xticks(range(size), [str(left + j) for j in range(size)])
    ax.set_yticks(range(size), [str(top + i) for i in range(size)])
    fig.tight_layout()
    values = "; ".join(f"row {top + i}: " + " ".join(fmt.format(v + 0.0) for v in crop[i])
                       for i in range(size))
    return describe(fig, f"{title}: a {size}x{size} crop (rows {top}-{top + size - 1}, columns "
                         f"{left}-{left + size - 1}) drawn as gray cells with each pixel's "
                         f"value printed on it, from {fmt.format(crop.min() + 0.0)} to "
                         f"{fmt.format(crop.max() + 0.0)} (bright = high); beside it the "
                         f"whole {h}x{w} image{' in gray' if was_rgb else ''} with the crop "
                         f"outlined. The values, row by row from column {left}: {values}.")


def plot_rgb_channels(image: Any, title: str = "An RGB image is three grayscale images") -> Any:
    """The colour image next to its red, green and blue channels, each shown in gray."""
    arr = to_hwc(image, "plot_rgb_channels")
    if arr.ndim != 3:
        raise ValueError(f"plot_rgb_channels: expected a colour image with 3 channels, got "
                         f"shape {arr.shape}. A grayscale image has only one channel.")
    fig, axes = _plt().subplots(1, 4, figsize=(13, 3.6))
    show_on(axes[0], arr, "colour (all three)")
    for c, ax in enumerate(axes[1:]):
        show_on(ax, arr[..., c], f"{CHANNEL_NAMES[c]} channel (bright = more {CHANNEL_NAMES[c]})")
    fig.suptitle(title)
    fig.tight_layout()
    return describe(fig, f"{title}: four panels: a colour image, then its red, green and blue "
                         f"channels each shown as a grayscale image (bright = more of that "
                         f"colour).")


def plot_image_grid(images: Any, labels: Any = None, classes: Sequence[str] | None = None,
                    ncols: int = 8, title: str = "Images") -> Any:
    """A grid of images ``(N, C, H, W)`` (floats in [0, 1]; denormalise first) with labels."""
    n = len(images)
    if n == 0:
        raise ValueError("plot_image_grid: got no images; pass a batch (N, C, H, W) with N >= 1.")
    names = ([] if labels is None else
             [classes[int(labels[k])] if classes is not None else str(int(labels[k]))
              for k in range(n)])
    fig, axes = image_grid(n, ncols, cell=(1.5, 1.7), title=title)
    for k, ax in zip(range(n), axes):
        show_on(ax, to_hwc(images[k], "plot_image_grid"), names[k] if names else "", fontsize=8)
    fig.tight_layout()
    text = f"{title}: a grid of {n} images"
    if names:
        text += ", labelled in reading order: " + ", ".join(names)
    return describe(fig, text + ".")


def plot_channel_histograms(x: Any, title: str = "Pixel values per channel",
                            ax: Any = None) -> Any:
    """Histogram of the values in each channel of ``x`` ``(C, H, W)`` or ``(N, C, H, W)``."""
    import torch

    t = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x).detach()
    if t.dim() == 3:
        t = t[None]
    if t.dim() != 4:
        raise ValueError(f"plot_channel_histograms: expected (C, H, W) or (N, C, H, W), got "
                         f"shape {tuple(t.shape)}.")
    t = t.float().cpu()
    if ax is None:
        _, ax = _plt().subplots(figsize=(6, 3.5))
    rgb = t.shape[1] == 3
    names = CHANNEL_NAMES if rgb else [f"channel {c}" for c in range(t.shape[1])]
    colors = RGB_COLORS if rgb else OKABE_ITO
    for c in range(t.shape[1]):
        values = t[:, c].flatten().numpy()
        mean = float(values.mean())
        mean = 0.0 if abs(mean) < 0.005 else mean          # print 0.00, not -0.00
        ax.hist(values, bins=50, histtype="step", linewidth=1.8, color=colors[c % len(colors)],
                label=f"{names[c]}: mean {mean:.2f}, std {values.std():.2f}")
    ax.set_title(title)
    ax.set_xlabel("value")
    ax.set_ylabel("number of pixels")
    ax.legend(fontsize=8)
    ax.figure.tight_layout()
    stats = "; ".join(f"{names[c]} mean {float(t[:, c].mean()):.2f}, std "
                      f"{float(t[:, c].std()):.2f}" for c in range(t.shape[1]))
    return describe(ax.figure, f"{title}: histogram of pixel values, one outline per channel "
                               f"(x axis value, y axis number of pixels); {stats}.")
