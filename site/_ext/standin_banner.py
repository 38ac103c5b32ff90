"""Sphinx extension: a banner at the top of every page when the site was built on the stand-in.

Detection comes from the executed outputs, not from the environment: when a notebook cannot
reach a real dataset, ``cnncourse.data`` prints "cnncourse: using a SYNTHETIC stand-in for
<dataset> because <reason>" into the cell output. Every page's doctree (after MyST-NB ran the
notebook) is searched for that sentence; if any page has it, every page (the home page too)
gets a banner naming the datasets, placed in the theme's announcement bar at the very top.
"""

from __future__ import annotations

import html
import re
from typing import Any

from docutils import nodes

# The sentence cnncourse.data.make_synthetic prints; the dataset title is captured.
STANDIN = re.compile(r"SYNTHETIC stand-in for (MNIST|Fashion-MNIST|CIFAR-10)\b")
BANNER_CLASS = "cnncourse-standin-banner"


def _record(app: Any, doctree: nodes.document) -> None:
    """After a page is read (its notebook executed), note which stand-ins its outputs mention."""
    env = app.env
    found = set(STANDIN.findall(doctree.astext()))
    store: dict[str, list[str]] = getattr(env, "cnncourse_standin", {})
    store[env.docname] = sorted(found)
    env.cnncourse_standin = store


def _purge(app: Any, env: Any, docname: str) -> None:
    getattr(env, "cnncourse_standin", {}).pop(docname, None)


def _merge(app: Any, env: Any, docnames: set[str], other: Any) -> None:
    """Parallel reads: fold each worker's findings into the main environment."""
    store = getattr(env, "cnncourse_standin", {})
    store.update({d: v for d, v in getattr(other, "cnncourse_standin", {}).items()
                  if d in docnames})
    env.cnncourse_standin = store


def banner_html(datasets: list[str]) -> str:
    """The banner: which datasets were replaced, and how to build the site on the real ones."""
    names = ", ".join(html.escape(d) for d in datasets)
    return (f"<div class='{BANNER_CLASS}' role='note'><b>Built on the stand-in data.</b> "
            f"The machine that built these pages had no copy of {names}, so the lessons ran on "
            f"the course's built-in SYNTHETIC stand-in: figures and accuracies differ from the "
            f"real datasets. Run <code>cnncourse data download</code> before "
            f"<code>make site</code> to build on the real data.</div>")


def _add_banner(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    datasets = sorted({d for found in getattr(app.env, "cnncourse_standin", {}).values()
                       for d in found})
    if datasets:
        context["theme_announcement"] = banner_html(datasets)


def setup(app: Any) -> dict[str, Any]:
    app.connect("doctree-read", _record)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("html-page-context", _add_banner)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
