"""The one table of the course datasets: names, spellings, titles, shapes, classes, statistics.

Cheap to import (no torch): the CLI, the capstone and the stand-in read their facts here.
"""

from __future__ import annotations

import difflib

DATASETS = ("mnist", "fashion_mnist", "cifar10")
"""Canonical names accepted by :func:`cnncourse.data.load_data`."""

TITLES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST", "cifar10": "CIFAR-10"}

SHAPES = {"mnist": (1, 28, 28), "fashion_mnist": (1, 28, 28), "cifar10": (3, 32, 32)}
"""Image shape ``(C, H, W)`` of each dataset."""

STATS = {
    "mnist": ((0.1307,), (0.3081,)),
    "fashion_mnist": ((0.2860,), (0.3530,)),
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
}
"""Per-channel ``(mean, std)`` of each real training set, pixels scaled to [0, 1]."""

STANDIN_CLASSES = {
    "mnist": [str(d) for d in range(10)],
    "fashion_mnist": ["T-shirt/top", "trouser", "pullover", "dress", "coat", "sandal",
                      "shirt", "sneaker", "bag", "ankle boot"],
    "cifar10": ["disc", "ring", "square", "frame", "plus", "x-cross",
                "h-stripes", "v-stripes", "checker", "dots"],
}
"""Class names of the generated stand-in (``cnncourse.data.synthetic``) for each dataset."""

# Spellings people use, compared without case, spaces, "-" or "_": "CIFAR-10", "F-MNIST".
ALIASES = {"mnist": "mnist", "fashionmnist": "fashion_mnist", "fmnist": "fashion_mnist",
           "cifar10": "cifar10"}


def canonical_name(name: str) -> str:
    """The canonical dataset name for ``name`` ("CIFAR-10" -> "cifar10"), or a clear error.

    Accepts any case and spacing, with or without "-"/"_": "cifar10", "CIFAR-10", "fmnist",
    "fashion-mnist", "Fashion_MNIST".
    """
    if not isinstance(name, str):
        raise TypeError(f"expected a dataset name (str) such as 'cifar10', got "
                        f"{type(name).__name__}.")
    key = "".join(ch for ch in name.strip().lower() if ch not in " -_")
    if key in ALIASES:
        return ALIASES[key]
    close = difflib.get_close_matches(key, list(ALIASES), n=1)
    hint = f" Did you mean {ALIASES[close[0]]!r}?" if close else ""
    raise ValueError(f"unknown dataset {name!r}; expected one of "
                     f"{', '.join(repr(d) for d in DATASETS)} (or a spelling such as "
                     f"'CIFAR-10', 'fmnist', 'fashion-mnist').{hint}")
