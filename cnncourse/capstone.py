"""The capstone's brief and leaderboard: targets per dataset, and a CSV of everyone's runs.

``record_run`` appends one row (run name, dataset, accuracy, seconds, parameters) to
``<data folder>/leaderboard.csv``; ``leaderboard`` reads them back, best first, and marks
the runs that meet the brief. In a workshop, point ``CNNCOURSE_DATA`` at a shared folder and
the whole room fills one table.
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnncourse import settings


@dataclass(frozen=True)
class Target:
    """The brief for one dataset: test accuracy to reach within a training-time budget."""

    dataset: str
    accuracy: float
    seconds: float
    note: str


TARGETS = {
    "mnist": Target("mnist", 0.99, 300, "handwritten digits: easy to start, hard to perfect"),
    "fashion_mnist": Target("fashion_mnist", 0.91, 300,
                            "clothing: shirts vs T-shirts vs pullovers are the hard part"),
    "cifar10": Target("cifar10", 0.75, 600,
                      "small colour photos: needs BN, augmentation, a deeper model"),
}
"""Targets for a laptop CPU (seconds of training). On the synthetic stand-in they are easier."""

FIELDS = ["when", "name", "dataset", "accuracy", "seconds", "params", "synthetic", "notes"]


def leaderboard_path(root: str | Path | None = None) -> Path:
    """``<data folder>/leaderboard.csv`` (``CNNCOURSE_DATA``), or ``root/leaderboard.csv``."""
    return (Path(root).expanduser() if root is not None else settings.data_dir()) / \
        "leaderboard.csv"


def _dataset(name: Any) -> str:
    key = str(name).strip().lower().replace("-", "_")
    if key not in TARGETS:
        raise ValueError(f"dataset must be one of {sorted(TARGETS)}, got {name!r}.")
    return key


def record_run(name: str, dataset: str, accuracy: float, seconds: float, params: int,
               synthetic: bool = False, notes: str = "", root: str | Path | None = None
               ) -> dict[str, Any]:
    """Append one run to the leaderboard CSV and return the row.

    Args:
        name: a label for the run, e.g. "ada: resnet + aug".
        accuracy: test accuracy as a fraction in [0, 1] (0.91, not 91).
        seconds: training time in seconds.
        params: the model's parameter count (``cnncourse.models.count_parameters``).
        synthetic: True when the data was the built-in stand-in (``data.synthetic``).
    """
    if not isinstance(name, str) or not name.strip() or "\n" in name:
        raise ValueError(f"record_run: name must be a non-empty one-line string, got {name!r}.")
    dataset = _dataset(dataset)
    if isinstance(accuracy, bool) or not isinstance(accuracy, (int, float)) \
            or not 0 <= accuracy <= 1:
        hint = " (pass a fraction: 0.91, not 91)" if isinstance(accuracy, (int, float)) \
            and 1 < accuracy <= 100 else ""
        raise ValueError(f"record_run: accuracy must be a number in [0, 1], got "
                         f"{accuracy!r}{hint}.")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0 \
            or math.isnan(seconds):
        raise ValueError(f"record_run: seconds must be a non-negative number, got {seconds!r}.")
    if isinstance(params, bool) or not isinstance(params, int) or params < 0:
        raise ValueError(f"record_run: params must be a non-negative int (use "
                         f"count_parameters(model)), got {params!r}.")
    row = {"when": time.strftime("%Y-%m-%d %H:%M"), "name": name.strip(), "dataset": dataset,
           "accuracy": f"{float(accuracy):.4f}", "seconds": f"{float(seconds):.1f}",
           "params": str(params), "synthetic": "yes" if synthetic else "no",
           "notes": str(notes).replace("\n", " ")}
    path = leaderboard_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    with open(path, "a", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            writer.writeheader()
        writer.writerow(row)
    return row


def leaderboard(dataset: str | None = None, root: str | Path | None = None
                ) -> list[dict[str, Any]]:
    """All recorded runs (optionally of one dataset), best accuracy first, then fastest.

    Each row gets ``meets_target``: accuracy and time within the dataset's :data:`TARGETS`.
    """
    path = leaderboard_path(root)
    if not path.exists():
        return []
    want = _dataset(dataset) if dataset is not None else None
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for i, raw in enumerate(csv.DictReader(f), start=2):
            try:
                row = {**raw, "accuracy": float(raw["accuracy"]),
                       "seconds": float(raw["seconds"]), "params": int(raw["params"])}
            except (KeyError, TypeError, ValueError) as err:
                raise ValueError(f"leaderboard: line {i} of {path} is malformed ({err}); fix "
                                 "or delete that line.") from err
            if want is None or row["dataset"] == want:
                target = TARGETS.get(row["dataset"])
                row["meets_target"] = bool(target and row["accuracy"] >= target.accuracy
                                           and row["seconds"] <= target.seconds)
                rows.append(row)
    return sorted(rows, key=lambda r: (-r["accuracy"], r["seconds"]))


def format_leaderboard(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table (a ✅ marks runs that meet the brief)."""
    if not rows:
        return "(no runs recorded yet: call record_run(...) after training)"
    lines = ["| # | name | dataset | test accuracy | seconds | parameters | data | brief |",
             "|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(rows, 1):
        data = "synthetic" if r.get("synthetic") == "yes" else "real"
        lines.append(f"| {i} | {r['name']} | {r['dataset']} | {r['accuracy']:.2%} | "
                     f"{r['seconds']:.0f} | {r['params']:,} | {data} | "
                     f"{'✅' if r['meets_target'] else '—'} |")
    return "\n".join(lines)


def show_leaderboard(dataset: str | None = None, root: str | Path | None = None) -> Any:
    """Display the leaderboard as a table in a notebook (Markdown) and return the rows."""
    rows = leaderboard(dataset, root)
    try:
        from IPython.display import Markdown, display

        display(Markdown(format_leaderboard(rows)))
    except ImportError:  # plain Python: print the Markdown
        print(format_leaderboard(rows))
    return rows
