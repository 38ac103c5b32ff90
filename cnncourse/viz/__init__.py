"""Visualizers: plain matplotlib functions, plus widgets that wrap them.

Every widget calls a plain plotting function that also works on its own, so each visual
works without a widget front end. Images use ``gray``; everything else ``viridis``/``cividis``.
"""

# Filters, feature maps, saliency, Grad-CAM, gradient norms, receptive fields (notebooks 08-09).
from cnncourse.viz.features import (  # noqa: E402, F401
    plot_feature_maps,
    plot_filters,
    plot_grad_cam,
    plot_gradient_norms,
    plot_receptive_field,
    plot_saliency,
)

# Training curves, confusion matrix and prediction gallery (no heavy imports at module level).
from cnncourse.viz.training import (  # noqa: E402, F401
    LivePlot,
    confusion_matrix,
    plot_confusion_matrix,
    plot_history,
    plot_prediction_gallery,
)
