"""Convolution made visible: kernels as heatmaps, the sliding window step by step, and a
kernel playground on a real photo.

Plain functions return matplotlib Figures (``plot_kernel``, ``plot_conv_step``,
``plot_conv_frames``, ``plot_kernel_result``). The widgets wrap them: ``conv_stepper`` (an
IntSlider over the window positions) and ``kernel_playground`` (a Dropdown of kernels plus a
3x3 grid of editable numbers). Both draw into an ``ipywidgets.Image`` and keep their controls
as attributes, and use only widgets that exist in ipywidgets 7 (Colab) and 8.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from cnncourse.viz._common import HIGHLIGHT, SKY_BLUE, image_grid
from cnncourse.viz._common import as_2d as _as_2d
from cnncourse.viz._common import plt as _plt
from cnncourse.viz.alt import describe
from cnncourse.viz.pixels import sample_photo_tensor, to_hwc
from cnncourse.viz.widgets import WIDGET_STYLE, describe_picture, figure_png, widget_box

__all__ = ["conv_positions", "conv_step_state", "conv_stepper", "figure_png",
           "kernel_playground", "plot_conv_frames", "plot_conv_step", "plot_kernel",
           "plot_kernel_result", "show_filtered"]

KERNEL_CMAP = "cividis"


def _annotate(ax: Any, values: np.ndarray, fmt: str = "{:.2g}", fontsize: int = 9,
              cmap: str = KERNEL_CMAP, vmin: float | None = None,
              vmax: float | None = None) -> None:
    """Print each value on its cell, in black or white, whichever reads better."""
    import matplotlib as mpl

    lo = np.nanmin(values) if vmin is None else vmin
    hi = np.nanmax(values) if vmax is None else vmax
    colormap = mpl.colormaps[cmap]
    for (i, j), v in np.ndenumerate(values):
        if np.isnan(v):
            continue
        r, g, b, _ = colormap((v - lo) / (hi - lo) if hi > lo else 0.5)
        light = 0.299 * r + 0.587 * g + 0.114 * b > 0.5
        ax.text(j, i, fmt.format(v + 0.0), ha="center", va="center", fontsize=fontsize,
                color="black" if light else "white")


def _outline(ax: Any, top: float, left: float, height: float, width: float,
             color: str = HIGHLIGHT, **style: Any) -> None:
    """A rectangle around the cells ``[top, top + height) x [left, left + width)``."""
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False, edgecolor=color,
                           linewidth=style.pop("linewidth", 3), **style))


def _grid_axes(ax: Any, h: int, w: int, xlabel: str = "column", ylabel: str = "row") -> None:
    ax.set_xticks(range(w))
    ax.set_yticks(range(h))
    ax.tick_params(labelsize=7)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def _values_panel(ax: Any, values: np.ndarray, title: str, fmt: str = "{:.2g}",
                  fontsize: int = 9) -> None:
    """A small grid of numbers as a cividis heatmap, each value printed on its cell."""
    ax.imshow(values, cmap=KERNEL_CMAP)
    _annotate(ax, values, fmt, fontsize)
    _grid_axes(ax, *values.shape)
    ax.set_title(title, fontsize=9)


# Kernel heatmap ---------------------------------------------------------------------------

def plot_kernel(kernel: Any, title: str = "Kernel", ax: Any = None) -> Any:
    """A kernel ``(kH, kW)`` as a heatmap (cividis) with each weight printed on its cell."""
    k = _as_2d(kernel, "plot_kernel", "the kernel").numpy()
    if ax is None:
        _, ax = _plt().subplots(figsize=(3.2, 3.2))
    _values_panel(ax, k, "", "{:.3g}", fontsize=10 if k.shape[0] <= 5 else 7)
    ax.set_title(title)
    if ax.figure.get_axes() != [ax]:
        return ax.figure                       # a panel of the caller's figure: theirs to describe
    return describe(ax.figure, f"{title}: a {k.shape[0]}x{k.shape[1]} kernel as a grid of "
                               f"numbers, row by row: {_rows(k)}.")


def _rows(values: np.ndarray, fmt: str = "{:.3g}") -> str:
    """A small grid in words: "[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]"."""
    return ", ".join("[" + ", ".join(fmt.format(v + 0.0) for v in row) + "]" for row in values)


# The sliding window -------------------------------------------------------------------------

def conv_positions(image_shape: tuple[int, int], kernel_shape: tuple[int, int],
                   padding: int = 0, stride: int = 1) -> list[tuple[int, int]]:
    """Output positions ``(row, col)`` in the order the window visits them (row by row)."""
    from cnncourse.conv import conv_output_size

    h_out = conv_output_size(image_shape[0], kernel_shape[0], padding, stride)
    w_out = conv_output_size(image_shape[1], kernel_shape[1], padding, stride)
    return [(i, j) for i in range(h_out) for j in range(w_out)]


def conv_step_state(image: Any, kernel: Any, step: int, padding: int = 0,
                    stride: int = 1) -> dict[str, Any]:
    """Everything one frame of the step-through shows, as plain numbers.

    Returns a dict: ``padded`` input (H+2p, W+2p), ``window`` (top, left) in the padded
    input, ``row``/``col`` of the output cell, ``products`` (kH, kW), ``value`` (their sum),
    ``partial`` output (H_out, W_out) with NaN where the window has not been yet, ``steps``.
    """
    x = _as_2d(image, "conv_step_state", "the input")
    k = _as_2d(kernel, "conv_step_state", "the kernel")
    positions = conv_positions(tuple(x.shape), tuple(k.shape), padding, stride)
    if not isinstance(step, int) or not 0 <= step < len(positions):
        raise ValueError(f"conv_step_state: step must be an int from 0 to "
                         f"{len(positions) - 1}, got {step!r}.")
    padded = torch.nn.functional.pad(x, (padding,) * 4)
    kh, kw = k.shape
    full = torch.nn.functional.conv2d(padded[None, None], k[None, None], stride=stride)[0, 0]
    partial = torch.full_like(full, float("nan"))
    for i, j in positions[:step + 1]:
        partial[i, j] = full[i, j]
    row, col = positions[step]
    top, left = row * stride, col * stride
    products = padded[top:top + kh, left:left + kw] * k
    return {"padded": padded.numpy(), "kernel": k.numpy(), "window": (top, left),
            "row": row, "col": col, "products": products.numpy(),
            "value": float(products.sum()), "partial": partial.numpy(),
            "steps": len(positions), "padding": padding, "stride": stride}


def _draw_step(axes: Any, state: dict[str, Any]) -> None:
    padded, k, products = state["padded"], state["kernel"], state["products"]
    (top, left), p = state["window"], state["padding"]
    kh, kw = k.shape
    ax_in, ax_k, ax_prod, ax_out = axes if len(axes) == 4 else (axes[0], None, axes[1], axes[2])
    lo, hi = float(padded.min()), float(padded.max())
    ax_in.imshow(padded, cmap="gray", vmin=lo, vmax=hi)
    if padded.shape[0] <= 12 and padded.shape[1] <= 12:
        _annotate(ax_in, padded, "{:.2g}", 8, "gray", lo, hi)
    if p:
        _outline(ax_in, p, p, padded.shape[0] - 2 * p, padded.shape[1] - 2 * p, SKY_BLUE,
                 linewidth=1.2, linestyle="--")
    _outline(ax_in, top, left, kh, kw)
    _grid_axes(ax_in, *padded.shape)
    ax_in.set_title(f"input{' (padded, dashed = original)' if p else ''}: window at "
                    f"({top}, {left})", fontsize=9)
    if ax_k is not None:
        _values_panel(ax_k, k, "kernel", fontsize=9)
    _values_panel(ax_prod, products, f"window × kernel, sum = {state['value']:.3g}", fontsize=8)
    partial = state["partial"]
    full_lo, full_hi = np.nanmin(partial), np.nanmax(partial)
    masked = np.ma.masked_invalid(partial)
    import matplotlib as mpl

    cmap = mpl.colormaps["viridis"].with_extremes(bad="#dddddd")  # light gray: not yet computed
    ax_out.imshow(masked, cmap=cmap, vmin=full_lo, vmax=full_hi)
    if partial.shape[0] <= 12 and partial.shape[1] <= 12:
        _annotate(ax_out, partial, "{:.2g}", 8, "viridis", full_lo, full_hi)
    _outline(ax_out, state["row"], state["col"], 1, 1)
    _grid_axes(ax_out, *partial.shape)
    ax_out.set_title(f"output {partial.shape[0]}x{partial.shape[1]}: cell "
                     f"({state['row']}, {state['col']})", fontsize=9)


def plot_conv_step(image: Any, kernel: Any, step: int = 0, padding: int = 0,
                   stride: int = 1) -> Any:
    """One frame: the window on the input, the kernel, their products and the output so far."""
    state = conv_step_state(image, kernel, step, padding, stride)
    fig, axes = _plt().subplots(1, 4, figsize=(14, 3.8),
                                gridspec_kw={"width_ratios": [1.4, 0.8, 0.8, 1.1]})
    _draw_step(axes, state)
    fig.suptitle(f"Convolution step {step + 1} of {state['steps']} "
                 f"(padding={padding}, stride={stride})")
    fig.tight_layout()
    return describe(fig, _step_alt(state, f"Convolution step {step + 1} of {state['steps']} "
                                          f"(padding={padding}, stride={stride})"))


def _step_alt(state: dict[str, Any], title: str) -> str:
    """One frame of the step-through in words."""
    (top, left), k = state["window"], state["kernel"]
    return (f"{title}: four panels: the input grid with the {k.shape[0]}x{k.shape[1]} window "
            f"outlined at row {top}, column {left}; the kernel {_rows(k)}; window times "
            f"kernel, cell by cell, summing to {state['value']:.3g}; and the output so far, "
            f"with cell ({state['row']}, {state['col']}) = {state['value']:.3g} outlined and "
            f"the cells not yet computed in light gray.")


def plot_conv_frames(image: Any, kernel: Any, steps: Any = None, padding: int = 0,
                     stride: int = 1) -> Any:
    """A static sequence of frames, one row per step (default: first, second, middle, last)."""
    x = _as_2d(image, "plot_conv_frames", "the input")
    k = _as_2d(kernel, "plot_conv_frames", "the kernel")
    n = len(conv_positions(tuple(x.shape), tuple(k.shape), padding, stride))
    if steps is None:
        steps = sorted({0, min(1, n - 1), n // 2, n - 1})
    steps = list(steps)
    if not steps:
        raise ValueError("plot_conv_frames: steps is empty; pass step numbers such as [0, 1].")
    fig, axes = _plt().subplots(len(steps), 3, figsize=(10, 3.3 * len(steps)), squeeze=False,
                                gridspec_kw={"width_ratios": [1.4, 0.8, 1.1]})
    for row, step in enumerate(steps):
        _draw_step(axes[row], conv_step_state(x, k, int(step), padding, stride))
        axes[row, 0].set_title(f"step {step + 1}/{n}: " + axes[row, 0].get_title(), fontsize=9)
    fig.suptitle("The kernel slides over the input; each stop fills one output cell")
    fig.tight_layout()
    frames = "; ".join(f"step {s + 1}: window at row {st['window'][0]}, column "
                       f"{st['window'][1]}, output cell ({st['row']}, {st['col']}) = "
                       f"{st['value']:.3g}"
                       for s, st in ((s, conv_step_state(x, k, int(s), padding, stride))
                                     for s in steps))
    return describe(fig, f"The kernel slides over the input; each stop fills one output cell: "
                         f"{len(steps)} rows of three panels (input with the window, window "
                         f"times kernel, output so far) for {n} steps in all; {frames}.")


# Kernel applied to a photo ---------------------------------------------------------------

def _contrast_range(result: torch.Tensor) -> tuple[float, float]:
    """Display range from the 1st to the 99th percentile, so a few extreme pixels do not wash
    out the picture (filter outputs such as edges can be negative or exceed 1)."""
    flat = result.flatten().float()
    lo, hi = torch.quantile(flat, 0.01).item(), torch.quantile(flat, 0.99).item()
    return (lo, hi) if hi > lo else (lo - 0.5, lo + 0.5)


def plot_kernel_result(image: Any, kernel: Any, title: str = "", axes: Any = None) -> Any:
    """A gray image ``(H, W)``, the kernel, and the filtered result side by side."""
    from cnncourse.conv import apply_kernel

    x = _as_2d(image, "plot_kernel_result", "a gray image")
    k = _as_2d(kernel, "plot_kernel_result", "the kernel")
    result = apply_kernel(x, k)                               # (H, W), same size ("same")
    if axes is None:
        _, axes = _plt().subplots(1, 3, figsize=(11, 3.8),
                                  gridspec_kw={"width_ratios": [1, 0.6, 1]})
    ax_img, ax_k, ax_out = axes
    ax_img.imshow(x.numpy(), cmap="gray", vmin=0, vmax=1)
    ax_img.set_title("input photo")
    ax_img.axis("off")
    plot_kernel(k, "kernel", ax=ax_k)
    lo, hi = _contrast_range(result)
    ax_out.imshow(result.numpy(), cmap="gray", vmin=lo, vmax=hi)
    ax_out.set_title(f"result: values {result.min():.2f} to {result.max():.2f}\n"
                     f"(shown {lo:.2f} = black to {hi:.2f} = white)", fontsize=9)
    ax_out.axis("off")
    fig = ax_img.figure
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.result = result   # the filtered image, for anyone who wants the numbers
    return describe(fig, f"{title or 'A kernel applied to a photo'}: three panels: the gray "
                         f"input photo; the kernel {_rows(k.numpy())}; and the filtered "
                         f"result in gray, values {result.min():.2f} to {result.max():.2f} "
                         f"(bright = high).")


# Widgets ------------------------------------------------------------------------------------

def _default_small_image() -> torch.Tensor:
    """A 7x7 crop of the gray photo, scaled to 0..1 with 2 decimals: big enough to see."""
    photo = sample_photo_tensor(size=64, gray=True)[0]        # (64, 64)
    return (photo[20:27, 24:31] * 100).round() / 100


def conv_stepper(image: Any = None, kernel: Any = None, padding: int = 0,
                 stride: int = 1) -> Any:
    """An IntSlider that moves the window one position at a time (wraps ``plot_conv_step``).

    The slider counts steps from 1, like the caption. The returned VBox has ``.slider``, ``.image`` (an ``ipywidgets.Image``), ``.state``
    (the current :func:`conv_step_state`) and ``.render()``.
    """
    import ipywidgets as w

    from cnncourse.conv import kernel as named_kernel

    x = _default_small_image() if image is None else _as_2d(image, "conv_stepper", "the input")
    k = named_kernel("sobel_x") if kernel is None else _as_2d(kernel, "conv_stepper", "kernel")
    n = len(conv_positions(tuple(x.shape), tuple(k.shape), padding, stride))
    slider = w.IntSlider(value=1, min=1, max=n, step=1, description="step",  # 1-based, as shown
                         continuous_update=False, style=WIDGET_STYLE)
    picture = w.Image(format="png")
    caption = w.HTML()
    box = widget_box([slider, caption, picture], "stepper", static=lambda: picture.value,
                     alt=lambda: box.alt)

    def render(*_: Any) -> None:
        step = slider.value - 1                                  # 0-based for the plots
        box.state = conv_step_state(x, k, step, padding, stride)
        s = box.state
        caption.value = (f"Step {slider.value} of {n}: output cell ({s['row']}, "
                         f"{s['col']}) = sum of window × kernel = <b>{s['value']:.3g}</b>")
        box.alt = describe_picture(picture, plot_conv_step(x, k, step, padding, stride))

    slider.observe(render, names="value")
    box.slider, box.image, box.caption, box.render = slider, picture, caption, render
    render()
    return box


def kernel_playground(image: Any = None, kernels: dict[str, Any] | None = None,
                      size: int = 160) -> Any:
    """Pick or edit a 3x3 kernel and see it applied to a photo (wraps ``plot_kernel_result``).

    The returned VBox (CSS class ``cnncourse-playground``) has ``.dropdown`` (kernel names and
    "custom"), ``.cells`` (nine FloatText, row by row), ``.image`` (an ``ipywidgets.Image``),
    ``.result`` (the latest filtered tensor) and ``.kernel()`` (the current 3x3 tensor).
    """
    import ipywidgets as w

    from cnncourse.conv import KERNELS

    x = (sample_photo_tensor(size=size, gray=True)[0] if image is None
         else _as_2d(image, "kernel_playground", "a gray image"))
    presets = {name: torch.as_tensor(v, dtype=torch.float32)
               for name, v in (KERNELS if kernels is None else kernels).items()}
    for name, v in presets.items():
        if tuple(v.shape) != (3, 3):
            raise ValueError(f"kernel_playground: kernel {name!r} must be 3x3, got "
                             f"{tuple(v.shape)}.")
    first = "edge" if "edge" in presets else next(iter(presets))
    dropdown = w.Dropdown(options=[*presets, "custom"], value=first, description="kernel",
                          style=WIDGET_STYLE)
    cells = [w.FloatText(value=0.0, step=0.1, layout=w.Layout(width="70px")) for _ in range(9)]
    grid = w.GridBox(cells, layout=w.Layout(grid_template_columns="repeat(3, 75px)"))
    help_text = w.HTML("<i>Choose a kernel, or type your own numbers (the choice switches to "
                       "'custom').</i>")
    picture = w.Image(format="png")
    box = widget_box([w.HBox([dropdown, help_text]), grid, picture], "playground",
                     static=lambda: picture.value, alt=lambda: box.alt)
    busy = {"filling": False}

    def current_kernel() -> torch.Tensor:
        return torch.tensor([c.value for c in cells], dtype=torch.float32).reshape(3, 3)

    def render() -> None:
        k = current_kernel()
        fig = plot_kernel_result(x, k, title=f"kernel: {dropdown.value}")
        box.result = fig.result
        box.alt = describe_picture(picture, fig)

    def on_choice(change: dict) -> None:
        if change["new"] == "custom":
            return
        busy["filling"] = True
        for c, v in zip(cells, presets[change["new"]].flatten().tolist()):
            c.value = round(v, 4)
        busy["filling"] = False
        render()

    def on_edit(_: dict) -> None:
        if busy["filling"]:
            return
        if dropdown.value != "custom":
            busy["filling"] = True
            dropdown.value = "custom"
            busy["filling"] = False
        render()

    dropdown.observe(on_choice, names="value")
    for c in cells:
        c.observe(on_edit, names="value")
    box.dropdown, box.cells, box.image, box.kernel = dropdown, cells, picture, current_kernel
    on_choice({"new": first})
    return box


def show_filtered(image: Any, kernels: dict[str, Any], ncols: int = 4,
                  title: str = "One photo, several kernels") -> Any:
    """The same gray image filtered by several kernels, in a grid of auto-scaled results."""
    from cnncourse.conv import apply_kernel

    x = _as_2d(image, "show_filtered", "a gray image")
    names = list(kernels)
    fig, axes = image_grid(len(names) + 1, ncols, cell=(3.2, 3.3), title=title)
    axes[0].imshow(to_hwc(x), cmap="gray", vmin=0, vmax=1)
    axes[0].set_title("original")
    for ax, name in zip(axes[1:], names):
        out = apply_kernel(x, kernels[name])
        lo, hi = _contrast_range(out)
        ax.imshow(out.numpy(), cmap="gray", vmin=lo, vmax=hi)
        ax.set_title(name)
    fig.tight_layout()
    return describe(fig, f"{title}: a grid of {len(names) + 1} grayscale images: the original "
                         f"photo, then the photo filtered by each kernel: "
                         f"{', '.join(names)}.")
