"""Every figure says what it shows (alt text) and sits on an opaque white background.

The unit tests check the descriptions; the kernel test runs real notebook cells (nbclient,
the setup cell's ``describe_figures``) and reads the outputs a front end receives.
"""

import base64
import html
import io
import os
import re

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
import torch

from cnncourse import viz
from cnncourse.viz import alt


def _png_alpha(data: str) -> np.ndarray:
    """The alpha channel of a base64 PNG (all ones when the picture is opaque)."""
    import matplotlib.image as mpimg

    pixels = mpimg.imread(io.BytesIO(base64.b64decode(data)), format="png")
    return pixels[..., 3] if pixels.shape[-1] == 4 else np.ones(pixels.shape[:2])


def test_describe_keeps_the_sentence_and_makes_the_background_opaque():
    fig, ax = plt.subplots()
    fig.patch.set_alpha(0.0)                       # what older matplotlib-inline did
    assert alt.describe(fig, "  A line  going up ") is fig
    assert alt.alt_text(fig) == "A line going up"
    assert fig.patch.get_alpha() == 1.0
    data, metadata = alt.figure_bundle(fig)
    assert _png_alpha(data["image/png"]).min() == 1.0
    assert 'alt="A line going up"' in data["text/html"]
    assert metadata["image/png"]["alt"] == "A line going up"
    plt.close(fig)


@pytest.mark.parametrize("bad", ["", "   ", None, 3])
def test_describe_refuses_an_empty_description(bad):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="non-empty sentence"):
        alt.describe(fig, bad)
    with pytest.raises(TypeError, match="matplotlib Figure"):
        alt.describe("not a figure", "text")
    plt.close(fig)


def test_auto_alt_reads_titles_axis_labels_and_legend():
    fig, (a, b) = plt.subplots(1, 2)
    a.plot([0, 1, 2], [0, 1, 4], label="train")
    a.plot([0, 1, 2], [0, 2, 3], label="validation")
    a.set(title="Loss per epoch", xlabel="epoch", ylabel="loss")
    a.legend()
    b.imshow(np.zeros((4, 4)))
    b.set_title("a <picture> & \"quotes\"")
    fig.suptitle("Two runs")
    text = alt.alt_text(fig)
    assert text.startswith("Figure 'Two runs': 2 panels:"), text
    assert "line chart titled 'Loss per epoch' (x axis 'epoch', y axis 'loss')" in text
    assert "series: train, validation" in text and "image titled 'a <picture>" in text
    html = alt.png_bundle(b"PNG", text)[0]["text/html"]
    assert "&lt;picture&gt; &amp; &quot;quotes&quot;" in html     # escaped inside alt="..."
    plt.close(fig)


def test_auto_alt_summarises_an_image_grid_and_caps_the_length():
    fig, axes = plt.subplots(3, 4)
    for i, ax in enumerate(axes.flat):
        ax.imshow(np.zeros((2, 2)))
        ax.set_title(f"class {i} " + "x" * 60)
    text = alt.alt_text(fig)
    assert text.startswith("Figure: a grid of 12 images titled: class 0"), text
    assert len(text) <= alt.MAX_ALT and text.endswith("…")
    plt.close(fig)


def test_course_plots_describe_their_content():
    cm = viz.plot_confusion_matrix(torch.tensor([0, 1, 1, 2]), torch.tensor([0, 1, 2, 2]),
                                   ["cat", "dog", "frog"], note="stand-in")
    text = alt.alt_text(cm)
    assert text.startswith("Confusion matrix (rows sum to 1) (stand-in): a 3x3 grid, rows true "
                           "class, columns predicted class"), text
    assert "cat, dog, frog" in text and "75% of 4 images" in text
    history = {"train_loss": [2.0, 1.0], "val_loss": [2.1, 1.5],
               "train_acc": [0.3, 0.6], "val_acc": [0.25, 0.5]}
    text = alt.alt_text(viz.plot_history(history))
    assert "loss from epoch 1 to 2: train 2 to 1, validation 2.1 to 1.5" in text, text
    assert "accuracy from epoch 1 to 2: train 0.3 to 0.6" in text
    kernel = viz.plot_kernel(torch.tensor([[-1.0, 0.0, 1.0]] * 3), title="Sobel")
    assert alt.alt_text(kernel) == ("Sobel: a 3x3 kernel as a grid of numbers, row by row: "
                                    "[-1, 0, 1], [-1, 0, 1], [-1, 0, 1].")
    grid = viz.plot_image_grid(torch.rand(3, 3, 8, 8), [0, 2, 1], ["a", "b", "c"], title="Batch")
    assert alt.alt_text(grid) == "Batch: a grid of 3 images, labelled in reading order: a, c, b."
    for fig in (cm, kernel, grid):
        assert fig.patch.get_alpha() in (None, 1.0)
    plt.close("all")


