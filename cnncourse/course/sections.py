"""Which section of each notebook makes the names that later cells use.

``SECTIONS`` is read from ``sections.json`` beside this module: data generated from the notebooks
by ``python tests/notebooks/test_sections.py --write`` (a test keeps it in step). The directions a
cell prints after a restart or a skipped section come from here.
"""

from __future__ import annotations

import json
from importlib import resources

SECTIONS: dict[str, dict[str, str]] = json.loads(
    resources.files(__package__).joinpath("sections.json").read_text(encoding="utf-8"))
"""``{lesson: {section heading: "the names it makes that later sections use"}}``."""


def where(lesson: str, name: str) -> str | None:
    """``"section 5 (Training with fit)"`` for the section of ``lesson`` that makes ``name``."""
    for heading, names in SECTIONS.get(lesson, {}).items():
        if name in names.split():
            number, _, title = heading.partition(". ")
            return f"section {number} ({title})"
    return None
