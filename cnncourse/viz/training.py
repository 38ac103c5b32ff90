"""Training visuals: loss and accuracy curves (``plot_history``, the live ``LivePlot``), the
confusion matrix and a prediction gallery; ``note=`` says in titles which data they show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cnncourse.viz._common import (
    BLUE,
    ORANGE,
    VERMILLION,
    image_grid,
    in_kernel,
    plt,
    show_on,
    to_hwc,
    values_panel,
    with_note,
)
from cnncourse.viz.alt import describe

# Okabe-Ito colours (colour-blind safe). Each split: (colour, line style, legend label).
SPLITS = {"train": (BLUE, "-", "train"), "val": (ORANGE, "--", "validation"),
          "test": (VERMILLION, ":", "test")}
RIGHT_COLOR, WRONG_COLOR = BLUE, VERMILLION


def _check_history(history: Any) -> int:
    """Validate a History-like mapping and return its number of epochs."""
    if not isinstance(history, Mapping):
        raise TypeError(f"plot_history: expected a History (a dict of lists from "
                        f"cnncourse.train.fit), got {type(history).__name__}.")
    if "train_loss" not in history:
        raise ValueError(f"plot_history: the history has no 'train_loss'; its keys are "
                         f"{sorted(history)}. Pass the History that fit(...) returned.")
    n = len(history["train_loss"])
    for key, values in history.items():
        if not isinstance(values, Sequence) or len(values) != n:
            size = len(values) if isinstance(values, Sequence) else type(values).__name__
            raise ValueError(f"plot_history: every entry needs one value per epoch; "
                             f"'train_loss' has {n} but '{key}' has {size}.")
    if n == 0:
        raise ValueError("plot_history: the history is empty; train for at least one epoch.")
    return n


def plot_history(history: Mapping[str, Sequence[float]], ax: Any = None,
                 note: str | None = None) -> Any:
    """Plot loss and accuracy per epoch for train, validation and test data. Returns the figure.

    Args:
        history: the ``History`` returned by ``cnncourse.train.fit`` (a dict of lists); every
            split it holds (``train_*``, ``val_*``, ``test_*``) gets a curve.
        ax: two Axes (loss, accuracy) to draw on; default: a new figure.
        note: added to the titles, e.g. ``"stand-in"``; defaults to ``history.note``.
    """
    from matplotlib.ticker import MaxNLocator

    n = _check_history(history)
    note = note if note is not None else getattr(history, "note", None)
    epochs = list(history.get("epoch", range(1, n + 1)))
    if ax is None:
        _, ax = plt().subplots(1, 2, figsize=(10, 3.5))
    elif hasattr(ax, "plot") or not hasattr(ax, "__len__") or len(ax) != 2 \
            or not all(hasattr(a, "plot") for a in ax):
        raise ValueError("plot_history: ax must be two Axes (loss, accuracy), e.g. "
                         "plt.subplots(1, 2)[1], or None for a new figure.")
    marker = "o" if n <= 30 else None
    said = []                                  # first and last value of each curve, in words
    for a, (key, label, word) in zip(ax, [("loss", "Loss (cross-entropy)", "loss"),
                                          ("acc", "Accuracy", "accuracy")]):
        ends = []
        for split, (color, style, name) in SPLITS.items():
            if f"{split}_{key}" in history:
                values = history[f"{split}_{key}"]
                a.plot(epochs, values, color=color, linestyle=style, marker=marker, label=name)
                ends.append(f"{name} {values[0]:.3g} to {values[-1]:.3g}")
        if ends:
            said.append(f"{word} from epoch 1 to {n}: " + ", ".join(ends))
        a.set_title(with_note(f"{label} per epoch", note))
        a.set_xlabel("epoch")
        a.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        a.set_ylabel(label.lower())
        a.legend()
        a.grid(alpha=0.3)
    fig = ax[0].figure
    fig.tight_layout()
    if fig.get_axes() != list(ax):
        return fig                             # panels of the caller's figure: theirs to describe
    return describe(fig, f"{with_note('Training history', note)}: line charts of loss and "
                         f"accuracy per epoch; " + "; ".join(said) + ".")


class LivePlot:
    """A ``fit`` callback that redraws one loss/accuracy figure in place after each epoch.

    In a notebook it updates a single output (no pile of figures). Elsewhere it draws
    nothing: plot the History that ``fit`` returns instead (``history.plot()``).

    Args:
        note: added to the titles, e.g. ``"stand-in"`` (default: the history's own note).

    Example:
        >>> history = fit(model, train_loader, val_data=val_loader, epochs=5,
        ...               callback=LivePlot())
    """

    def __init__(self, note: str | None = None):
        self.note = note
        self._handle: Any = None

    def __call__(self, history: Mapping[str, Sequence[float]]) -> None:
        if not in_kernel():
            return
        from IPython.display import display

        fig = plot_history(history, note=self.note)
        if self._handle is None:
            self._handle = display(fig, display_id=True)
        else:
            self._handle.update(fig)
        plt().close(fig)  # keep it out of the cell's automatic output: shown once, above


def _as_label_tensor(values: Any, name: str, where: str, num_classes: int) -> Any:
    """``values`` as a 1-D long tensor of class indices from 0 to ``num_classes - 1``."""
    import torch

    t = torch.as_tensor(values)
    if t.dim() != 1:
        raise ValueError(f"{where}: {name} must be a 1-D sequence of class indices, got "
                         f"shape {tuple(t.shape)}. For logits use logits.argmax(dim=1).")
    if t.is_floating_point() or t.dtype == torch.bool:
        raise TypeError(f"{where}: {name} must hold integer class indices, got {t.dtype}. "
                        "For logits or probabilities use .argmax(dim=1) first.")
    if t.numel() and (t.min() < 0 or t.max() >= num_classes):
        raise ValueError(f"{where}: {name} has values from {t.min().item()} to "
                         f"{t.max().item()}, but classes run from 0 to {num_classes - 1}.")
    return t.long().cpu()


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int) -> Any:
    """Counts ``(num_classes, num_classes)``: row = true class, column = predicted class."""
    import torch

    t = _as_label_tensor(y_true, "y_true", "confusion_matrix", num_classes)
    p = _as_label_tensor(y_pred, "y_pred", "confusion_matrix", num_classes)
    if t.shape != p.shape:
        raise ValueError(f"confusion_matrix: y_true has {t.numel()} labels but y_pred has "
                         f"{p.numel()}; pass one prediction per example.")
    flat = torch.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


def plot_confusion_matrix(y_true: Any, y_pred: Any, classes: Sequence[str],
                          normalize: bool = True, title: str | None = None,
                          note: str | None = None) -> Any:
    """Heat map of true vs predicted classes, with class names. Returns the Figure.

    Args:
        y_true, y_pred: class indices, ``(N,)`` each.
        classes: the class names, in index order.
        normalize: show each row as fractions of that true class (else raw counts).
        title: replaces the default title.
        note: added to the title, e.g. ``"stand-in"``.
    """
    if isinstance(classes, str) or not isinstance(classes, Sequence) or len(classes) < 2:
        raise ValueError(f"plot_confusion_matrix: classes must be a list of at least 2 class "
                         f"names, got {classes!r}.")
    k = len(classes)
    counts = confusion_matrix(y_true, y_pred, k).double()     # (k, k)
    values = counts / counts.sum(dim=1, keepdim=True).clamp(min=1) if normalize else counts
    size = max(4.0, 0.55 * k + 2)
    fig, ax = plt().subplots(figsize=(size + 1, size))
    fmt = ("{:.2f}" if normalize else "{:.0f}") if k <= 12 else None   # numbers if they fit
    values_panel(ax, values.numpy(), "", fmt, 8, "viridis", 0, 1 if normalize else None)
    fig.colorbar(ax.images[0], ax=ax, fraction=0.046, pad=0.04,
                 label="fraction of the true class" if normalize else "count")
    ax.set_xticks(range(k), labels=list(classes), rotation=45, ha="right")
    ax.set_yticks(range(k), labels=list(classes))
    ax.tick_params(labelsize="medium")
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if title is None:
        title = "Confusion matrix" + (" (rows sum to 1)" if normalize else " (counts)")
    ax.set_title(with_note(title, note))
    fig.tight_layout()
    right = counts.diag().sum().item() / max(counts.sum().item(), 1)
    shown = "fractions of each true class" if normalize else "counts"
    return describe(fig, f"{with_note(title, note)}: a {k}x{k} grid, rows true class, columns "
                         f"predicted class, cells coloured by {shown} (yellow = high); classes "
                         f"{', '.join(map(str, classes))}; the diagonal holds the right "
                         f"answers, {right:.0%} of {int(counts.sum().item())} images. "
                         + _confusion_point(counts, values, classes, normalize))


def _confusion_point(counts: Any, values: Any, classes: Sequence[str], normalize: bool) -> str:
    """What a confusion matrix shows, in numbers: its largest mistakes and the class predicted
    most often (a bright column), for a reader who cannot see the colours."""
    k = len(classes)
    fmt = (lambda v: f"{v:.2f}") if normalize else (lambda v: f"{int(v)}")
    mistakes = values.clone()
    mistakes.fill_diagonal_(0)
    worst = [divmod(i, k) for i in mistakes.flatten().argsort(descending=True)[:3].tolist()
             if mistakes.flatten()[i] > 0]
    cells = "; ".join(f"true {classes[t]} predicted {classes[p]} {fmt(values[t, p].item())}"
                      for t, p in worst)
    text = f"Largest off-diagonal cells: {cells}. " if cells else "No image is misclassified. "
    column = counts.sum(dim=0)                                   # (k,) predictions per class
    most = int(column.argmax())
    share = column[most].item() / max(column.sum().item(), 1)
    true = counts[most].sum().item() / max(counts.sum().item(), 1)
    return (text + f"Most-predicted class (brightest column): {classes[most]}, {share:.0%} of "
                   f"the predictions against {true:.0%} of the true labels.")


def plot_prediction_gallery(images: Any, y_true: Any, y_pred: Any, confidence: Any,
                            classes: Sequence[str], ncols: int = 6, max_images: int = 18,
                            title: str = "Predictions", note: str | None = None) -> Any:
    """Grid of images titled with true label, predicted label and confidence. Returns the figure.

    Args:
        images: ``(N, C, H, W)`` or ``(N, H, W)`` in [0, 1] (use ``Data.denormalize`` first).
        y_true, y_pred: class indices ``(N,)``.
        confidence: the predicted class's probability ``(N,)``, in [0, 1].
        classes: class names in index order.
        note: added to the title, e.g. ``"stand-in"``.
    """
    import torch

    where = "plot_prediction_gallery"
    x = torch.as_tensor(images).detach().cpu().float()
    if x.dim() == 3:
        x = x.unsqueeze(1)                                       # (N, 1, H, W)
    if x.dim() != 4 or x.shape[1] not in (1, 3):
        raise ValueError(f"{where}: images must be (N, C, H, W) with C = 1 or 3, or (N, H, W); "
                         f"got shape {tuple(x.shape)}.")
    t = _as_label_tensor(y_true, "y_true", where, len(classes))
    p = _as_label_tensor(y_pred, "y_pred", where, len(classes))
    c = torch.as_tensor(confidence).detach().cpu().float().reshape(-1)
    sizes = {"images": x.shape[0], "y_true": t.numel(), "y_pred": p.numel(),
             "confidence": c.numel()}
    if len(set(sizes.values())) != 1:
        raise ValueError(f"{where}: every input needs one entry per image, got {sizes}.")
    if x.shape[0] == 0:
        raise ValueError(f"{where}: no images to show (N = 0).")
    if c.min() < 0 or c.max() > 1:
        raise ValueError(f"{where}: confidence must be probabilities in [0, 1]; got values "
                         f"from {c.min():.3g} to {c.max():.3g}. Apply softmax(dim=1) first.")
    n = min(x.shape[0], max_images)
    fig, axes = image_grid(n, ncols, cell=(1.9, 2.5), title=with_note(title, note))
    for i, a in zip(range(n), axes):
        right = t[i] == p[i]
        mark = "✓" if right else "✗"
        show_on(a, to_hwc(x[i].clamp(0, 1), where),
                f"{mark} true: {classes[t[i]]}\npred: {classes[p[i]]} ({c[i]:.0%})", fontsize=8)
        a.title.set_color(RIGHT_COLOR if right else WRONG_COLOR)
    fig.tight_layout()
    shown = "; ".join(f"{'right' if t[i] == p[i] else 'wrong'}: true {classes[t[i]]}, "
                      f"predicted {classes[p[i]]} ({c[i]:.0%})" for i in range(n))
    return describe(fig, f"{with_note(title, note)}: a grid of {n} images, each titled with its "
                         f"true and predicted class and the confidence: {shown}.")
