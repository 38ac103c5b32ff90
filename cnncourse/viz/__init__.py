"""Visualizers: plain matplotlib functions that return their Figure, and widgets that wrap them
(so every visual works without a widget front end). Every figure carries alt text."""

from cnncourse.viz._common import OKABE_ITO  # noqa: F401

# Alt text for every figure and an opaque background (screen readers, dark themes).
from cnncourse.viz.alt import alt_text, describe, describe_figures  # noqa: E402, F401

# Convolution: kernel heatmaps, sliding-window step-through, kernel playground (notebook 03).
from cnncourse.viz.conv import (  # noqa: E402, F401
    conv_step_state,
    conv_stepper,
    kernel_playground,
    plot_conv_frames,
    plot_conv_step,
    plot_kernel,
    plot_kernel_result,
    show_filtered,
)

# Filters, feature maps, saliency, Grad-CAM, gradient norms, receptive fields (notebooks 09-10).
from cnncourse.viz.features import (  # noqa: E402, F401
    overlay_heatmap,
    plot_feature_maps,
    plot_filters,
    plot_grad_cam,
    plot_gradient_norms,
    plot_receptive_field,
    plot_saliency,
)

# Pipeline diagram of the layers (notebook 00).
from cnncourse.viz.pipeline import plot_pipeline  # noqa: E402, F401

# Pixels, RGB channels and the sample photo that ships with matplotlib (notebook 01 on).
from cnncourse.viz.pixels import (  # noqa: E402, F401
    plot_channel_histograms,
    plot_image_grid,
    plot_pixel_grid,
    plot_rgb_channels,
    sample_photo,
    sample_photo_tensor,
    show_image,
)

# Pooling window view and its widget (notebook 04).
from cnncourse.viz.pooling import plot_pooling, pool_map, pooling_widget  # noqa: E402, F401

# Tables that render as tables (HTML with header cells) and print as lined-up text.
from cnncourse.viz.table import Table  # noqa: E402, F401

# Training curves, confusion matrix and prediction gallery (no heavy imports at module level).
from cnncourse.viz.training import (  # noqa: E402, F401
    LivePlot,
    confusion_matrix,
    plot_confusion_matrix,
    plot_history,
    plot_prediction_gallery,
)

# The shared widget look (the quizzes use it too).
from cnncourse.viz.widgets import WIDGET_STYLE, widget_box  # noqa: E402, F401
