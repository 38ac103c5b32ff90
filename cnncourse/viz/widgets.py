"""The one look every cnncourse widget shares (sliders, playgrounds, pooling view, quizzes).

Each widget is a ``VBox`` made by :func:`widget_box`: it carries the CSS classes
``cnncourse-widget`` and ``cnncourse-<kind>`` (the browser tests find widgets by them) and the
same width and spacing. Controls take ``style=WIDGET_STYLE`` so their whole label shows
("output row", not "output…"). Only widgets and options that exist in ipywidgets 7 (Colab)
and 8 are used. ipywidgets is imported inside the functions, so importing this is cheap.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from cnncourse import env

# Pass as ``style=`` to sliders, dropdowns and text boxes: the description is never cut off.
WIDGET_STYLE: dict[str, str] = {"description_width": "initial"}
# The box around a widget: as wide as the notebook allows, a little space between controls.
WIDGET_LAYOUT: dict[str, str] = {"width": "auto", "max_width": "100%", "grid_gap": "4px"}
WIDGET_CLASS = "cnncourse-widget"


def widgets_available() -> bool:
    """True when a Jupyter kernel is running and ipywidgets imports (and not switched off)."""
    if not env.flag("CNNCOURSE_WIDGETS", default=True):
        return False
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None or not hasattr(shell, "kernel"):
            return False
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def style_box(box: Any, kind: str, static: Callable[[], bytes] | None = None,
              alt: Callable[[], str] | None = None) -> Any:
    """Give an existing ipywidgets box (e.g. from ``interactive``) the shared look; return it.

    ``static`` returns PNG bytes of what the widget shows now, and ``alt`` the sentence that
    describes that picture (its alt text). Where no widget front end runs
    (:func:`widgets_available` is False: a static page, nbconvert, the course
    website, ``CNNCOURSE_WIDGETS=0``), displaying the box shows that picture, described,
    instead of an empty widget, so every visual also works without widgets.
    """
    box.add_class(WIDGET_CLASS)
    box.add_class(f"cnncourse-{kind}")
    for key, value in WIDGET_LAYOUT.items():
        setattr(box.layout, key, value)
    if static is not None:
        box.static_png = static
        box.static_alt = alt or (lambda: f"A picture of the {kind} widget's current view")
        box.__class__ = _with_static_form(type(box))
    return box


def describe_picture(picture: Any, fig: Any, dpi: int = 80) -> str:
    """Draw ``fig`` into the ``ipywidgets.Image`` ``picture``; return the figure's description.

    The description is the alt text of the widget's static form. (The live ``Image`` widget
    takes none: giving it a ``tooltip`` broke its view in JupyterLab 4 with ipywidgets 8.)
    """
    from cnncourse.viz.alt import alt_text

    text = alt_text(fig)
    picture.value = figure_png(fig, dpi)
    return text


def widget_box(children: Sequence[Any], kind: str,
               static: Callable[[], bytes] | None = None,
               alt: Callable[[], str] | None = None) -> Any:
    """A ``VBox`` of ``children`` with the shared look and the CSS class ``cnncourse-<kind>``.

    Example:
        >>> box = widget_box([slider, picture], "stepper")   # class "cnncourse-stepper"
    """
    import ipywidgets as w

    return style_box(w.VBox(list(children)), kind, static, alt)


_STATIC_FORMS: dict[type, type] = {}


def _with_static_form(cls: type) -> type:
    """A subclass of widget class ``cls`` that displays a picture where widgets cannot run."""
    if cls in _STATIC_FORMS or getattr(cls, "_cnncourse_static", False):
        return _STATIC_FORMS.get(cls, cls)

    def _static_wanted(self: Any) -> bool:
        return not widgets_available()

    def _repr_mimebundle_(self: Any, **kwargs: Any) -> Any:
        if _static_wanted(self):
            from cnncourse.viz.alt import png_bundle

            data, metadata = png_bundle(self.static_png(), self.static_alt())
            data["text/plain"] = (f"<{cls.__name__}: a static picture; run the notebook in "
                                  f"Jupyter for the live widget>")
            return data, metadata
        base = getattr(super(sub, self), "_repr_mimebundle_", None)  # ipywidgets 8
        return base(**kwargs) if base is not None else None

    def _ipython_display_(self: Any, **kwargs: Any) -> None:
        from IPython.display import display

        base = getattr(super(sub, self), "_ipython_display_", None)  # ipywidgets 7
        if _static_wanted(self) or base is None:
            bundle = self._repr_mimebundle_()
            data, metadata = bundle if isinstance(bundle, tuple) else (bundle, None)
            display(data, metadata=metadata, raw=True)
        else:
            base(**kwargs)

    sub = type(cls.__name__, (cls,), {"_cnncourse_static": True,
                                      "_repr_mimebundle_": _repr_mimebundle_,
                                      "_ipython_display_": _ipython_display_})
    _STATIC_FORMS[cls] = sub
    return sub


def figure_png(fig: Any, dpi: int = 80) -> bytes:
    """Render a Figure to PNG bytes (opaque background) and close it (feeds ``ipywidgets.Image``)."""
    import matplotlib.pyplot as plt

    from cnncourse.viz.alt import opaque

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor=opaque(fig).get_facecolor())
    plt.close(fig)
    return buf.getvalue()
