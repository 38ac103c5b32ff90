"""cnncourse: the package behind the course notebooks.

Importing it is cheap: torch, torchvision and matplotlib load only when a submodule that
needs them is used, so ``import cnncourse`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {
    "settings", "data", "synthetic", "loader", "models", "train", "conv", "shapes",
    "interpret", "pretrained", "speedrun", "capstone", "exercises", "quiz", "lessons", "viz",
    "cli", "colab", "instructor", "claims", "transfer",
}


def __getattr__(name: str) -> Any:
    # Lazy submodule access: ``cnncourse.data`` imports cnncourse/data.py on first use.
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'cnncourse' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