def test_every_course_plot_has_its_own_description():
    # Each plotting function writes its own sentence: none falls back to the automatic one.
    image, x = torch.rand(3, 16, 16), torch.rand(6, 6)
    figures = [
        viz.show_image(image), viz.plot_pixel_grid(x, size=4), viz.plot_rgb_channels(image),
        viz.plot_channel_histograms(image), viz.plot_pipeline(),
        viz.plot_conv_step(x, torch.ones(3, 3)), viz.plot_conv_frames(x, torch.ones(3, 3)),
        viz.plot_kernel_result(x, torch.ones(3, 3)), viz.show_filtered(x, {"blur": torch.ones(3, 3)}),
        viz.plot_filters(torch.rand(4, 3, 3, 3)), viz.plot_feature_maps(torch.rand(4, 5, 5)),
        viz.plot_saliency(image, torch.rand(16, 16)), viz.plot_grad_cam(image, torch.rand(16, 16)),
        viz.plot_gradient_norms({"a": 1.0, "b": 0.1}), viz.plot_pooling(x),
        viz.plot_prediction_gallery(torch.rand(2, 3, 8, 8), [0, 1], [0, 0], [0.9, 0.6], ["a", "b"]),
    ]
    for fig in figures:
        given = getattr(fig, alt.ALT_ATTRIBUTE, None)
        assert given and not given.startswith("Figure"), (fig, given)
    plt.close("all")


def test_widget_static_forms_are_described(monkeypatch):
    monkeypatch.setenv("CNNCOURSE_WIDGETS", "0")             # as on the course website
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display",
                        lambda data, metadata=None, raw=False: shown.append((data, metadata)))
    box = viz.conv_stepper(torch.rand(5, 5), torch.ones(3, 3))
    assert box.alt.startswith("Convolution step 1 of"), box.alt
    box._ipython_display_()
    data, metadata = shown[-1]
    assert f'alt="{html.escape(box.alt)}"' in data["text/html"] and metadata["image/png"]["alt"] == box.alt
    viz.pooling_widget(torch.rand(4, 4))._ipython_display_()
    assert 'alt="max pooling, output cell (0, 0) keeps the largest value' in shown[-1][0]["text/html"]


def test_notebook_figures_reach_the_front_end_with_alt_text(tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in [
        "%matplotlib inline\nimport cnncourse as cc\ncc.viz.describe_figures()",
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nfig.patch.set_alpha(0)\n"
        "ax.plot([1, 2, 3])\nax.set_title('Rising line')",
        "cc.viz.plot_kernel([[0, 1], [1, 0]], title='Swap');",
        "fig = cc.viz.plot_kernel([[0, 1], [1, 0]], title='Assigned')",
    ]]
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute(
        env=dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline"))
    assert nb.cells[0].outputs == [], nb.cells[0].outputs     # the setup line prints nothing
    expected = ["Figure: line chart titled 'Rising line'", "Swap: a 2x2 kernel",
                "Assigned: a 2x2 kernel"]
    for cell, start in zip(nb.cells[1:], expected):
        shown = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(shown) == 1, cell.outputs                  # once, not twice
        out = shown[0]
        found = re.search(r'alt="([^"]*)"', out.data["text/html"])
        assert found and html.unescape(found.group(1)).startswith(start), found
        assert out.metadata["image/png"]["alt"].startswith(start)
        assert _png_alpha(out.data["image/png"]).min() == 1.0, "transparent figure background"


def test_charts_that_make_a_point_say_it_with_their_numbers():
    """The figures whose lesson text draws a conclusion carry that conclusion's numbers."""
    # Confusion matrix: 4 dogs, 3 called cat; cat is predicted for 6 of 9 images.
    y_true = torch.tensor([0, 0, 1, 1, 1, 1, 2, 2, 2])
    y_pred = torch.tensor([0, 0, 0, 0, 0, 1, 2, 2, 0])
    text = alt.alt_text(viz.plot_confusion_matrix(y_true, y_pred, ["cat", "dog", "frog"]))
    assert "Largest off-diagonal cells: true dog predicted cat 0.75; true frog predicted cat " \
           "0.33." in text, text
    assert "Most-predicted class (brightest column): cat, 67% of the predictions against 22% " \
           "of the true labels." in text, text
    counts = alt.alt_text(viz.plot_confusion_matrix(y_true, y_pred, ["cat", "dog", "frog"],
                                                    normalize=False))
    assert "true dog predicted cat 3;" in counts, counts
    # Filters: smooth (trained-looking) vs random weights differ in neighbour correlation.
    ramp = torch.linspace(-1, 1, 5).repeat(8, 3, 5, 1)           # (8, 3, 5, 5), smooth rows
    smooth = alt.alt_text(viz.plot_filters(ramp + 0.01 * torch.randn_like(ramp)))
    noisy = alt.alt_text(viz.plot_filters(torch.randn(8, 3, 5, 5)))
    corr = [float(re.search(r"correlate ([+-]\d\.\d\d)", t).group(1)) for t in (smooth, noisy)]
    assert corr[0] > 0.9 and abs(corr[1]) < 0.3, (smooth, noisy)
    assert "standard deviation" in noisy
    # Pixel grid: every value of the crop, row by row.
    x = torch.arange(64, dtype=torch.uint8).reshape(8, 8) * 3
    grid = alt.alt_text(viz.plot_pixel_grid(x, top=1, left=2, size=3))
    assert "row 1: 30 33 36; row 2: 54 57 60; row 3: 78 81 84." in grid, grid
    plt.close("all")
