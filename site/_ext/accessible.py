"""Sphinx extension: accessibility fixes for what Markdown and notebooks render without a label.

A Markdown task list (``- [ ] Baseline first``, the capstone's checklist) becomes a disabled
checkbox followed by the item's text, but nothing ties the two together, so a screen reader
announces "checkbox, not checked" with no name (axe rule ``label``, WCAG 1.3.1 and 4.1.2).
Each such checkbox gets the item's own text as its accessible name, and is no longer disabled
(a reader may tick it off; nothing is saved), so it is not announced "dimmed".

A notebook cell's code and its output are both plain ``<pre>`` text; each is marked as a group
named "Code" or "Output", so a screen reader says which one it is in.
"""

from __future__ import annotations

import html
import re
from typing import Any

from docutils import nodes

CHECKBOX = re.compile(r"<input\b(?![^>]*\baria-label)([^>]*\btask-list-item-checkbox\b[^>]*)>")
DISABLED = re.compile(r"""\s+disabled(=("disabled"|'disabled'|""|''))?""")
# MyST-NB's containers for a code cell's source and for its outputs.
CELL_PART = re.compile(r'<div class="(cell_input|cell_output)( [^"]*)?"(?![^>]*\brole=)')
LABELS = {"cell_input": "Code", "cell_output": "Output"}


def item_text(item: nodes.Element) -> str:
    """A task-list item's own words on one line (raw HTML and nested lists left out)."""
    words = [t.astext() for t in item.findall(nodes.Text)
             if not any(isinstance(a, (nodes.raw, nodes.bullet_list, nodes.enumerated_list))
                        for a in _ancestors(t, item))]
    return " ".join("".join(words).split())


def _ancestors(node: nodes.Node, stop: nodes.Node) -> list[nodes.Node]:
    found = []
    while node is not None and node is not stop:
        node = node.parent
        found.append(node)
    return found


def label_checkboxes(app: Any, doctree: nodes.document, docname: str) -> None:
    """Give every task-list checkbox an aria-label: the text of the item it ticks."""
    for item in list(doctree.findall(nodes.list_item)):
        if "task-list-item" not in item.get("classes", []):
            continue
        label = html.escape(item_text(item), quote=True)
        for raw in list(item.findall(nodes.raw)):
            text = raw.astext()
            if not CHECKBOX.search(text):
                continue
            def named(m: re.Match, label: str = label) -> str:
                return f'<input aria-label="{label}"{DISABLED.sub("", m.group(1))}>'

            new = CHECKBOX.sub(named, text, 1)
            raw.replace_self(nodes.raw(new, new, format=raw.get("format", "html")))


def label_cells(body: str) -> str:
    """The page body with every cell's code and output marked as a group named by its role."""
    return CELL_PART.sub(lambda m: f'{m.group(0)} role="group" '
                                   f'aria-label="{LABELS[m.group(1)]}"', body)


def _label_page(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    if "body" in context:
        context["body"] = label_cells(context["body"])


def setup(app: Any) -> dict[str, Any]:
    app.connect("doctree-resolved", label_checkboxes)
    app.connect("html-page-context", _label_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
