"""Settings every notebook reads: device, seed, data folder, quick and offline modes.

Learners never need to set anything. Tests and instructors use environment variables:

- ``CNNCOURSE_DATA``: the data folder (default: ``~/.cache/cnncourse``, or ``$XDG_CACHE_HOME``).
- ``CNNCOURSE_QUICK=1``: tiny subsets and one short epoch, so a notebook runs in seconds.
- ``CNNCOURSE_OFFLINE=1``: never touch the network; use local files or built-in data.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import Any

_TRUE = {"1", "true", "yes", "on"}


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def is_quick() -> bool:
    """True when ``CNNCOURSE_QUICK=1``: notebooks shrink data and epochs."""
    return _flag("CNNCOURSE_QUICK")


def is_offline() -> bool:
    """True when ``CNNCOURSE_OFFLINE=1``: nothing may touch the network."""
    return _flag("CNNCOURSE_OFFLINE")


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


def data_dir() -> Path:
    """The folder that holds datasets and downloaded weights.

    ``CNNCOURSE_DATA`` wins; otherwise ``$XDG_CACHE_HOME/cnncourse`` or ``~/.cache/cnncourse``.
    """
    env = os.environ.get("CNNCOURSE_DATA", "").strip()
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(cache).expanduser() if cache else Path.home() / ".cache"
    return base / "cnncourse"


def pick(quick: Any, full: Any) -> Any:
    """Return ``quick`` in quick mode and ``full`` otherwise, e.g. ``pick(1, 10)`` epochs."""
    return quick if is_quick() else full


def device(prefer: str | None = None) -> Any:
    """The best available ``torch.device``: CUDA, then Apple MPS, then CPU.

    Args:
        prefer: force a device name ("cpu", "cuda", "mps"); it must be available.
    """
    import torch

    if prefer is not None:
        name = str(prefer).lower()
        if name not in {"cpu", "cuda", "mps"} and not name.startswith("cuda:"):
            raise ValueError(f"device: expected 'cpu', 'cuda' or 'mps', got {prefer!r}.")
        if name.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError("device: 'cuda' was requested but no CUDA GPU is available; "
                             "use device() to pick the best available device.")
        if name == "mps" and not _mps_available(torch):
            raise ValueError("device: 'mps' was requested but Apple MPS is not available; "
                             "use device() to pick the best available device.")
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available(torch):
        return torch.device("mps")
    return torch.device("cpu")


def _mps_available(torch: Any) -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def seed_everything(seed: int = 0) -> int:
    """Seed Python, NumPy and torch (all devices) so a run repeats. Returns the seed."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed_everything: expected a non-negative int, got {seed!r}.")
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % 2**32)
    except ImportError:  # numpy is optional for the seed helper
        pass
    import torch

    torch.manual_seed(seed)
    return seed


def summary() -> str:
    """One line describing the settings, printed by each notebook's setup cell."""
    mode = "quick" if is_quick() else "full"
    net = "offline" if is_offline() else "online allowed"
    return f"device={device()} | mode={mode} | network={net} | data={data_dir()}"


def start(seed: int = 0) -> Any:
    """Run by every notebook's setup cell: seed everything, pick the device, print settings.

    Returns the ``torch.device`` to use.
    """
    seed_everything(seed)
    dev = device()
    print(f"cnncourse ready: {summary()}")
    return dev
