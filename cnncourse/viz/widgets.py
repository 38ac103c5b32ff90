"""The one look every cnncourse widget shares (sliders, playgrounds, pooling view, quizzes).

Each widget is a ``VBox`` made by :func:`widget_box`: it carries the CSS classes
``cnncourse-widget`` and ``cnncourse-<kind>`` (the browser tests find widgets by them) and the
same width and spacing. Controls take ``style=WIDGET_STYLE`` so their whole label shows
("output row", not "output…"). Only widgets and options that exist in ipywidgets 7 (Colab)
and 8 are used. ipywidgets is imported inside the functions, so importing this is cheap.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

# Pass as ``style=`` to sliders, dropdowns and text boxes: the description is never cut off.
WIDGET_STYLE: dict[str, str] = {"description_width": "initial"}
# The box around a widget: as wide as the notebook allows, a little space between controls.
WIDGET_LAYOUT: dict[str, str] = {"width": "auto", "max_width": "100%", "grid_gap": "4px"}
WIDGET_CLASS = "cnncourse-widget"


def style_box(box: Any, kind: str) -> Any:
    """Give an existing ipywidgets box (e.g. from ``interactive``) the shared look; return it."""
    box.add_class(WIDGET_CLASS)
    box.add_class(f"cnncourse-{kind}")
    for key, value in WIDGET_LAYOUT.items():
        setattr(box.layout, key, value)
    return box


def widget_box(children: Sequence[Any], kind: str) -> Any:
    """A ``VBox`` of ``children`` with the shared look and the CSS class ``cnncourse-<kind>``.

    Example:
        >>> box = widget_box([slider, picture], "stepper")   # class "cnncourse-stepper"
    """
    import ipywidgets as w

    return style_box(w.VBox(list(children)), kind)


def figure_png(fig: Any, dpi: int = 80) -> bytes:
    """Render a Figure to PNG bytes and close it (used to feed ``ipywidgets.Image``)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()
