"""The layer pipeline of a CNN, drawn as labelled boxes with the tensor shape between them."""

from __future__ import annotations

from typing import Any

from cnncourse.viz._common import plt
from cnncourse.viz.alt import describe

# (layer, what it does, output shape for the course's SimpleCNN on one 32x32 RGB image)
SIMPLE_CNN_STAGES: tuple[tuple[str, str, str], ...] = (
    ("Input image", "pixels as numbers", "3x32x32"),
    ("Convolution", "small filters scan patches", "16x32x32"),
    ("Activation (ReLU)", "adds non-linearity", "16x32x32"),
    ("Pooling", "keeps the strongest signal", "16x16x16"),
    ("Conv + ReLU + Pool", "repeat: bigger patterns", "32x8x8"),
    ("Flatten", "2D maps to one long list", "2048"),
    ("Fully connected", "combines features", "128 -> 10"),
    ("Output", "one score (logit) per class", "10"),
)


def plot_pipeline() -> Any:
    """Draw SimpleCNN's stages (name, role, output shape) top to bottom; returns the Figure."""
    stages, title = SIMPLE_CNN_STAGES, "The CNN layer pipeline (SimpleCNN on a 32x32 RGB image)"
    pyplot = plt()
    colors = pyplot.get_cmap("cividis")
    fig, ax = pyplot.subplots(figsize=(7, 0.75 * len(stages) + 0.6))
    n = len(stages)
    for i, (name, role, shape) in enumerate(stages):
        y = n - 1 - i
        shade = 0.15 + 0.7 * i / n
        ax.add_patch(pyplot.Rectangle((0.05, y + 0.15), 0.5, 0.7, color=colors(shade)))
        ax.text(0.30, y + 0.5, name, ha="center", va="center", weight="bold",
                color="white" if shade < 0.5 else "black")
        ax.text(0.60, y + 0.5, f"{role}\nshape: {shape}", va="center", fontsize=9)
        if i < n - 1:
            ax.annotate("", xy=(0.30, y - 0.15), xytext=(0.30, y + 0.15),
                        arrowprops={"arrowstyle": "->", "color": "black"})
    ax.set_xlim(0, 1.05)
    ax.set_ylim(-0.1, n)
    ax.set_title(title)
    ax.set_xlabel("each box transforms the tensor; shapes are (channels x height x width)")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    fig.tight_layout()
    steps = "; ".join(f"{name} ({role}, shape {shape})" for name, role, shape in stages)
    return describe(fig, f"{title}: a diagram of {n} boxes joined by arrows, top to bottom: "
                         f"{steps}.")
