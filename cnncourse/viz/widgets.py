"""The one look every cnncourse widget shares (:func:`widget_box`, ``WIDGET_STYLE``,
:func:`show_figure`), with only what exists in ipywidgets 7 (Colab) and 8."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from cnncourse import env
from cnncourse.viz._common import in_kernel, plt

# Pass as ``style=`` to sliders, dropdowns and text boxes: the description is never cut off.
WIDGET_STYLE: dict[str, str] = {"description_width": "initial"}
# The box around a widget: as wide as the notebook allows, a little space between controls.
WIDGET_LAYOUT: dict[str, str] = {"width": "auto", "max_width": "100%", "grid_gap": "4px"}
WIDGET_CLASS = "cnncourse-widget"


def widgets_available() -> bool:
    """True when a Jupyter kernel is running (and ``CNNCOURSE_WIDGETS=0`` does not switch
    widgets off); ipywidgets itself is a dependency, so it is always there."""
    return env.flag("CNNCOURSE_WIDGETS", default=True) and in_kernel()


def widget_box(children: Sequence[Any], kind: str, picture: bool = False) -> Any:
    """A ``VBox`` of ``children`` with the shared look and the CSS class ``cnncourse-<kind>``.

    With ``picture``, an ``ipywidgets.Image`` follows the children, kept as ``.image``: the
    widget draws its figure there with :func:`show_figure`. Where no widget front end runs
    (:func:`widgets_available` is False: a static page, nbconvert, the course website,
    ``CNNCOURSE_WIDGETS=0``), displaying such a box shows that picture, described by its alt
    text, instead of an empty widget, so every visual also works without widgets.

    Example:
        >>> box = widget_box([slider], "stepper", picture=True)   # class "cnncourse-stepper"
    """
    import ipywidgets as w

    image = w.Image(format="png") if picture else None
    children = [*children, image] if picture else list(children)
    box = (_picture_box() if picture else w.VBox)(children)
    box.add_class(WIDGET_CLASS)
    box.add_class(f"cnncourse-{kind}")
    for key, value in WIDGET_LAYOUT.items():
        setattr(box.layout, key, value)
    box.image, box.alt = image, f"A picture of the {kind} widget's current view"
    return box


def show_figure(box: Any, fig: Any) -> None:
    """Draw ``fig`` into ``box.image`` (then close it) and keep its alt text as ``box.alt``.

    The alt text describes the widget's static form. (The live ``Image`` widget takes none:
    giving it a ``tooltip`` broke its view in JupyterLab 4 with ipywidgets 8.)
    """
    from cnncourse.viz.alt import alt_text, figure_png

    box.alt = alt_text(fig)
    box.image.value = figure_png(fig, dpi=80)
    plt().close(fig)


@functools.cache
def _picture_box() -> type:
    """``ipywidgets.VBox`` that displays its ``.image`` where widgets cannot run."""
    import ipywidgets as w

    class VBox(w.VBox):
        def _ipython_display_(self, **kwargs: Any) -> None:
            from IPython.display import display

            from cnncourse.viz.alt import png_bundle

            if widgets_available():
                base = getattr(super(), "_ipython_display_", None)  # ipywidgets 7
                if base is not None:
                    base(**kwargs)
                    return
                data, metadata = super()._repr_mimebundle_(**kwargs), None  # ipywidgets 8
            else:
                data, metadata = png_bundle(self.image.value, self.alt)
                data["text/plain"] = ("<VBox: a static picture; run the notebook in Jupyter "
                                      "for the live widget>")
            display(data, metadata=metadata, raw=True)

    return VBox
