"""Pixel and convolution visualizers: the photo, plain figures, and widgets that redraw."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from cnncourse.conv import kernel  # noqa: E402
from cnncourse.viz import conv as vconv  # noqa: E402
from cnncourse.viz import pixels  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _titles(fig):
    return [ax.get_title() for ax in fig.axes] + [fig._suptitle.get_text() if fig._suptitle else ""]


def test_sample_photo_ships_with_matplotlib_and_resizes():
    photo = pixels.sample_photo()
    assert photo.dtype == np.uint8 and photo.ndim == 3 and photo.shape[2] == 3
    assert photo.shape[:2] == (600, 512)              # Grace Hopper, no download needed
    assert pixels.sample_photo(64).shape == (64, 64, 3)
    assert pixels.sample_photo((30, 40), gray=True).shape == (30, 40)
    t = pixels.sample_photo_tensor(32)
    assert t.shape == (3, 32, 32) and t.dtype == torch.float32
    assert 0 <= t.min() and t.max() <= 1 and t.std() > 0.05
    assert pixels.sample_photo_tensor(16, gray=True).shape == (1, 16, 16)
    with pytest.raises(ValueError, match="size must be None"):
        pixels.sample_photo(size=-3)


def test_to_hwc_accepts_layouts_and_explains_bad_shapes():
    chw = torch.rand(3, 5, 7)
    assert pixels.to_hwc(chw).shape == (5, 7, 3)
    assert pixels.to_hwc(np.zeros((5, 7, 3))).shape == (5, 7, 3)
    assert pixels.to_hwc(torch.rand(1, 5, 7)).shape == (5, 7)
    with pytest.raises(ValueError, match=r"For a batch \(N, C, H, W\)"):
        pixels.to_hwc(torch.rand(4, 3, 5, 7))


def test_pixel_grid_prints_the_crop_values():
    img = np.arange(100, dtype=np.uint8).reshape(10, 10)
    fig = pixels.plot_pixel_grid(img, top=2, left=3, size=4)
    grid_ax = fig.axes[1]
    texts = [t.get_text() for t in grid_ax.texts]
    assert len(texts) == 16
    assert texts[0] == str(img[2, 3]) and texts[-1] == str(img[5, 6])
    assert grid_ax.get_xlabel() and grid_ax.get_ylabel() and grid_ax.get_title()
    with pytest.raises(ValueError, match="does not fit"):
        pixels.plot_pixel_grid(img, top=8, size=4)


def test_rgb_channels_shows_each_channel_in_gray():
    img = np.zeros((4, 4, 3), np.uint8)
    img[..., 0] = 200
    fig = pixels.plot_rgb_channels(img)
    images = [ax.images[0] for ax in fig.axes]
    assert len(images) == 4
    assert images[1].get_cmap().name == "gray"
    assert images[1].get_array().max() == 200 and images[2].get_array().max() == 0
    assert "red channel" in fig.axes[1].get_title()
    with pytest.raises(ValueError, match="3 channels"):
        pixels.plot_rgb_channels(img[..., 0])


def test_image_grid_and_histograms_are_labelled():
    fig = pixels.plot_image_grid(torch.rand(5, 1, 8, 8), labels=[0, 1, 2, 1, 0],
                                 classes=["a", "b", "c"], ncols=3)
    assert [ax.get_title() for ax in fig.axes[:5]] == ["a", "b", "c", "b", "a"]
    fig = pixels.plot_channel_histograms(torch.rand(2, 3, 8, 8))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "value" and ax.get_ylabel() and ax.get_title()
    assert len(ax.get_legend().get_texts()) == 3


def test_plot_kernel_annotates_every_weight():
    fig = vconv.plot_kernel(kernel("sobel_x"))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["-1", "0", "1", "-2", "0", "2", "-1", "0", "1"]
    assert ax.images[0].get_cmap().name == "cividis"


def test_conv_step_state_matches_f_conv2d():
    x = torch.randn(6, 7)
    k = torch.randn(3, 3)
    ref = F.conv2d(F.pad(x, (1, 1, 1, 1))[None, None], k[None, None], stride=2)[0, 0]
    last = vconv.conv_step_state(x, k, step=ref.numel() - 1, padding=1, stride=2)
    np.testing.assert_allclose(last["partial"], ref.numpy(), atol=1e-5)
    s = vconv.conv_step_state(x, k, step=4, padding=1, stride=2)
    assert (s["row"], s["col"]) == divmod(4, ref.shape[1])
    assert s["window"] == (s["row"] * 2, s["col"] * 2)
    assert s["value"] == pytest.approx(ref[s["row"], s["col"]].item(), abs=1e-5)
    assert np.isnan(s["partial"]).sum() == ref.numel() - 5       # 5 cells filled so far
    with pytest.raises(ValueError, match="step must be an int from 0"):
        vconv.conv_step_state(x, k, step=ref.numel(), padding=1, stride=2)


def test_static_frames_and_single_step_figures():
    x, k = torch.rand(5, 5), kernel("blur")
    fig = vconv.plot_conv_frames(x, k)
    assert len(fig.axes) == 3 * 4                       # first, second, middle, last
    assert "step 1/9" in fig.axes[0].get_title()
    assert len(fig.axes[0].texts) == 25 and fig.axes[2].texts[0].get_text() != ""
    fig = vconv.plot_conv_step(x, k, step=3, padding=1)
    assert "step 4 of 25" in fig._suptitle.get_text()
    assert all(ax.get_title() for ax in fig.axes)


def test_stepper_slider_moves_window_and_fills_output():
    box = vconv.conv_stepper(torch.rand(5, 5), kernel("sobel_x"))
    assert (box.slider.min, box.slider.max) == (1, 9)    # counts steps from 1, like the caption
    first_png, first = box.image.value, box.state
    assert first["window"] == (0, 0) and (~np.isnan(first["partial"])).sum() == 1
    box.slider.value = 6
    assert box.state["window"] == (1, 2)
    assert (~np.isnan(box.state["partial"])).sum() == 6
    assert box.image.value != first_png and box.image.value[:4] == b"\x89PNG"
    assert "Step 6 of 9" in box.caption.value


def test_playground_dropdown_and_custom_cells_change_the_result():
    photo = pixels.sample_photo_tensor(32, gray=True)[0]
    box = vconv.kernel_playground(photo)
    assert "cnncourse-playground" in box._dom_classes
    assert box.dropdown.value == "edge"
    assert [c.value for c in box.cells] == [-1, -1, -1, -1, 8, -1, -1, -1, -1]
    edge_png, edge = box.image.value, box.result.clone()
    box.dropdown.value = "blur"
    assert box.image.value != edge_png
    torch.testing.assert_close(box.kernel(), torch.full((3, 3), 0.1111), atol=1e-4, rtol=0)
    blurred = F.conv2d(photo[None, None], torch.full((1, 1, 3, 3), 0.1111), padding=1)[0, 0]
    torch.testing.assert_close(box.result, blurred, atol=1e-3, rtol=0)
    assert not torch.allclose(box.result, edge)
    box.dropdown.value = "identity"
    box.cells[4].value = 2.0                            # edit one number: becomes custom
    assert box.dropdown.value == "custom"
    torch.testing.assert_close(box.result, 2 * photo, atol=1e-5, rtol=0)


def test_kernel_result_and_filtered_grid():
    photo = pixels.sample_photo_tensor(24, gray=True)[0]
    fig = vconv.plot_kernel_result(photo, kernel("sobel_y"), title="Sobel y")
    assert fig.result.shape == (24, 24)
    assert fig._suptitle.get_text() == "Sobel y"
    fig = vconv.show_filtered(photo, {"edge": kernel("edge"), "blur": kernel("blur")})
    assert [ax.get_title() for ax in fig.axes[:3]] == ["original", "edge", "blur"]
    with pytest.raises(ValueError, match="2-D"):
        vconv.plot_kernel_result(torch.rand(2, 3, 8, 8), kernel("blur"))
