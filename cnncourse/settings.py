"""The session every notebook's setup cell starts (``start()``): device, seed, folders, quick
and offline."""

from __future__ import annotations

import os
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cnncourse import env
from cnncourse.validate import whole_number


def is_quick() -> bool:
    """True when ``CNNCOURSE_QUICK=1``: notebooks shrink data and epochs."""
    return env.flag("CNNCOURSE_QUICK")


def is_offline() -> bool:
    """True when ``CNNCOURSE_OFFLINE=1``: nothing may touch the network."""
    return env.flag("CNNCOURSE_OFFLINE")


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


def data_dir() -> Path:
    """The folder that holds datasets and downloaded weights.

    ``CNNCOURSE_DATA`` wins; otherwise this user's cache folder, ``user_dir("cache")``.
    """
    folder = env.get("CNNCOURSE_DATA")
    return Path(folder).expanduser() if folder else user_dir("cache")


# kind: (the course's own variable, the XDG variable, the default under the home folder)
_USER_DIRS = {"cache": ("CNNCOURSE_CACHE", "XDG_CACHE_HOME", (".cache",)),
              "state": (None, "XDG_STATE_HOME", (".local", "state"))}


def user_dir(kind: str = "cache", *parts: str) -> Path:
    """This user's own cnncourse folder of one kind (the one rule for caches and state).

    ``"cache"``: ``$CNNCOURSE_CACHE``, else ``$XDG_CACHE_HOME/cnncourse``, else
    ``~/.cache/cnncourse`` (datasets when ``CNNCOURSE_DATA`` is unset, unpacked copies under
    ``unpacked/``, pretrained course backbones under ``transfer/``). ``"state"``:
    ``$XDG_STATE_HOME/cnncourse`` or ``~/.local/state/cnncourse`` (the leaderboard).
    ``parts`` name a subfolder, e.g. ``user_dir("cache", "unpacked")``. Nothing is created.
    """
    if kind not in _USER_DIRS:
        raise ValueError(f"user_dir: kind must be one of {sorted(_USER_DIRS)}, got {kind!r}.")
    own, xdg, default = _USER_DIRS[kind]
    value = env.get(own) if own else ""
    if value:
        return Path(value).expanduser().joinpath(*parts)
    value = env.get(xdg)
    base = Path(value).expanduser() if value else Path.home().joinpath(*default)
    return base.joinpath("cnncourse", *parts)


def write_atomic(target: str | os.PathLike, write: Callable[[Path], Any]) -> Path:
    """Write ``target`` through a temporary file beside it, then rename: the one way the
    package writes a file another process may be reading (data copies, cached weights).

    ``write(tmp)`` fills the temporary path; a reader never sees half a file, and the
    temporary file is removed if ``write`` fails. Creates the parent folder. Returns ``target``.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target


def pick(quick: Any, full: Any) -> Any:
    """Return ``quick`` in quick mode and ``full`` otherwise, e.g. ``pick(1, 10)`` epochs."""
    return quick if is_quick() else full


def device() -> Any:
    """The best available ``torch.device``: CUDA, then Apple MPS, then CPU."""
    import torch

    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int = 0) -> int:
    """Seed Python, NumPy and torch (all devices) so a run repeats. Returns the seed used."""
    whole_number(seed, "seed", "seed_everything", minimum=0)
    import numpy as np  # torchvision and matplotlib need it, so it is always there
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)

    torch.manual_seed(seed)
    return seed


def summary(threads: int | None = None, cores: str | None = None) -> str:
    """One line describing the settings, printed by each notebook's setup cell.

    ``cores``: where the core count came from, e.g. ``"1 core: CPU_LIMIT=1"``.
    """
    mode = "quick" if is_quick() else "full"
    net = "offline" if is_offline() else "online allowed"
    cpu = f" | threads={threads}" if threads is not None else ""
    cpu += f" ({cores})" if cores and threads is not None else ""
    return f"device={device()}{cpu} | mode={mode} | network={net} | data={data_dir()}"


def start(seed: int = 0) -> Any:
    """Run by every notebook's setup cell: seed, pick the device and CPU threads, print settings.

    Applies the thread policy (:func:`cnncourse.threads.thread_policy`, ``CNNCOURSE_THREADS``)
    and, when the CPU is overloaded, prints one line that says so and how to fix it. In Colab
    it says whether the runtime has a GPU (:func:`cnncourse.course.colab.runtime_line`).
    Returns the ``torch.device`` to use.
    """
    from cnncourse import threads
    from cnncourse.course.colab import runtime_line

    seed_everything(seed)
    policy = threads.set_threads()
    dev = device()
    print(f"cnncourse ready: {summary(policy.threads, policy.quota)}")
    for line in (runtime_line(), threads.overload_line(policy.load_cores, policy.load,
                                                       policy.threads)):
        if line:
            print(line)
    return dev
