"""Every environment variable the package reads, read here and nowhere else: :data:`ENVIRONMENT`
lists them (``cnncourse doctor`` prints it). Learners never need to set anything."""

from __future__ import annotations

import os

ENVIRONMENT: dict[str, str] = {
    "CNNCOURSE_DATA": "the data folder (default: the cache folder)",
    "CNNCOURSE_CACHE": "this user's cache folder (default ~/.cache/cnncourse): unpacked "
                       "copies of a read-only folder's archives, cached backbones",
    "CNNCOURSE_QUICK": "1: tiny data and short runs (tests)",
    "CNNCOURSE_OFFLINE": "1: never use the network",
    "CNNCOURSE_THREADS": "CPU threads for torch: a number, all or auto (default; "
                         "cnncourse.threads.thread_policy)",
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
