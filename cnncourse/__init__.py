"""cnncourse: the package behind the course notebooks.

Importing it is cheap: torch, torchvision and matplotlib load only when a submodule that
needs them is used, so ``import cnncourse`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# The layers and their import rules: CONTRIBUTING.md. ``cc.NAME`` reaches each package and toolkit module; the recipes notebooks name directly
# (``cc.pretrained``, ``cc.speedrun``) are reached the same way.
_SUBMODULES = {name: f"{__name__}.{name}" for name in (
    "settings", "threads", "env", "data", "models", "train", "conv", "shapes", "augment", "modelutils",
    "interpret", "viz", "course", "recipes", "lessons", "cli")}
_SUBMODULES.update({name: f"{__name__}.recipes.{name}" for name in (
    "speedrun", "transfer", "pretrained", "capstone")})


def __getattr__(name: str) -> Any:
    # Lazy submodule access: ``cc.models`` imports cnncourse/models.py on first use.
    if name in _SUBMODULES:
        module = importlib.import_module(_SUBMODULES[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'cnncourse' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)


def _install_directions() -> None:
    # In IPython/Jupyter, a restart, a skipped section or Ctrl-C gets one line of direction
    # instead of a traceback (cnncourse.course.directions); elsewhere this does nothing.
    import sys

    if "IPython" in sys.modules:
        from cnncourse.course import directions

        directions.install()


_install_directions()
