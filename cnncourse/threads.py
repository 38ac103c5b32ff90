"""How many CPU threads torch uses: ``CNNCOURSE_THREADS``, else half the usable cores, fewer
when the CPU is already busy (``settings.start()`` applies it)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from cnncourse import env
from cnncourse.validate import whole_number

THREADS_ENV = "CNNCOURSE_THREADS"
CPU_LIMIT_ENV = "CPU_LIMIT"  # set by JupyterHub's spawners (Spawner.cpu_limit), Kubernetes too


@dataclass(frozen=True)
class CoreLimit:
    """How many cores this process may use, and the limit that says so (``source``)."""

    cores: int
    source: str  # "CPU_LIMIT=1", "affinity mask" or "os.cpu_count()"

    def __str__(self) -> str:
        return f"{self.cores} core{'' if self.cores == 1 else 's'}: {self.source}"


@dataclass(frozen=True)
class ThreadPolicy:
    """How many CPU threads torch uses, and why: from ``CNNCOURSE_THREADS`` or chosen."""

    threads: int
    cores: int
    load: float | None  # 1-minute load average when chosen (None: unknown on this system)
    source: str         # "CNNCOURSE_THREADS=..." or "auto"
    reason: str
    limit: CoreLimit | None = None  # where the core count came from; None from set_threads(n)
    machine: int = 0    # the machine's cores (os.cpu_count()): the load average counts them all

    @property
    def load_cores(self) -> int:
        """The cores to compare the load average with: it counts every process on the machine,
        so the machine's cores, not this kernel's share (a quota or an affinity mask)."""
        return max(self.cores, self.machine)

    @property
    def quota(self) -> str | None:
        """``"1 core: CPU_LIMIT=1"`` when a quota below the affinity mask decided, else None."""
        if self.limit is None or not self.limit.source.startswith(CPU_LIMIT_ENV):
            return None
        return str(self.limit)

    def __str__(self) -> str:
        limit = f"; {self.limit}" if self.limit else ""
        return f"{self.threads} of {self.cores} cores ({self.source}: {self.reason}{limit})"


def core_limit() -> CoreLimit:
    """The cores this process may use: the affinity mask, or ``CPU_LIMIT`` when smaller.

    ``CPU_LIMIT`` (JupyterHub's spawners, Kubernetes) is rounded down, at least 1; a value
    that is not a positive number is ignored (the spawner wrote it, not the learner).
    """
    try:
        best = CoreLimit(max(1, len(os.sched_getaffinity(0))), "affinity mask")
    except (AttributeError, OSError):  # macOS and Windows have no affinity mask
        best = CoreLimit(max(1, os.cpu_count() or 1), "os.cpu_count()")
    text = env.get(CPU_LIMIT_ENV)
    try:
        value = float(text)
    except ValueError:
        return best
    if math.isfinite(value) and value > 0 and max(1, math.floor(value + 1e-9)) < best.cores:
        return CoreLimit(max(1, math.floor(value + 1e-9)), f"{CPU_LIMIT_ENV}={text}")
    return best


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


def choose_threads(cores: int, load: float | None, machine: int = 0) -> tuple[int, str]:
    """The automatic policy: half the cores, fewer when other work already keeps them busy.

    Half, so that a second notebook (or another learner's kernel) fits beside this one;
    ``cores - load``, in whole cores, is what other work leaves free. Always one thread at least.

    Args:
        cores: usable cores (:func:`core_limit`).
        load: the 1-minute load average, or None when unknown.
        machine: the machine's cores when more than ``cores`` (a quota or an affinity mask
            on a bigger machine: the load average counts the whole machine).
    Returns:
        ``(threads, reason)``.
    """
    whole_number(cores, "cores", "choose_threads")
    half = max(1, cores // 2)
    if load is None or not math.isfinite(load) or load < 0:
        return half, "half the cores, leaving room for a second notebook (load unknown)"
    spread = max(cores, machine)
    free = max(1, math.floor(spread - load))
    if free < half:
        return free, (f"the CPU is busy (load {load:.1f} on {spread} cores): only "
                      f"{free} {'core is' if free == 1 else 'cores are'} free")
    return half, (f"half the cores, leaving room for a second notebook (load {load:.1f})")


def thread_policy() -> ThreadPolicy:
    """Decide the thread count from ``CNNCOURSE_THREADS``, this machine's cores and its load.

    A bad ``CNNCOURSE_THREADS`` raises ``ValueError`` saying how to fix it.
    """
    limit = core_limit()
    machine = os.cpu_count() or 1  # the load average counts the whole machine
    load = load_average()
    raw = env.raw(THREADS_ENV)
    chosen = parse_threads(raw, limit.cores)
    if chosen is None:
        threads, reason = choose_threads(limit.cores, load, machine)
        return ThreadPolicy(threads, limit.cores, load, "auto", reason, limit, machine)
    reason = "set by you" + (f"; more threads than the {limit.cores} cores slows training down"
                             if chosen > limit.cores else "")
    return ThreadPolicy(chosen, limit.cores, load, f"{THREADS_ENV}={raw.strip()}", reason,
                        limit, machine)


def set_threads(threads: int | None = None) -> ThreadPolicy:
    """Apply a thread count to torch now (``None``: the policy from :func:`thread_policy`).

    Works inside a running notebook, e.g. ``cc.threads.set_threads(1)`` when the CPU is
    shared. Inter-op threads are set too while torch still allows it (before parallel work).
    """
    import torch

    if threads is None:
        policy = thread_policy()
    else:
        whole_number(threads, "threads", "set_threads")
        policy = ThreadPolicy(threads, core_limit().cores, load_average(), "set_threads",
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
                "cc.threads.set_threads(1) in this notebook")
    return (f"cnncourse: the CPU is overloaded (load average {load:.1f} on {cores} cores), so "
            f"training runs slower than the stated times; to fix it, {fix}.")
