"""Figures a screen reader can describe and a dark theme cannot hide: alt text and a white page.

Every figure carries a sentence saying what it shows: the plotting functions write it from what
they drew (:func:`describe`), other figures get one from their titles and labels
(:func:`auto_alt`), and :func:`describe_figures` displays each figure with it.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

ALT_ATTRIBUTE = "cnncourse_alt"   # where describe() keeps the text on the Figure
BACKGROUND = "white"
MAX_ALT = 600                     # characters; longer automatic descriptions are shortened


def describe(fig: Any, text: str) -> Any:
    """Give ``fig`` its alt text (what a screen reader says instead of the picture); return it.

    Also makes the background opaque white, so the figure reads the same in a dark theme.

    Example:
        >>> describe(fig, "Line chart of training loss per epoch, falling from 2.3 to 0.9")
    """
    if not hasattr(fig, "savefig"):
        raise TypeError(f"describe: expected a matplotlib Figure, got {type(fig).__name__}. "
                        "Pass the figure, e.g. ax.figure.")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"describe: expected a non-empty sentence saying what the figure "
                         f"shows, got {text!r}.")
    setattr(fig, ALT_ATTRIBUTE, " ".join(text.split()))
    return opaque(fig)


def opaque(fig: Any) -> Any:
    """Paint ``fig``'s background opaque white if it is (partly) transparent; return it."""
    from matplotlib.colors import to_rgba

    if to_rgba(fig.get_facecolor())[3] < 1.0:
        fig.patch.set_facecolor(BACKGROUND)
        fig.patch.set_alpha(1.0)
    return fig


def alt_text(fig: Any) -> str:
    """The alt text of ``fig``: the one :func:`describe` gave it, else :func:`auto_alt`."""
    given = getattr(fig, ALT_ATTRIBUTE, None)
    return given if given else auto_alt(fig)


def _clean(text: str) -> str:
    return " ".join(str(text).replace("$", "").split())


def _panel(ax: Any) -> str:
    """One axes in words: its kind, title, axis labels and named series."""
    kinds = []
    if ax.images:
        kinds.append("image")
    if any(not line.get_label().startswith("_") or len(line.get_xdata()) > 2
           for line in ax.lines):
        kinds.append("line chart")
    if any(type(c).__name__ == "BarContainer" for c in ax.containers):
        kinds.append("bar chart")
    if any(type(c).__name__ == "PathCollection" for c in ax.collections):
        kinds.append("scatter plot")
    if not kinds and any(type(c).__name__ in ("QuadMesh", "PolyCollection")
                         for c in ax.collections):
        kinds.append("shaded map")
    if not kinds and ax.patches:
        kinds.append("diagram")
    words = " and ".join(kinds) or "panel"
    title = _clean(" ".join(t for t in (ax.get_title("left"), ax.get_title(),
                                        ax.get_title("right")) if t))
    if title:
        words += f" titled '{title}'"
    axis = [f"{name} axis '{_clean(label)}'" for name, label in
            (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if label and ax.axison]
    if axis:
        words += " (" + ", ".join(axis) + ")"
    handles, labels = ax.get_legend_handles_labels()
    named = [_clean(lab) for lab in labels if lab and not lab.startswith("_")]
    if named:
        words += "; series: " + ", ".join(dict.fromkeys(named))
    return words


def auto_alt(fig: Any) -> str:
    """Alt text made from what ``fig`` holds: its title, then each panel's kind, title, axis
    labels and legend. Used for figures drawn with plain matplotlib in the notebooks."""
    title = _clean(fig._suptitle.get_text()) if getattr(fig, "_suptitle", None) else ""
    # Colour bars are axes too; they belong to the panel beside them.
    panels = [ax for ax in fig.get_axes()
              if ax.get_visible() and ax.get_label() != "<colorbar>"
              and (ax.has_data() or ax.get_title())]
    parts = [_panel(ax) for ax in panels]
    only_images = parts and all(p.startswith("image") for p in parts)
    if only_images and len(parts) > 4:
        titles = [_clean(ax.get_title()) for ax in panels if ax.get_title()]
        body = f"a grid of {len(parts)} images"
        if titles:
            body += " titled: " + ", ".join(titles)
    elif len(parts) == 1:
        body = parts[0]
    elif parts:
        body = f"{len(parts)} panels: " + "; ".join(
            f"{i}. {p}" for i, p in enumerate(parts, 1))
    else:
        body = "an empty figure"
    text = f"Figure '{title}': {body}" if title else f"Figure: {body}"
    return text if len(text) <= MAX_ALT else text[:MAX_ALT - 1].rstrip() + "…"


def figure_png(fig: Any, dpi: float | None = None) -> bytes:
    """``fig`` as PNG bytes, cropped to what was drawn, on an opaque background."""
    opaque(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight",
                facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
    return buffer.getvalue()


def png_bundle(png: bytes, alt: str) -> tuple[dict[str, str], dict[str, Any]]:
    """A display bundle for a PNG that says what it shows: ``(data, metadata)``.

    ``text/html`` is an ``<img>`` with ``alt`` (what front ends render); ``image/png`` keeps
    ``alt`` and ``needs_background: light`` in its metadata; ``text/plain`` is the alt text.
    """
    data = base64.b64encode(png).decode("ascii")
    img = (f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
           f'class="cnncourse-figure" style="background-color: {BACKGROUND}">')
    return ({"text/html": img, "image/png": data,
             "text/plain": f"<Figure: {alt}>"},
            {"image/png": {"alt": alt, "needs_background": "light"}})


def figure_bundle(fig: Any, include: Any = None, exclude: Any = None) -> Any:
    """A matplotlib Figure as a described display bundle (see :func:`png_bundle`)."""
    return png_bundle(figure_png(fig), alt_text(fig))


def describe_figures() -> None:
    """Make IPython display every matplotlib Figure with alt text on a white background.

    Run by every notebook's setup cell. Figures shown automatically at the end of a cell and
    figures a cell returns both go through it. Outside IPython it does nothing. Registering by
    name means matplotlib is not imported until a figure is shown.
    """
    from IPython import get_ipython  # always there: ipywidgets, a dependency, requires it

    shell = get_ipython()
    if shell is not None:
        formatter = shell.display_formatter.mimebundle_formatter
        formatter.for_type_by_name("matplotlib.figure", "Figure", figure_bundle)
