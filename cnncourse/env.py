"""Every environment variable the package reads, read here and nowhere else.

Learners never need to set anything. ``ENVIRONMENT`` holds the same table as this list;
``cnncourse doctor`` prints it, and README.md's table is tested against it:

- ``CNNCOURSE_DATA``: the data folder (default: this user's cache folder, below).
- ``CNNCOURSE_CACHE``: this user's cache folder (default ``$XDG_CACHE_HOME/cnncourse`` or
  ``~/.cache/cnncourse``): unpacked copies of a read-only folder's archives, cached backbones.
- ``CNNCOURSE_QUICK`` = 1: tiny subsets and one short epoch, so a notebook runs in seconds.
- ``CNNCOURSE_OFFLINE`` = 1: never touch the network; use local files or built-in data.
- ``CNNCOURSE_SEED``: a whole number added to every seed the notebooks set, so a tool
  (``benchmarks/across_runs.py``) can repeat a notebook from other random starting points.
- ``CNNCOURSE_CLAIMS_LOG``: a file every ``claim(...)`` and ``compare(...)`` verdict is appended
  to (``benchmarks/across_runs.py`` sets it).
- ``CNNCOURSE_THREADS``: CPU threads for torch: a whole number, ``all`` (every core, torch's
  own default) or ``auto`` (the default; see :func:`cnncourse.threads.thread_policy`).
- ``CNNCOURSE_WIDGETS`` = 0: show quizzes and widgets as static text and pictures.
- ``CNNCOURSE_LEADERBOARD``: the capstone leaderboard file a workshop shares (default: this
  user's state folder, ``$XDG_STATE_HOME/cnncourse`` or ``~/.local/state/cnncourse``).
- ``CNNCOURSE_USER``: the name a run is recorded under (default: the login name).
- ``CNNCOURSE_ROOM_URL``, ``JUPYTERHUB_API_TOKEN``: set in a workshop room by its hub: where
  :mod:`cnncourse.course.room` sends progress, and who the learner is.
- ``CPU_LIMIT``: a CPU quota in cores, set by JupyterHub's spawners (``Spawner.cpu_limit``)
  and Kubernetes; the thread policy counts it (:func:`cnncourse.threads.core_limit`).
- ``XDG_CACHE_HOME``, ``XDG_STATE_HOME``: the usual per-user base folders.
"""

from __future__ import annotations

import os

ENVIRONMENT: dict[str, str] = {
    "CNNCOURSE_DATA": "the data folder (default: the cache folder)",
    "CNNCOURSE_CACHE": "this user's cache folder (default ~/.cache/cnncourse)",
    "CNNCOURSE_QUICK": "1: tiny data and short runs (tests)",
    "CNNCOURSE_OFFLINE": "1: never use the network",
    "CNNCOURSE_SEED": "a whole number added to every seed the notebooks set (across_runs.py)",
    "CNNCOURSE_CLAIMS_LOG": "a file each claim's verdict is appended to (across_runs.py)",
    "CNNCOURSE_THREADS": "CPU threads for torch: a number, all or auto (default)",
    "CNNCOURSE_WIDGETS": "0: quizzes and widgets as static text and pictures",
    "CNNCOURSE_LEADERBOARD": "the capstone leaderboard file a workshop shares",
    "CNNCOURSE_USER": "the name capstone runs are recorded under",
    "CNNCOURSE_ROOM_URL": "set by a workshop room: where progress and capstone runs go",
    "JUPYTERHUB_API_TOKEN": "set by JupyterHub: identifies the learner to the room",
    "CPU_LIMIT": "a CPU quota in cores (JupyterHub, Kubernetes); the thread policy counts it",
    "XDG_CACHE_HOME": "base of the default cache folder (default ~/.cache)",
    "XDG_STATE_HOME": "base of the default state folder (default ~/.local/state)",
}
"""Every environment variable the package reads, with what it does (``cnncourse doctor``)."""
SECRET = {"JUPYTERHUB_API_TOKEN"}  # doctor says whether it is set, never its value

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def raw(name: str) -> str | None:
    """The value of ``name`` as set (None when unset); only variables in ``ENVIRONMENT``."""
    if name not in ENVIRONMENT:
        raise KeyError(f"env: {name!r} is not a variable the package reads; add it to "
                       f"cnncourse.env.ENVIRONMENT (and README.md's table) first.")
    return os.environ.get(name)


def get(name: str) -> str:
    """The value of ``name`` without surrounding spaces; "" when unset or blank."""
    return (raw(name) or "").strip()


def flag(name: str, default: bool = False) -> bool:
    """``name`` as a switch, the one truthy rule: 1/true/yes/on is True, 0/false/no/off False,
    anything else (unset included) ``default``."""
    value = get(name).lower()
    return True if value in _TRUE else False if value in _FALSE else default
