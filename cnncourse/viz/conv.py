"""Convolution made visible: kernels as heatmaps, the sliding window step by step, and a kernel
playground on a real photo (``conv_stepper`` and ``kernel_playground`` wrap the plain functions)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from cnncourse.viz._common import SKY_BLUE, image_grid, outline, show_on, values_panel
from cnncourse.viz._common import as_2d as _as_2d
from cnncourse.viz._common import plt as _plt
from cnncourse.viz.alt import describe
from cnncourse.viz.pixels import sample_photo_tensor
from cnncourse.viz.widgets import WIDGET_STYLE, show_figure, widget_box

# Kernel heatmap ---------------------------------------------------------------------------

def plot_kernel(kernel: Any, title: str = "Kernel") -> Any:
    """A kernel ``(kH, kW)`` as a heatmap (cividis) with each weight printed on its cell."""
    k = _as_2d(kernel, "plot_kernel", "the kernel").numpy()
    fig, ax = _plt().subplots(figsize=(3.2, 3.2))
    values_panel(ax, k, fmt="{:.3g}", fontsize=10 if k.shape[0] <= 5 else 7)
    ax.set_title(title)
    return describe(fig, f"{title}: a {k.shape[0]}x{k.shape[1]} kernel as a grid of numbers, "
                         f"row by row: {_rows(k)}.")


def _rows(values: np.ndarray, fmt: str = "{:.3g}") -> str:
    """A small grid in words: "[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]"."""
    return ", ".join("[" + ", ".join(fmt.format(v + 0.0) for v in row) + "]" for row in values)


# The sliding window -------------------------------------------------------------------------

def conv_step_state(image: Any, kernel: Any, step: int, padding: int = 0,
                    stride: int = 1) -> dict[str, Any]:
    """Everything one frame of the step-through shows, as plain numbers.

    Returns a dict: ``padded`` input (H+2p, W+2p), ``window`` (top, left) in the padded
    input, ``row``/``col`` of the output cell, ``products`` (kH, kW), ``value`` (their sum),
    ``partial`` output (H_out, W_out) with NaN where the window has not been yet, ``steps``.
    """
    from cnncourse.conv import conv_output_size

    x = _as_2d(image, "conv_step_state", "the input")
    k = _as_2d(kernel, "conv_step_state", "the kernel")
    h_out, w_out = (conv_output_size(x.shape[i], k.shape[i], padding, stride) for i in (0, 1))
    if not isinstance(step, int) or not 0 <= step < h_out * w_out:
        raise ValueError(f"conv_step_state: step must be an int from 0 to "
                         f"{h_out * w_out - 1}, got {step!r}.")
    padded = torch.nn.functional.pad(x, (padding,) * 4)
    kh, kw = k.shape
    full = torch.nn.functional.conv2d(padded[None, None], k[None, None], stride=stride)[0, 0]
    partial = full.flatten().clone()
    partial[step + 1:] = float("nan")          # the window visits row by row; not there yet
    row, col = divmod(step, w_out)
    top, left = row * stride, col * stride
    products = padded[top:top + kh, left:left + kw] * k
    return {"padded": padded.numpy(), "kernel": k.numpy(), "window": (top, left),
            "row": row, "col": col, "products": products.numpy(),
            "value": float(products.sum()), "partial": partial.reshape(h_out, w_out).numpy(),
            "steps": h_out * w_out, "padding": padding, "stride": stride}


def _draw_step(axes: Any, state: dict[str, Any]) -> None:
    """One frame on ``axes``: input with the window, [kernel,] products, output so far."""
    padded, k, products = state["padded"], state["kernel"], state["products"]
    (top, left), p = state["window"], state["padding"]
    ax_in, ax_k, ax_prod, ax_out = axes if len(axes) == 4 else (axes[0], None, axes[1], axes[2])
    values_panel(ax_in, padded, f"input{' (padded, dashed = original)' if p else ''}: window "
                 f"at ({top}, {left})", "{:.2g}" if max(padded.shape) <= 12 else None, 8,
                 "gray")                                  # numbers only where they fit
    if p:
        outline(ax_in, p, p, padded.shape[0] - 2 * p, padded.shape[1] - 2 * p, SKY_BLUE,
                linewidth=1.2, linestyle="--")
    outline(ax_in, top, left, *k.shape)
    if ax_k is not None:
        values_panel(ax_k, k, "kernel")
    values_panel(ax_prod, products, f"window × kernel, sum = {state['value']:.3g}", fontsize=8)
    partial = state["partial"]
    cmap = _plt().get_cmap("viridis").with_extremes(bad="#dddddd")  # light gray: not computed
    values_panel(ax_out, partial, f"output {partial.shape[0]}x{partial.shape[1]}: cell "
                 f"({state['row']}, {state['col']})",
                 "{:.2g}" if max(partial.shape) <= 12 else None, 8, cmap)
    outline(ax_out, state["row"], state["col"], 1, 1)


def plot_conv_step(image: Any, kernel: Any, step: int = 0, padding: int = 0,
                   stride: int = 1) -> Any:
    """One frame: the window on the input, the kernel, their products and the output so far."""
    state = conv_step_state(image, kernel, step, padding, stride)
    fig, axes = _plt().subplots(1, 4, figsize=(14, 3.8),
                                gridspec_kw={"width_ratios": [1.4, 0.8, 0.8, 1.1]})
    _draw_step(axes, state)
    title = (f"Convolution step {step + 1} of {state['steps']} (padding={padding}, "
             f"stride={stride})")
    fig.suptitle(title)
    fig.tight_layout()
    (top, left), k = state["window"], state["kernel"]
    return describe(fig, f"{title}: four panels: the input grid with the {k.shape[0]}x"
                         f"{k.shape[1]} window outlined at row {top}, column {left}; the kernel "
                         f"{_rows(k)}; window times kernel, cell by cell, summing to "
                         f"{state['value']:.3g}; and the output so far, with cell "
                         f"({state['row']}, {state['col']}) = {state['value']:.3g} outlined "
                         f"and the cells not yet computed in light gray.")


def plot_conv_frames(image: Any, kernel: Any, padding: int = 0, stride: int = 1) -> Any:
    """A static sequence of frames, one row per step: the first, second, middle and last."""
    x = _as_2d(image, "plot_conv_frames", "the input")
    k = _as_2d(kernel, "plot_conv_frames", "the kernel")
    n = conv_step_state(x, k, 0, padding, stride)["steps"]
    steps = sorted({0, min(1, n - 1), n // 2, n - 1})
    states = [conv_step_state(x, k, step, padding, stride) for step in steps]
    fig, axes = _plt().subplots(len(steps), 3, figsize=(10, 3.3 * len(steps)), squeeze=False,
                                gridspec_kw={"width_ratios": [1.4, 0.8, 1.1]})
    for row, (step, state) in enumerate(zip(steps, states)):
        _draw_step(axes[row], state)
        axes[row, 0].set_title(f"step {step + 1}/{n}: " + axes[row, 0].get_title(), fontsize=9)
    fig.suptitle("The kernel slides over the input; each stop fills one output cell")
    fig.tight_layout()
    frames = "; ".join(f"step {s + 1}: window at row {st['window'][0]}, column "
                       f"{st['window'][1]}, output cell ({st['row']}, {st['col']}) = "
                       f"{st['value']:.3g}" for s, st in zip(steps, states))
    return describe(fig, f"The kernel slides over the input; each stop fills one output cell: "
                         f"{len(steps)} rows of three panels (input with the window, window "
                         f"times kernel, output so far) for {n} steps in all; {frames}.")


# Kernel applied to a photo ---------------------------------------------------------------

def _show_result(ax: Any, result: torch.Tensor) -> tuple[float, float]:
    """A filtered image in gray on ``ax``, black to white from its 1st to its 99th percentile,
    so a few extreme pixels do not wash out the picture (filter outputs such as edges can be
    negative or exceed 1). Returns that display range."""
    flat = result.flatten().float()
    lo, hi = torch.quantile(flat, 0.01).item(), torch.quantile(flat, 0.99).item()
    lo, hi = (lo, hi) if hi > lo else (lo - 0.5, lo + 0.5)
    ax.imshow(result.numpy(), cmap="gray", vmin=lo, vmax=hi)
    ax.axis("off")
    return lo, hi


def plot_kernel_result(image: Any, kernel: Any, title: str = "") -> Any:
    """A gray image ``(H, W)``, the kernel, and the filtered result side by side."""
    from cnncourse.conv import apply_kernel

    x = _as_2d(image, "plot_kernel_result", "a gray image")
    k = _as_2d(kernel, "plot_kernel_result", "the kernel")
    result = apply_kernel(x, k)                               # (H, W), same size ("same")
    fig, (ax_img, ax_k, ax_out) = _plt().subplots(1, 3, figsize=(11, 3.8),
                                                  gridspec_kw={"width_ratios": [1, 0.6, 1]})
    show_on(ax_img, x.numpy(), "input photo")
    values_panel(ax_k, k.numpy(), "kernel", "{:.3g}", 10)
    lo, hi = _show_result(ax_out, result)
    ax_out.set_title(f"result: values {result.min():.2f} to {result.max():.2f}\n"
                     f"(shown {lo:.2f} = black to {hi:.2f} = white)", fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.result = result   # the filtered image, for anyone who wants the numbers
    return describe(fig, f"{title or 'A kernel applied to a photo'}: three panels: the gray "
                         f"input photo; the kernel {_rows(k.numpy())}; and the filtered "
                         f"result in gray, values {result.min():.2f} to {result.max():.2f} "
                         f"(bright = high).")


# Widgets ------------------------------------------------------------------------------------

def conv_stepper(image: Any, kernel: Any, padding: int = 0, stride: int = 1) -> Any:
    """An IntSlider that moves the window one position at a time (wraps ``plot_conv_step``).

    The slider counts steps from 1, like the caption. The returned VBox has ``.slider``,
    ``.image`` (an ``ipywidgets.Image``), ``.state`` (the current :func:`conv_step_state`)
    and ``.render()``.
    """
    import ipywidgets as w

    x = _as_2d(image, "conv_stepper", "the input")
    k = _as_2d(kernel, "conv_stepper", "the kernel")
    n = conv_step_state(x, k, 0, padding, stride)["steps"]
    slider = w.IntSlider(value=1, min=1, max=n, step=1, description="step",  # 1-based, as shown
                         continuous_update=False, style=WIDGET_STYLE)
    caption = w.HTML()
    box = widget_box([slider, caption], "stepper", picture=True)

    def render(*_: Any) -> None:
        step = slider.value - 1                                  # 0-based for the plots
        box.state = s = conv_step_state(x, k, step, padding, stride)
        caption.value = (f"Step {slider.value} of {n}: output cell ({s['row']}, "
                         f"{s['col']}) = sum of window × kernel = <b>{s['value']:.3g}</b>")
        show_figure(box, plot_conv_step(x, k, step, padding, stride))

    slider.observe(render, names="value")
    box.slider, box.caption, box.render = slider, caption, render
    render()
    return box


def kernel_playground(image: Any = None, size: int = 160) -> Any:
    """Pick or edit a 3x3 kernel and see it applied to a photo (wraps ``plot_kernel_result``).

    Args:
        image: a gray image ``(H, W)``; default: the sample photo, ``size`` pixels square.

    The returned VBox (CSS class ``cnncourse-playground``) has ``.dropdown`` (the kernels of
    ``cnncourse.conv.KERNELS`` and "custom"), ``.cells`` (nine FloatText, row by row),
    ``.image`` (an ``ipywidgets.Image``), ``.result`` (the latest filtered tensor) and
    ``.kernel()`` (the current 3x3 tensor).
    """
    import ipywidgets as w

    from cnncourse.conv import KERNELS

    x = (sample_photo_tensor(size=size, gray=True)[0] if image is None
         else _as_2d(image, "kernel_playground", "a gray image"))
    dropdown = w.Dropdown(options=[*KERNELS, "custom"], value="edge", description="kernel",
                          style=WIDGET_STYLE)
    cells = [w.FloatText(value=0.0, step=0.1, layout=w.Layout(width="70px")) for _ in range(9)]
    grid = w.GridBox(cells, layout=w.Layout(grid_template_columns="repeat(3, 75px)"))
    help_text = w.HTML("<i>Choose a kernel, or type your own numbers (the choice switches to "
                       "'custom').</i>")
    box = widget_box([w.HBox([dropdown, help_text]), grid], "playground", picture=True)
    busy = {"filling": False}

    def current_kernel() -> torch.Tensor:
        return torch.tensor([c.value for c in cells], dtype=torch.float32).reshape(3, 3)

    def render() -> None:
        fig = plot_kernel_result(x, current_kernel(), title=f"kernel: {dropdown.value}")
        box.result = fig.result
        show_figure(box, fig)

    def on_choice(change: dict) -> None:
        if change["new"] == "custom":
            return
        busy["filling"] = True
        for c, v in zip(cells, (v for row in KERNELS[change["new"]] for v in row)):
            c.value = round(v, 4)
        busy["filling"] = False
        render()

    def on_edit(_: dict) -> None:
        if not busy["filling"]:              # a number typed by hand, not a preset filled in
            dropdown.value = "custom"        # on_choice leaves the numbers as they are
            render()

    dropdown.observe(on_choice, names="value")
    for c in cells:
        c.observe(on_edit, names="value")
    box.dropdown, box.cells, box.kernel = dropdown, cells, current_kernel
    on_choice({"new": "edge"})
    return box


def show_filtered(image: Any, kernels: dict[str, Any], ncols: int = 4,
                  title: str = "One photo, several kernels") -> Any:
    """The same gray image filtered by several kernels, in a grid of auto-scaled results."""
    from cnncourse.conv import apply_kernel

    x = _as_2d(image, "show_filtered", "a gray image")
    names = list(kernels)
    fig, axes = image_grid(len(names) + 1, ncols, cell=(3.2, 3.3), title=title)
    show_on(axes[0], x.numpy(), "original")
    for ax, name in zip(axes[1:], names):
        _show_result(ax, apply_kernel(x, kernels[name]))
        ax.set_title(name)
    fig.tight_layout()
    return describe(fig, f"{title}: a grid of {len(names) + 1} grayscale images: the original "
                         f"photo, then the photo filtered by each kernel: "
                         f"{', '.join(names)}.")
