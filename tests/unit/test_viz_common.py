"""What all visuals share: one palette, one image converter, one grid, one widget look."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from cnncourse import viz  # noqa: E402
from cnncourse.viz import _common, features, pixels, widgets  # noqa: E402


def teardown_function():
    plt.close("all")


def test_one_palette_everywhere():
    assert features.OKABE_ITO is pixels.OKABE_ITO is viz.OKABE_ITO is _common.OKABE_ITO
    assert len(set(_common.OKABE_ITO)) == 8


def test_to_hwc_moves_channels_last_and_rescales_on_request():
    chw = torch.arange(2 * 3 * 4, dtype=torch.float32).reshape(3, 2, 4)   # (C, H, W)
    hwc = _common.to_hwc(chw)
    assert hwc.shape == (2, 4, 3) and hwc[1, 2, 0] == chw[0, 1, 2]
    assert _common.to_hwc(np.zeros((1, 5, 6), np.uint8)).dtype == np.uint8
    scaled = _common.to_hwc(chw - 5, rescale=True)                 # values outside [0, 1]
    assert scaled.min() == 0 and scaled.max() == pytest.approx(1)
    in_range = torch.rand(3, 4, 4)
    np.testing.assert_allclose(_common.to_hwc(in_range, rescale=True),
                               in_range.permute(1, 2, 0).numpy())  # already in [0, 1]: kept
    assert _common.to_hwc(np.full((4, 4), 255, np.uint8), rescale=True).max() == 1.0
    with pytest.raises(ValueError, match=r"pass one image, e.g. X\[0\]"):
        _common.to_hwc(torch.zeros(2, 3, 4, 4), "show")


def test_as_2d_drops_leading_ones_and_explains_the_rest():
    assert _common.as_2d(np.ones((1, 1, 3, 5)), "f").shape == (3, 5)
    with pytest.raises(ValueError, match=r"f: expected a kernel as a 2-D array of shape \(H, W\)"):
        _common.as_2d(torch.zeros(2, 3, 3), "f", "a kernel")


def test_image_grid_has_one_axes_per_cell_all_off():
    fig, axes = _common.image_grid(5, ncols=3, cell=(1.0, 2.0), title="T")
    assert len(axes) == 6 and not any(ax.axison for ax in axes)
    assert tuple(fig.get_size_inches()) == pytest.approx((3.0, 4.4))
    assert fig._suptitle.get_text() == "T"
    with pytest.raises(ValueError, match="at least one image"):
        _common.image_grid(0, 3)


def test_overlay_heatmap_is_public():
    image, heat = torch.rand(3, 8, 8), torch.rand(8, 8)
    _, ax = plt.subplots()
    layer = viz.overlay_heatmap(ax, image, heat, 0.4, "cat")
    assert ax.get_title() == "cat" and layer.get_alpha() == 0.4
    np.testing.assert_allclose(layer.get_array(), heat.numpy())
    assert ax.images[0].get_cmap().name == "gray"          # the photo in gray under the heat
    with pytest.raises(ValueError, match="upsample=True"):
        viz.overlay_heatmap(ax, image, torch.rand(4, 4))


@pytest.mark.parametrize("make, kind", [
    (lambda: viz.conv_stepper(torch.rand(4, 4), torch.ones(3, 3)), "stepper"),
    (lambda: viz.kernel_playground(torch.rand(16, 16)), "playground"),
    (lambda: viz.pooling_widget(torch.rand(4, 4)), "pooling"),
    (lambda: widgets.widget_box([], "quiz"), "quiz"),
])
def test_every_widget_has_the_one_look(make, kind):
    import ipywidgets as w

    box = make()
    assert {widgets.WIDGET_CLASS, f"cnncourse-{kind}"} <= set(box._dom_classes)
    assert box.layout.max_width == widgets.WIDGET_LAYOUT["max_width"]
    controls = [c for c in box.children if isinstance(c, (w.IntSlider, w.Dropdown))]
    controls += [c for row in box.children if isinstance(row, w.HBox) for c in row.children
                 if isinstance(c, w.Dropdown)]
    assert all(c.style.description_width == "initial" for c in controls)
    assert controls or kind == "quiz"


def test_show_figure_draws_into_the_picture_closes_and_keeps_the_alt_text():
    box = widgets.widget_box([], "stepper", picture=True)
    fig, ax = plt.subplots()
    ax.set_title("a sine")
    widgets.show_figure(box, fig)
    assert box.image.value[:4] == b"\x89PNG" and not plt.fignum_exists(fig.number)
    assert "a sine" in box.alt


def test_values_panel_prints_each_number_in_a_colour_that_reads():
    _, ax = plt.subplots()
    _common.values_panel(ax, np.array([[0.0, 1.0], [np.nan, 0.5]]), "t", "{:.1f}", cmap="gray")
    assert [t.get_text() for t in ax.texts] == ["0.0", "1.0", "0.5"]   # NaN: not yet computed
    assert [t.get_color() for t in ax.texts[:2]] == ["white", "black"]  # on black, on white


def test_values_panel_prints_no_numbers_on_a_grid_too_fine_to_read():
    """plot_pooling(torch.randn(150, 128), ...) would have drawn 19,200 overlapping labels."""
    _, ax = plt.subplots()
    _common.values_panel(ax, np.zeros((12, 12)), "t")
    assert len(ax.texts) == 144 and len(ax.get_xticks()) == 12
    _, ax = plt.subplots()
    _common.values_panel(ax, np.zeros((30, 13)), "t")
    assert len(ax.texts) == 0 and list(ax.get_yticks()) == [0, 5, 10, 15, 20, 25]
