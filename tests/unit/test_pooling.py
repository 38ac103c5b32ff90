"""The pooling window view agrees with torch's pooling and rejects bad input clearly."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from cnncourse.viz.pooling import plot_pooling, pool_map, pooling_widget  # noqa: E402

X = torch.arange(36, dtype=torch.float32).reshape(6, 6) % 7


def teardown_function():
    plt.close("all")


@pytest.mark.parametrize("mode, fn", [("max", F.max_pool2d), ("avg", F.avg_pool2d)])
def test_pool_map_matches_torch(mode, fn):
    out = pool_map(X, 3, 1, mode)
    assert torch.allclose(out, fn(X[None, None], 3, 1)[0, 0])
    assert out.shape == (4, 4)


def test_plot_pooling_shows_the_kept_value_and_window():
    fig = plot_pooling(X, 2, mode="max", row=1, col=2)
    ax_in, ax_out = fig.axes[:2]
    window = X[2:4, 4:6]
    assert f"{window.max().item():.3g}" in fig._suptitle.get_text()
    rect = ax_in.patches[0]
    assert rect.get_xy() == (3.5, 1.5) and rect.get_width() == 2
    # The circle marks the position of the maximum inside the window.
    (cx,), (cy,) = ax_in.lines[0].get_data()
    assert X[cy, cx] == window.max()
    assert ax_out.images[0].get_array().shape == (3, 3)
    fig = plot_pooling(X[None, None], 3, mode="avg", row=0, col=1)
    assert f"{X[0:3, 3:6].mean().item():.3g}" in fig._suptitle.get_text()


@pytest.mark.parametrize("kwargs, match", [
    ({"x": torch.zeros(2, 3, 4, 4)}, r"shape \(H, W\)"),
    ({"x": X, "mode": "min"}, "'max' or 'avg'"),
    ({"x": X, "kernel_size": 0}, "positive int"),
    ({"x": X, "kernel_size": 7}, "larger than the 6x6 map"),
    ({"x": X, "row": 3}, "outside the 3x3 pooled map"),
])
def test_plot_pooling_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_pooling(**kwargs)


def test_widget_sliders_cover_the_output_and_redraw():
    widget = pooling_widget(X, 2)
    row, col, mode = widget.children[:3]
    assert (row.max, col.max) == (2, 2) and list(mode.options) == ["max", "avg"]
    before = widget.image.value
    col.value = 2
    assert widget.image.value != before and "output cell (0, 2)" in widget.alt
    assert plt.get_fignums() == []                   # drawn into the picture, then closed
