"""Sphinx extension: accessibility fixes for what Markdown renders without a label.

A Markdown task list (``- [ ] Baseline first``, the capstone's checklist) becomes a disabled
checkbox followed by the item's text, but nothing ties the two together, so a screen reader
announces "checkbox, not checked" with no name (axe rule ``label``, WCAG 1.3.1 and 4.1.2).
Each such checkbox gets the item's own text as its accessible name.
"""

from __future__ import annotations

import html
import re
from typing import Any

from docutils import nodes

CHECKBOX = re.compile(r"<input\b(?![^>]*\baria-label)([^>]*\btask-list-item-checkbox\b[^>]*)>")


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
            new = CHECKBOX.sub(lambda m: f'<input aria-label="{label}"{m.group(1)}>', text, 1)
            raw.replace_self(nodes.raw(new, new, format=raw.get("format", "html")))


def setup(app: Any) -> dict[str, Any]:
    app.connect("doctree-resolved", label_checkboxes)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
