"""A table every front end shows as a table (``<table>`` in JupyterLab, Colab and the website),
and as lined-up text where only text is shown."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any


class Table:
    """Rows under named columns, displayed as an HTML table with a plain-text twin.

    Example:
        >>> Table(["shift", "change"], [[0, "0.00"], [1, "0.31"]], caption="conv1")
    """

    def __init__(self, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                 caption: str = "") -> None:
        if isinstance(columns, str) or not isinstance(columns, Sequence) or not columns:
            raise ValueError(f"Table: columns must be a list of column names, got {columns!r}.")
        self.columns = [str(c) for c in columns]
        self.rows = [[str(cell) for cell in row] for row in rows]
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(f"Table: row {i} has {len(row)} cells but there are "
                                 f"{len(self.columns)} columns {self.columns}; give one cell "
                                 f"per column.")
        self.caption = str(caption)

    def __repr__(self) -> str:
        widths = [max(len(r[i]) for r in [self.columns, *self.rows])
                  for i in range(len(self.columns))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
                 for row in [self.columns, *self.rows]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join([self.caption] * bool(self.caption) + lines)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        esc = html.escape
        caption = f"<caption>{esc(self.caption)}</caption>" if self.caption else ""
        head = "".join(f"<th scope='col'>{esc(c)}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
                       for row in self.rows)
        return (f"<table class='cnncourse-table'>{caption}<thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table>")
