"""Settings every notebook reads: device, seed, data folder, quick and offline modes.

Learners never need to set anything. Tests and instructors use environment variables:

- ``CNNCOURSE_DATA``: the data folder (default: ``~/.cache/cnncourse``, or ``$XDG_CACHE_HOME``).
- ``CNNCOURSE_QUICK=1``: tiny subsets and one short epoch, so a notebook runs in seconds.
- ``CNNCOURSE_OFFLINE=1``: never touch the network; use local files or built-in data.
- ``CNNCOURSE_THREADS``: CPU threads for torch: a whole number, ``all`` (every core, torch's
  own default) or ``auto`` (the default; see :func:`thread_policy`).
"""

from __future__ import annotations

import math
import os
import random
import sys
from dataclasses import dataclass
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
    return user_dir("cache")


_USER_DIRS = {"cache": ("XDG_CACHE_HOME", (".cache",)),
              "state": ("XDG_STATE_HOME", (".local", "state"))}


def user_dir(kind: str = "cache") -> Path:
    """This user's own cnncourse folder of one kind, following the XDG conventions.

    ``"cache"``: ``$XDG_CACHE_HOME/cnncourse`` or ``~/.cache/cnncourse`` (data, unpacked
    copies); ``"state"``: ``$XDG_STATE_HOME/cnncourse`` or ``~/.local/state/cnncourse``
    (the leaderboard).
    """
    if kind not in _USER_DIRS:
        raise ValueError(f"user_dir: kind must be one of {sorted(_USER_DIRS)}, got {kind!r}.")
    variable, default = _USER_DIRS[kind]
    value = os.environ.get(variable, "").strip()
    base = Path(value).expanduser() if value else Path.home().joinpath(*default)
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


# ---------------------------------------------------------------- CPU threads
#
# Measured on a 2-core machine (benchmarks/two_at_once.py, notebook 08 in full mode, two
# rounds): with every core, 18-20 s alone but 63-94 s each when two run at once (3.1-5.3x),
# because each torch thread spins waiting for a partner the other notebook has pushed off
# the CPU; with one thread each (this policy), 22-23 s alone and 23 s each at once (1.0x).
# So the default leaves room for a second notebook, and backs off further when the CPU is
# busy: a little slower alone, never a collapse when shared.

THREADS_ENV = "CNNCOURSE_THREADS"


@dataclass(frozen=True)
class ThreadPolicy:
    """How many CPU threads torch uses, and why: from ``CNNCOURSE_THREADS`` or chosen."""

    threads: int
    cores: int
    load: float | None  # 1-minute load average when chosen (None: unknown on this system)
    source: str         # "CNNCOURSE_THREADS=..." or "auto"
    reason: str

    def __str__(self) -> str:
        return f"{self.threads} of {self.cores} cores ({self.source}: {self.reason})"


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask, e.g. a container's share)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS and Windows have no affinity mask
        return max(1, os.cpu_count() or 1)


def load_average() -> float | None:
    """The 1-minute load average (runnable processes), or None where the OS has none."""
    try:
        return float(os.getloadavg()[0])
    except (AttributeError, OSError):  # Windows
        return None


def parse_threads(value: str | None, cores: int) -> int | None:
    """Read a ``CNNCOURSE_THREADS`` value: a positive whole number, ``all`` or ``auto``.

    Returns the thread count, or None for ``auto`` (and for unset or empty).
    """
    text = (value or "").strip().lower()
    if text in {"", "auto"}:
        return None
    if text == "all":
        return cores
    threads = int(text) if text.isascii() and text.isdigit() else 0
    if threads < 1:
        raise ValueError(f"{THREADS_ENV} must be a whole number of threads of at least 1, "
                         f"'all' or 'auto'; got {value!r}. Fix: set {THREADS_ENV}=1 (or "
                         f"another number up to the {cores} cores here), or unset it for the "
                         f"automatic choice.")
    return threads


