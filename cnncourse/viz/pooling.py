"""Pooling made visible: ``plot_pooling`` draws which input window feeds an output cell and which
value it keeps; ``pooling_widget`` adds sliders and a max/average switch."""

from __future__ import annotations

from typing import Any

from cnncourse.validate import whole_number
from cnncourse.viz._common import VERMILLION, as_2d, outline, plt, values_panel
from cnncourse.viz.alt import describe
from cnncourse.viz.widgets import WIDGET_STYLE, show_figure, widget_box

WINDOW_COLOR = VERMILLION  # Okabe-Ito vermillion: visible on cividis and to colour-blind readers


def _pool_args(x: Any, kernel_size: int, stride: int | None, mode: str,
               where: str) -> tuple[int, int]:
    if mode not in ("max", "avg"):
        raise ValueError(f"{where}: mode must be 'max' or 'avg', got {mode!r}.")
    stride = kernel_size if stride is None else stride
    for name, v in (("kernel_size", kernel_size), ("stride", stride)):
        whole_number(v, name, where)
    if kernel_size > min(x.shape):
        raise ValueError(f"{where}: kernel_size {kernel_size} is larger than the "
                         f"{x.shape[0]}x{x.shape[1]} map; use a kernel of at most "
                         f"{min(x.shape)}.")
    return kernel_size, stride


def pool_map(x: Any, kernel_size: int = 2, stride: int | None = None, mode: str = "max") -> Any:
    """Pool one (H, W) map with ``torch.nn.functional`` and return the (H_out, W_out) result."""
    from torch.nn import functional as F

    m = as_2d(x, "pool_map", "one feature map")
    k, s = _pool_args(m, kernel_size, stride, mode, "pool_map")
    fn = F.max_pool2d if mode == "max" else F.avg_pool2d
    return fn(m[None, None], k, s)[0, 0]


def plot_pooling(x: Any, kernel_size: int = 2, stride: int | None = None, mode: str = "max",
                 row: int = 0, col: int = 0) -> Any:
    """Show the input window behind output cell (row, col) and the value pooling keeps.

    Args:
        x: one feature map, ``(H, W)``.
        kernel_size, stride: the pooling window and step (stride defaults to kernel_size).
        mode: "max" keeps the largest value in the window, "avg" their mean.
        row, col: the output cell to explain.
    Returns the figure.
    """
    m = as_2d(x, "plot_pooling", "one feature map")
    k, s = _pool_args(m, kernel_size, stride, mode, "plot_pooling")
    out = pool_map(m, k, s, mode)                                   # (H_out, W_out)
    if not (0 <= row < out.shape[0] and 0 <= col < out.shape[1]):
        raise ValueError(f"plot_pooling: output cell ({row}, {col}) is outside the "
                         f"{out.shape[0]}x{out.shape[1]} pooled map; rows and columns run "
                         f"from 0 to {out.shape[0] - 1} and {out.shape[1] - 1}.")
    top, left = row * s, col * s
    window = m[top:top + k, left:left + k]
    lo, hi = min(m.min().item(), out.min().item()), max(m.max().item(), out.max().item())
    fig, (ax_in, ax_out) = plt().subplots(
        1, 2, figsize=(9, 4), gridspec_kw={"width_ratios": [m.shape[1], max(out.shape[1], 2)]})
    for ax, data, title in ((ax_in, m, f"Input {m.shape[0]}x{m.shape[1]}: window at rows "
                                       f"{top}-{top + k - 1}, cols {left}-{left + k - 1}"),
                            (ax_out, out, f"{mode} pool (k={k}, stride={s}) -> "
                                          f"{out.shape[0]}x{out.shape[1]}")):
        values_panel(ax, data.numpy(), title, "{:.3g}", vmin=lo, vmax=hi)
    outline(ax_in, top, left, k, k, WINDOW_COLOR)
    outline(ax_out, row, col, 1, 1, WINDOW_COLOR)
    if mode == "max":
        flat = int(window.argmax())
        wi, wj = top + flat // window.shape[1], left + flat % window.shape[1]
        ax_in.plot(wj, wi, marker="o", markersize=26, markerfacecolor="none",
                   markeredgecolor=WINDOW_COLOR, markeredgewidth=2)
        how = f"keeps the largest value, {window.max().item():.3g}"
    else:
        how = f"keeps the mean, {window.mean().item():.3g}"
    fig.suptitle(f"Output cell ({row}, {col}) {how}")
    fig.tight_layout()
    return describe(fig, f"{mode} pooling, output cell ({row}, {col}) {how}: two grids of "
                         f"numbers: the {m.shape[0]}x{m.shape[1]} input with the {k}x{k} window "
                         f"at rows {top}-{top + k - 1}, columns {left}-{left + k - 1} outlined, "
                         f"and the {out.shape[0]}x{out.shape[1]} pooled output with cell "
                         f"({row}, {col}) outlined.")


def pooling_widget(x: Any, kernel_size: int = 2, stride: int | None = None) -> Any:
    """Sliders for the output cell and a max/avg switch around :func:`plot_pooling`.

    The returned VBox has ``.row`` and ``.col`` (IntSliders), ``.mode`` (a Dropdown),
    ``.image`` (an ``ipywidgets.Image``) and ``.render()``.
    """
    import ipywidgets as w

    m = as_2d(x, "pooling_widget", "one feature map")
    k, s = _pool_args(m, kernel_size, stride, "max", "pooling_widget")
    h_out, w_out = pool_map(m, k, s).shape
    row = w.IntSlider(value=0, min=0, max=h_out - 1, description="output row",
                      continuous_update=False, style=WIDGET_STYLE)
    col = w.IntSlider(value=0, min=0, max=w_out - 1, description="output col",
                      continuous_update=False, style=WIDGET_STYLE)
    mode = w.Dropdown(options=["max", "avg"], value="max", description="mode",
                      style=WIDGET_STYLE)
    box = widget_box([row, col, mode], "pooling", picture=True)

    def render(*_: Any) -> None:
        show_figure(box, plot_pooling(m, k, s, mode.value, row.value, col.value))

    for control in (row, col, mode):
        control.observe(render, names="value")
    box.row, box.col, box.mode, box.render = row, col, mode, render
    render()
    return box
