"""Training visualizers draw what they are given and reject bad input with a clear error."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from cnncourse.train import History  # noqa: E402
from cnncourse.viz import (  # noqa: E402
    LivePlot,
    confusion_matrix,
    plot_confusion_matrix,
    plot_history,
    plot_prediction_gallery,
)

CLASSES = ["cat", "dog", "car"]


def history(n=3, test=True, val=False):
    h = History(epoch=list(range(1, n + 1)), train_loss=[1.0 / (i + 1) for i in range(n)],
                train_acc=[0.3 + 0.1 * i for i in range(n)])
    if val:
        h.update(val_loss=[1.2 / (i + 1) for i in range(n)],
                 val_acc=[0.2 + 0.1 * i for i in range(n)])
    if test:
        h.update(test_loss=[1.1 / (i + 1) for i in range(n)],
                 test_acc=[0.25 + 0.1 * i for i in range(n)])
    return h


def teardown_function():
    plt.close("all")


def test_plot_history_draws_train_and_test_curves():
    fig = plot_history(history())
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["train", "test"]
    assert list(acc_ax.lines[0].get_ydata()) == pytest.approx([0.3, 0.4, 0.5])
    assert loss_ax.get_xlabel() == "epoch" and loss_ax.get_title()


def test_plot_history_draws_validation_curves_and_the_note():
    fig = plot_history(history(test=False, val=True), note="stand-in")
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in acc_ax.lines] == ["train", "validation"]
    assert list(acc_ax.lines[1].get_ydata()) == pytest.approx([0.2, 0.3, 0.4])
    assert loss_ax.get_title().endswith("(stand-in)") and "(stand-in)" in acc_ax.get_title()
    h = history(test=False, val=True)
    h.note = "stand-in"                              # fit(..., note="stand-in") sets it
    assert h.plot().axes[1].get_title() == "Accuracy per epoch (stand-in)"
    assert plot_history(history()).axes[1].get_title() == "Accuracy per epoch"


def test_history_plot_method_uses_the_same_function():
    fig = history(test=False).plot()
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 1


def test_plot_history_draws_on_two_given_axes():
    fig, axes = plt.subplots(1, 3)
    assert plot_history(history(), ax=axes[:2]) is fig
    assert len(axes[0].lines) == 2 and "Loss" in axes[0].get_title() and not axes[2].lines
    with pytest.raises(ValueError, match="two Axes"):
        plot_history(history(), ax=axes[0])


@pytest.mark.parametrize("bad, match", [
    ([1, 2, 3], "expected a History"),
    ({"loss": [1.0]}, "no 'train_loss'"),
    ({"train_loss": [1.0, 0.5], "train_acc": [0.5]}, "'train_loss' has 2 but 'train_acc' has 1"),
    ({"train_loss": []}, "empty"),
])
def test_plot_history_bad_input(bad, match):
    with pytest.raises((TypeError, ValueError), match=match):
        plot_history(bad)


def test_live_plot_outside_a_notebook_draws_nothing():
    LivePlot()(history())
    assert plt.get_fignums() == []


def test_live_plot_updates_one_display(monkeypatch):
    shown = []

    class Handle:
        def update(self, fig):
            shown.append(("update", fig))

    def fake_display(fig, display_id=False):
        shown.append(("display", fig))
        return Handle()

    import IPython.display

    from cnncourse.viz import training
    monkeypatch.setattr(IPython.display, "display", fake_display)
    monkeypatch.setattr(training, "in_kernel", lambda: True)
    live = LivePlot(note="stand-in")
    live(history(1))
    live(history(2, val=True))
    assert [kind for kind, _ in shown] == ["display", "update"]   # one output, redrawn
    assert len(shown[1][1].axes[0].lines[0].get_xdata()) == 2
    assert shown[1][1].axes[0].get_title() == "Loss (cross-entropy) per epoch (stand-in)"
    assert plt.get_fignums() == []      # closed: not shown again as the cell's own output


def test_confusion_matrix_counts_match_a_hand_count():
    y_true = torch.tensor([0, 0, 1, 2, 2, 2])
    y_pred = torch.tensor([0, 1, 1, 2, 0, 2])
    cm = confusion_matrix(y_true, y_pred, 3)
    expected = torch.tensor([[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert torch.equal(cm, expected)
    fig = plot_confusion_matrix(y_true, y_pred, CLASSES)
    assert isinstance(fig, plt.Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == CLASSES
    assert ax.images[0].get_array()[2, 2] == pytest.approx(2 / 3)
    assert ax.get_title() == "Confusion matrix (rows sum to 1)"
    fig = plot_confusion_matrix(y_true, y_pred, CLASSES, normalize=False, title="Mine",
                                note="stand-in")
    assert fig.axes[0].get_title() == "Mine (stand-in)"
    assert fig.axes[0].images[0].get_array()[2, 2] == 2
    assert [t.get_text() for t in fig.axes[0].texts] == ["1", "1", "0", "0", "1", "0", "1", "0",
                                                         "2"]


@pytest.mark.parametrize("y_true, y_pred, classes, match", [
    ([0, 1, 2], [0, 1], CLASSES, "3 labels but y_pred has 2"),
    ([0, 1, 5], [0, 1, 2], CLASSES, "classes run from 0 to 2"),
    ([0.0, 1.0], [0, 1], CLASSES, "integer class indices"),
    ([[0, 1]], [[0, 1]], CLASSES, "1-D"),
    ([0, 1], [0, 1], "cat", "list of at least 2 class names"),
])
def test_confusion_matrix_bad_input(y_true, y_pred, classes, match):
    with pytest.raises((TypeError, ValueError), match=match):
        plot_confusion_matrix(y_true, y_pred, classes)


def test_prediction_gallery_titles_show_true_pred_and_confidence():
    images = torch.rand(4, 3, 8, 8)
    fig = plot_prediction_gallery(images, [0, 1, 2, 0], [0, 2, 2, 1], [0.9, 0.55, 0.7, 0.4],
                                  CLASSES, ncols=2)
    titles = [a.get_title() for a in fig.axes]
    assert titles[1] == "✗ true: dog\npred: car (55%)"
    assert titles[0].startswith("✓ true: cat")
    assert fig.axes[0].title.get_color() != fig.axes[1].title.get_color()  # right vs wrong
    assert fig._suptitle.get_text() == "Predictions"
    noted = plot_prediction_gallery(images, [0, 1, 2, 0], [0, 2, 2, 1], [0.9] * 4, CLASSES,
                                    note="stand-in")
    assert noted._suptitle.get_text() == "Predictions (stand-in)"
    fig = plot_prediction_gallery(torch.rand(2, 8, 8), [0, 1], [0, 1], [1.0, 1.0], CLASSES)
    assert fig.axes[0].images[0].get_cmap().name == "gray"


@pytest.mark.parametrize("images, conf, match", [
    (torch.rand(4, 5, 8, 8), [0.5] * 4, "C = 1 or 3"),
    (torch.rand(3, 3, 8, 8), [0.5] * 4, "one entry per image"),
    (torch.rand(4, 3, 8, 8), [2.0, -1.0, 3.0, 0.5], "Apply softmax"),
    (torch.rand(4, 3, 8, 8), [0.5] * 4, "classes run from 0 to 2"),
])
def test_prediction_gallery_bad_input(images, conf, match):
    y_pred = [0, 1, 3, 0] if match.startswith("classes") else [0, 1, 2, 0]
    with pytest.raises(ValueError, match=match):
        plot_prediction_gallery(images, [0, 1, 2, 0], y_pred, conf, CLASSES)


def test_plot_history_names_what_ax_must_be_for_a_figure_or_a_grid():
    import matplotlib.pyplot as plt

    fig, grid = plt.subplots(2, 2)
    for wrong_ax in (fig, grid, plt.gca()):
        with pytest.raises(ValueError, match="ax must be two Axes"):
            plot_history(history(), ax=wrong_ax)