def choose_threads(cores: int, load: float | None) -> tuple[int, str]:
    """The automatic policy: half the cores, fewer when other work already keeps them busy.

    Half, so that a second notebook (or another learner's kernel) fits beside this one;
    ``cores - load``, in whole cores, is what other work leaves free. Always one thread at least.

    Args:
        cores: usable cores (:func:`usable_cores`).
        load: the 1-minute load average, or None when unknown.
    Returns:
        ``(threads, reason)``.
    """
    if not isinstance(cores, int) or isinstance(cores, bool) or cores < 1:
        raise ValueError(f"choose_threads: cores must be a positive int, got {cores!r}.")
    half = max(1, cores // 2)
    if load is None or not math.isfinite(load) or load < 0:
        return half, "half the cores, leaving room for a second notebook (load unknown)"
    free = max(1, math.floor(cores - load))
    if free < half:
        return free, (f"the CPU is busy (load {load:.1f} on {cores} cores): only "
                      f"{free} {'core is' if free == 1 else 'cores are'} free")
    return half, (f"half the cores, leaving room for a second notebook (load {load:.1f})")


def thread_policy(env: str | None = None, cores: int | None = None,
                  load: float | None = None) -> ThreadPolicy:
    """Decide the thread count from ``CNNCOURSE_THREADS`` (or ``env``), the cores and the load.

    ``cores`` and ``load`` default to this machine's (:func:`usable_cores`, :func:`load_average`);
    tests pass them. A bad ``CNNCOURSE_THREADS`` raises ``ValueError`` saying how to fix it.
    """
    cores = usable_cores() if cores is None else cores
    load = load_average() if load is None else load
    raw = os.environ.get(THREADS_ENV) if env is None else env
    chosen = parse_threads(raw, cores)
    if chosen is None:
        threads, reason = choose_threads(cores, load)
        return ThreadPolicy(threads, cores, load, "auto", reason)
    reason = "set by you" + (f"; more threads than the {cores} cores slows training down"
                             if chosen > cores else "")
    return ThreadPolicy(chosen, cores, load, f"{THREADS_ENV}={raw.strip()}", reason)


def set_threads(threads: int | None = None) -> ThreadPolicy:
    """Apply a thread count to torch now (``None``: the policy from :func:`thread_policy`).

    Works inside a running notebook, e.g. ``cc.settings.set_threads(1)`` when the CPU is
    shared. Inter-op threads are set too while torch still allows it (before parallel work).
    """
    import torch

    if threads is None:
        policy = thread_policy()
    else:
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ValueError(f"set_threads: expected a whole number of threads of at least "
                             f"1, got {threads!r}.")
        policy = ThreadPolicy(threads, usable_cores(), load_average(), "set_threads",
                              "set in this notebook")
    torch.set_num_threads(policy.threads)
    try:
        torch.set_num_interop_threads(policy.threads)
    except RuntimeError:  # torch allows it once, before any inter-op work: keep what it has
        pass
    return policy


def overload_line(cores: int, load: float | None, threads: int | None = None) -> str | None:
    """One line saying the CPU is overloaded (load above the cores) and how to fix it, or None."""
    if load is None or load <= cores:
        return None
    fix = "close other notebooks' kernels (Kernel > Shut Down Kernel) or other jobs"
    if threads is None or threads > 1:
        fix += (f", or use one thread: {THREADS_ENV}=1 before starting Jupyter, or "
                "cc.settings.set_threads(1) in this notebook")
    return (f"cnncourse: the CPU is overloaded (load average {load:.1f} on {cores} cores), so "
            f"training runs slower than the stated times; to fix it, {fix}.")


def summary(threads: int | None = None) -> str:
    """One line describing the settings, printed by each notebook's setup cell."""
    mode = "quick" if is_quick() else "full"
    net = "offline" if is_offline() else "online allowed"
    cpu = f" | threads={threads}" if threads is not None else ""
    return f"device={device()}{cpu} | mode={mode} | network={net} | data={data_dir()}"


def start(seed: int = 0) -> Any:
    """Run by every notebook's setup cell: seed, pick the device and CPU threads, print settings.

    Applies the thread policy (:func:`thread_policy`, ``CNNCOURSE_THREADS``) and, when the
    CPU is overloaded, prints one line that says so and how to fix it.
    Returns the ``torch.device`` to use.
    """
    seed_everything(seed)
    policy = set_threads()
    dev = device()
    print(f"cnncourse ready: {summary(policy.threads)}")
    line = overload_line(policy.cores, policy.load, policy.threads)
    if line:
        print(line)
    return dev
