"""What the data layer tells the learner: its error type and the once-per-run notices."""

from __future__ import annotations

from pathlib import Path

from cnncourse.data.catalog import SHAPES, STANDIN_CLASSES, TITLES

_told: set[str] = set()  # notices already printed in this process (one line each, once)


class DataError(RuntimeError):
    """A dataset file is corrupt or unreadable, or a download was asked for and failed.

    ``short`` is a few words on what happened, without the advice (used in messages).
    """

    def __init__(self, message: str, short: str | None = None):
        super().__init__(message)
        self.short = short or message


def fix_hint(name: str, path: Path) -> str:
    """The advice for a corrupt or unreadable file of dataset ``name`` at ``path``."""
    return (f"Delete {path} and run `cnncourse data download --dataset {name}` (or "
            f"load_data({name!r}) online), or copy the folder your instructor shared again "
            f"and point CNNCOURSE_DATA at it.")


def tell_once(key: str, text: str) -> None:
    """Print ``text`` the first time ``key`` is told in this process."""
    if key in _told:
        return
    _told.add(key)
    print(text)


def tell_fallback(name: str, reason: str, root: Path) -> None:
    """Say, once per process and dataset, why the stand-in is used and how to fix it."""
    c, h, w = SHAPES[name]
    classes = STANDIN_CLASSES[name]
    title = TITLES[name]
    tell_once(f"fallback:{name}", (
        f"cnncourse: using a SYNTHETIC stand-in for {title} because {reason}.\n"
        f"  It has the same {h}x{w}x{c} images and {len(classes)} classes (generated: "
        f"{', '.join(classes)}),\n"
        f"  so every cell runs, but the accuracies are not {title} accuracies.\n"
        f"  To get the real data: run `cnncourse data download --dataset {name}` while "
        f"online,\n  or set CNNCOURSE_DATA to a folder your instructor shared "
        f"(this run looked in {root})."))
