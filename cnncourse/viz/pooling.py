"""Pooling window view: which input window feeds each output cell, and which value it keeps.

``plot_pooling(x, row=0, col=0)`` draws one step; ``pooling_widget(x)`` wraps it with sliders
for the output position and a max/average switch.
"""

from __future__ import annotations

from typing import Any

from cnncourse.validate import whole_number
from cnncourse.viz._common import VERMILLION, as_2d, plt
from cnncourse.viz.alt import alt_text, describe
from cnncourse.viz.widgets import WIDGET_STYLE, figure_png, style_box

WINDOW_COLOR = VERMILLION  # Okabe-Ito vermillion: visible on cividis and to colour-blind readers


def _as_map(x: Any, where: str) -> Any:
    """Return ``x`` as a float (H, W) tensor, accepting (1, H, W) and (1, 1, H, W)."""
    return as_2d(x, where, "one feature map")


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

    m = _as_map(x, "pool_map")
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
    from matplotlib.patches import Rectangle

    m = _as_map(x, "plot_pooling")
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
    for ax, data in ((ax_in, m), (ax_out, out)):
        ax.imshow(data.numpy(), cmap="cividis", vmin=lo, vmax=hi)
        for (i, j), v in _cells(data):
            ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=9,
                    color="black" if v > (lo + hi) / 2 else "white")
        ax.set_xticks(range(data.shape[1]))
        ax.set_yticks(range(data.shape[0]))
        ax.set_xlabel("column")
        ax.set_ylabel("row")
    ax_in.add_patch(Rectangle((left - 0.5, top - 0.5), k, k, fill=False,
                              edgecolor=WINDOW_COLOR, linewidth=3))
    ax_out.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, fill=False,
                               edgecolor=WINDOW_COLOR, linewidth=3))
    if mode == "max":
        flat = int(window.argmax())
        wi, wj = top + flat // window.shape[1], left + flat % window.shape[1]
        ax_in.plot(wj, wi, marker="o", markersize=26, markerfacecolor="none",
                   markeredgecolor=WINDOW_COLOR, markeredgewidth=2)
        how = f"keeps the largest value, {window.max().item():.3g}"
    else:
        how = f"keeps the mean, {window.mean().item():.3g}"
    ax_in.set_title(f"Input {m.shape[0]}x{m.shape[1]}: window at rows {top}-{top + k - 1}, "
                    f"cols {left}-{left + k - 1}")
    ax_out.set_title(f"{mode} pool (k={k}, stride={s}) -> {out.shape[0]}x{out.shape[1]}")
    fig.suptitle(f"Output cell ({row}, {col}) {how}")
    fig.tight_layout()
    return describe(fig, f"{mode} pooling, output cell ({row}, {col}) {how}: two grids of "
                         f"numbers: the {m.shape[0]}x{m.shape[1]} input with the {k}x{k} window "
                         f"at rows {top}-{top + k - 1}, columns {left}-{left + k - 1} outlined, "
                         f"and the {out.shape[0]}x{out.shape[1]} pooled output with cell "
                         f"({row}, {col}) outlined.")


def _cells(data: Any) -> list[tuple[tuple[int, int], float]]:
    return [((i, j), data[i, j].item()) for i in range(data.shape[0])
            for j in range(data.shape[1])]


def pooling_widget(x: Any, kernel_size: int = 2, stride: int | None = None) -> Any:
    """Sliders for the output cell and a max/avg switch around :func:`plot_pooling`."""
    import ipywidgets as w

    m = _as_map(x, "pooling_widget")
    k, s = _pool_args(m, kernel_size, stride, "max", "pooling_widget")
    h_out, w_out = pool_map(m, k, s).shape

    def draw(row: int, col: int, mode: str) -> None:
        plot_pooling(m, k, s, mode, row, col)
        plt().show()

    widget = w.interactive(
        draw,
        row=w.IntSlider(value=0, min=0, max=h_out - 1, description="output row",
                        style=WIDGET_STYLE),
        col=w.IntSlider(value=0, min=0, max=w_out - 1, description="output col",
                        style=WIDGET_STYLE),
        mode=w.Dropdown(options=["max", "avg"], value="max", description="mode",
                        style=WIDGET_STYLE))
    said = {}

    def static() -> bytes:  # the current choice as a picture, for pages without widgets
        values = widget.kwargs
        fig = plot_pooling(m, k, s, values["mode"], values["row"], values["col"])
        said["alt"] = alt_text(fig)
        return figure_png(fig)

    return style_box(widget, "pooling", static, alt=lambda: said["alt"])
