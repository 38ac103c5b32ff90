"""Settings every notebook reads: device, seed, folders, quick and offline modes.

Learners never need to set anything. Every environment variable the package reads is here,
once (``ENVIRONMENT`` holds the same table; ``cnncourse doctor`` prints it, and README.md's
table is tested against it):

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
  own default) or ``auto`` (the default; see :func:`thread_policy`).
- ``CNNCOURSE_WIDGETS`` = 0: show quizzes and widgets as static text and pictures.
- ``CNNCOURSE_LEADERBOARD``: the capstone leaderboard file a workshop shares (default: this
  user's state folder, ``$XDG_STATE_HOME/cnncourse`` or ``~/.local/state/cnncourse``).
- ``CNNCOURSE_USER``: the name a run is recorded under (default: the login name).
- ``CPU_LIMIT``: a CPU quota in cores, set by JupyterHub's spawners (``Spawner.cpu_limit``)
  and Kubernetes; the thread policy counts it (:func:`usable_cores`).
- ``XDG_CACHE_HOME``, ``XDG_STATE_HOME``: the usual per-user base folders.
"""

from __future__ import annotations

import math
import os
import random
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnncourse.validate import whole_number

_TRUE = {"1", "true", "yes", "on"}

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
    "CPU_LIMIT": "a CPU quota in cores (JupyterHub, Kubernetes); the thread policy counts it",
    "XDG_CACHE_HOME": "base of the default cache folder (default ~/.cache)",
    "XDG_STATE_HOME": "base of the default state folder (default ~/.local/state)",
}
"""Every environment variable the package reads, with what it does (``cnncourse doctor``)."""


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

    ``CNNCOURSE_DATA`` wins; otherwise this user's cache folder, ``user_dir("cache")``.
    """
    env = os.environ.get("CNNCOURSE_DATA", "").strip()
    if env:
        return Path(env).expanduser()
    return user_dir("cache")


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
    value = os.environ.get(own, "").strip() if own else ""
    if value:
        return Path(value).expanduser().joinpath(*parts)
    value = os.environ.get(xdg, "").strip()
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
    """Seed Python, NumPy and torch (all devices) so a run repeats. Returns the seed used.

    With ``CNNCOURSE_SEED`` set, its value is added to ``seed`` (see :func:`run_seed`).
    """
    whole_number(seed, "seed", "seed_everything", minimum=0)
    seed = run_seed(seed)
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % 2**32)
    except ImportError:  # numpy is optional for the seed helper
        pass
    import torch

    getattr(torch.manual_seed, "_cnncourse_original", torch.manual_seed)(seed)
    return seed


def run_seed(seed: int = 0) -> int:
    """``seed`` shifted by ``CNNCOURSE_SEED`` when that is set, so a tool can repeat a run.

    ``benchmarks/across_runs.py`` runs a notebook with ``CNNCOURSE_SEED=1, 2, ...``: every seed
    the course sets (``start()``, ``fit(seed=...)``, a cell's ``torch.manual_seed(0)``) moves by
    that much, so each run starts from other weights and another shuffle. Unset, it is 0.
    """
    value = os.environ.get("CNNCOURSE_SEED", "").strip()
    if not value:
        return seed
    try:
        offset = int(value)
    except ValueError:
        offset = -1
    if offset < 0:
        raise ValueError(f"CNNCOURSE_SEED must be a non-negative whole number, got {value!r}. "
                         "Unset it to use the notebooks' own starting points.")
    return seed + offset


def _shift_manual_seed() -> None:
    # Under CNNCOURSE_SEED, a notebook cell's own torch.manual_seed(s) becomes s + offset too.
    import torch

    if run_seed(0) == 0 or hasattr(torch.manual_seed, "_cnncourse_original"):
        return
    original = torch.manual_seed

    def manual_seed(seed: int) -> Any:
        return original(run_seed(int(seed)))

    manual_seed._cnncourse_original = original  # type: ignore[attr-defined]
    manual_seed.__doc__ = original.__doc__
    torch.manual_seed = manual_seed


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
    limit: str = ""     # where the core count came from (CoreLimit.source), "" when given
    machine: int = 0    # cores in the affinity mask, which the load average is spread over

    @property
    def load_cores(self) -> int:
        """The cores to compare the (machine-wide) load average with.

        Under a quota (``CPU_LIMIT``, cgroups) the load counts every process on the host,
        so it is compared with the host's cores, not with this kernel's share.
        """
        return max(self.cores, self.machine)

    def __str__(self) -> str:
        limit = f"; {self.cores} core{'' if self.cores == 1 else 's'}: {self.limit}" \
            if self.limit else ""
        return f"{self.threads} of {self.cores} cores ({self.source}: {self.reason}{limit})"


@dataclass(frozen=True)
class CoreLimit:
    """How many cores this process may use, and the limit that says so (``source``)."""

    cores: int
    source: str  # e.g. "CPU_LIMIT=1", "cgroup v2 cpu.max 100000 100000", "affinity mask"

    def __str__(self) -> str:
        return f"{self.cores} core{'' if self.cores == 1 else 's'}: {self.source}"


_NO_QUOTA = ("affinity mask", "os.cpu_count()")
CPU_LIMIT_ENV = "CPU_LIMIT"  # set by JupyterHub's spawners (Spawner.cpu_limit), Kubernetes too
CGROUP_ROOT = Path("/sys/fs/cgroup")


def _affinity_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS and Windows have no affinity mask
        return max(1, os.cpu_count() or 1)


def _whole_cores(value: float) -> int:
    """A fractional core limit as whole threads: rounded down, at least 1."""
    return max(1, math.floor(value + 1e-9))


def _env_cpu_limit(environ: Any) -> tuple[float, str] | None:
    text = str(environ.get(CPU_LIMIT_ENV, "") or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None  # not ours to reject: the spawner wrote it; ignore what is not a number
    if not math.isfinite(value) or value <= 0:
        return None
    return value, f"{CPU_LIMIT_ENV}={text}"


def _cgroup_paths(proc_cgroup: Path) -> tuple[str | None, str | None, str | None]:
    """This process's cgroup v2 path and cgroup v1 ``cpu`` path and its controller dir name."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return None, None, None
    v2 = v1 = v1_dir = None
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            v2 = path
        elif "cpu" in controllers.split(","):
            v1, v1_dir = path, controllers
    return v2, v1, v1_dir


def _read_words(path: Path) -> list[str] | None:
    try:
        return path.read_text().split()
    except (OSError, UnicodeDecodeError):
        return None


def _walk_up(base: Path, path: str) -> list[Path]:
    """Folders from this cgroup up to the mount's root (a limit on a parent applies too).

    Inside a container the cgroup path in /proc may name the host's hierarchy while the
    container's own cgroup is mounted as the root: both are tried.
    """
    parts = [p for p in path.strip("/").split("/") if p]
    found = [base.joinpath(*parts[:i]) for i in range(len(parts), 0, -1)]
    return [*found, base]


def _cgroup_limits(root: Path, proc_cgroup: Path) -> list[tuple[float, str]]:
    """Every CPU quota on this process's cgroup and its parents, v2 and v1, as cores."""
    v2, v1, v1_dir = _cgroup_paths(proc_cgroup)
    limits: list[tuple[float, str]] = []
    if v2 is not None:
        for base in (root, root / "unified"):
            for folder in _walk_up(base, v2):
                words = _read_words(folder / "cpu.max")
                if words and len(words) >= 2 and words[0] != "max":
                    try:
                        quota, period = float(words[0]), float(words[1])
                    except ValueError:
                        continue
                    if quota > 0 and period > 0:
                        limits.append((quota / period,
                                       f"cgroup v2 cpu.max {words[0]} {words[1]}"))
    if v1 is not None:
        names = [v1_dir, "cpu", "cpu,cpuacct", "cpuacct,cpu"]
        for base in dict.fromkeys(root / n for n in names if n):
            for folder in _walk_up(base, v1):
                quota_words = _read_words(folder / "cpu.cfs_quota_us")
                period_words = _read_words(folder / "cpu.cfs_period_us")
                if not quota_words or not period_words:
                    continue
                try:
                    quota, period = float(quota_words[0]), float(period_words[0])
                except ValueError:
                    continue
                if quota > 0 and period > 0:  # -1: no quota
                    limits.append((quota / period, f"cgroup v1 cpu.cfs_quota_us "
                                                   f"{quota_words[0]} / cpu.cfs_period_us "
                                                   f"{period_words[0]}"))
    return limits


def core_limit(environ: Any = None, cgroup_root: str | Path | None = None,
               proc_cgroup: str | Path | None = None) -> CoreLimit:
    """The cores this process may really use, and which limit decided it.

    The smallest of: the affinity mask (the cores it may run on), ``CPU_LIMIT`` (set by
    JupyterHub's spawners and on Kubernetes; rounded down, at least 1), the cgroup v2
    ``cpu.max`` quota and the cgroup v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` quota
    (Docker ``--cpus``, systemd ``CPUQuota=``, Kubernetes ``limits.cpu``). A quota leaves
    every core in the affinity mask, so the mask alone would pick far too many threads.

    Args:
        environ: the environment to read ``CPU_LIMIT`` from (default ``os.environ``).
        cgroup_root: where the cgroup file systems are mounted (default ``/sys/fs/cgroup``).
        proc_cgroup: this process's cgroup list (default ``/proc/self/cgroup``).
    """
    environ = os.environ if environ is None else environ
    root = CGROUP_ROOT if cgroup_root is None else Path(cgroup_root)
    proc = Path("/proc/self/cgroup") if proc_cgroup is None else Path(proc_cgroup)
    affinity = _affinity_cores()
    best = CoreLimit(affinity, "affinity mask" if hasattr(os, "sched_getaffinity")
                     else "os.cpu_count()")
    candidates: list[tuple[float, str]] = []
    env = _env_cpu_limit(environ)
    if env:
        candidates.append(env)
    if sys.platform.startswith("linux") or cgroup_root is not None:
        candidates.extend(_cgroup_limits(root, proc))
    for value, source in candidates:
        cores = _whole_cores(value)
        if cores < best.cores:
            best = CoreLimit(cores, source)
    return best


def usable_cores() -> int:
    """CPU cores this process may use: the smallest limit of :func:`core_limit`."""
    return core_limit().cores


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
        cores: usable cores (:func:`usable_cores`).
        load: the 1-minute load average, or None when unknown.
        machine: cores the load average is spread over when more than ``cores`` (a quota on
            a bigger host: the load counts the whole host).
    Returns:
        ``(threads, reason)``.
    """
    whole_number(cores, "cores", "choose_threads")
    half = max(1, cores // 2)
    if load is None or not math.isfinite(load) or load < 0:
        return half, "half the cores, leaving room for a second notebook (load unknown)"
    spread = max(cores, machine if isinstance(machine, int) else 0)
    free = max(1, math.floor(spread - load))
    if free < half:
        return free, (f"the CPU is busy (load {load:.1f} on {spread} cores): only "
                      f"{free} {'core is' if free == 1 else 'cores are'} free")
    return half, (f"half the cores, leaving room for a second notebook (load {load:.1f})")


def thread_policy(env: str | None = None, cores: int | None = None,
                  load: float | None = None) -> ThreadPolicy:
    """Decide the thread count from ``CNNCOURSE_THREADS`` (or ``env``), the cores and the load.

    ``cores`` and ``load`` default to this machine's (:func:`usable_cores`, :func:`load_average`);
    tests pass them. A bad ``CNNCOURSE_THREADS`` raises ``ValueError`` saying how to fix it.
    """
    limit, machine = "", 0
    if cores is None:
        found = core_limit()
        cores = usable_cores()  # the same figure; tests replace usable_cores alone
        if found.cores == cores:
            limit, machine = found.source, _affinity_cores()
    load = load_average() if load is None else load
    raw = os.environ.get(THREADS_ENV) if env is None else env
    chosen = parse_threads(raw, cores)
    if chosen is None:
        threads, reason = choose_threads(cores, load, machine)
        return ThreadPolicy(threads, cores, load, "auto", reason, limit, machine)
    reason = "set by you" + (f"; more threads than the {cores} cores slows training down"
                             if chosen > cores else "")
    return ThreadPolicy(chosen, cores, load, f"{THREADS_ENV}={raw.strip()}", reason, limit,
                        machine)


def set_threads(threads: int | None = None) -> ThreadPolicy:
    """Apply a thread count to torch now (``None``: the policy from :func:`thread_policy`).

    Works inside a running notebook, e.g. ``cc.settings.set_threads(1)`` when the CPU is
    shared. Inter-op threads are set too while torch still allows it (before parallel work).
    """
    import torch

    if threads is None:
        policy = thread_policy()
    else:
        whole_number(threads, "threads", "set_threads")
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


def summary(threads: int | None = None, cores: str | None = None) -> str:
    """One line describing the settings, printed by each notebook's setup cell.

    ``cores``: where the core count came from, e.g. ``"1 core: CPU_LIMIT=1"``.
    """
    mode = "quick" if is_quick() else "full"
    net = "offline" if is_offline() else "online allowed"
    cpu = f" | threads={threads}" if threads is not None else ""
    cpu += f" ({cores})" if cores and threads is not None else ""
    return f"device={device()}{cpu} | mode={mode} | network={net} | data={data_dir()}"


# ---------------------------------------------------------------- Colab: CPU or GPU
#
# In Colab the setup line says which runtime the notebook got. Learners on a CPU runtime
# often do not notice (a training notebook then takes many times longer), so the line says
# so, how to switch, and how long the training notebooks took on the measured machine.

RUN_TIMES_FILE = "timing.json"    # cnncourse/timing.json: `cnncourse stamp` copies docs/timing.json
TRAINING_SECONDS = 20.0           # notebooks that ran this long or longer are "the training ones"
SWITCH_TO_GPU = ("Runtime > Change runtime type > Hardware accelerator: a GPU (e.g. T4) > "
                 "Save, then run this notebook again from the top")


def about(seconds: float) -> str:
    """A run time as a person says it: ``about(22.4)`` -> ``"about 20 s"``.

    Rounded so that small run-to-run noise does not change the text: under 10 s, then to 5 s
    below 90 s, then to half minutes up to 10 minutes, then to whole minutes.
    """
    if seconds < 0:
        raise ValueError(f"about: expected seconds >= 0, got {seconds}.")
    if seconds < 10:
        return "under 10 s"
    if seconds < 90:
        return f"about {max(10, 5 * round(seconds / 5))} s"
    if seconds < 600:
        return f"about {round(seconds / 30) / 2:g} minutes"
    return f"about {round(seconds / 60)} minutes"


def run_times() -> dict[str, Any] | None:
    """The timing record shipped with the package (a copy of ``docs/timing.json``), or None."""
    import json
    from importlib import resources

    try:
        text = resources.files("cnncourse").joinpath(RUN_TIMES_FILE).read_text(encoding="utf-8")
        record = json.loads(text)
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("notebooks"), dict):
        return None
    return record


def training_times(record: dict[str, Any] | None) -> str | None:
    """The training notebooks' run times in one phrase, e.g. "05 about 30 s, ..., 09 about 2
    minutes (about 6.5 minutes together) on a 2-core CPU", or None without a record."""
    if not record:
        return None
    slow = {name: float(entry["seconds"]) for name, entry in sorted(record["notebooks"].items())
            if entry.get("status", "ok") == "ok"
            and float(entry.get("seconds", 0)) >= TRAINING_SECONDS}
    if not slow:
        return None
    each = ", ".join(f"{name[:2]} {about(sec)}" for name, sec in slow.items())
    mode = "" if record.get("mode", "full") == "full" else f", {record['mode']} mode"
    return (f"{each} ({about(sum(slow.values()))} together) on {record.get('where', 'a CPU')}"
            f"{mode}")


def gpu_name() -> str | None:
    """The CUDA GPU's name and memory, e.g. "Tesla T4, 15 GiB", or None without one."""
    import torch

    if not torch.cuda.is_available():
        return None
    props = torch.cuda.get_device_properties(0)
    return f"{props.name}, {props.total_memory / 2**30:.0f} GiB"


def runtime_line(colab: bool | None = None, gpu: str | None | bool = True,
                 record: dict[str, Any] | None | bool = True) -> str | None:
    """In Colab, one line on the runtime: the GPU's name, or that it is a CPU and how to switch.

    Outside Colab (``colab`` defaults to :func:`in_colab`) there is nothing to say: None.
    ``gpu`` and ``record`` default to this machine's (:func:`gpu_name`, :func:`run_times`);
    tests pass their own.
    """
    colab = in_colab() if colab is None else colab
    if not colab:
        return None
    gpu = gpu_name() if gpu is True else gpu
    times = training_times(run_times() if record is True else record or None)
    if gpu:
        line = f"cnncourse: Colab runs this notebook on a GPU ({gpu})."
        if times:
            line += f" The stated run times were measured without one: the training notebooks took {times}."
        return line
    line = ("cnncourse: Colab runs this notebook on a CPU, with no GPU, so training is slow. "
            f"To get a GPU: {SWITCH_TO_GPU}.")
    if times:
        line += f" On a CPU the training notebooks take {times}."
    return line


def start(seed: int = 0) -> Any:
    """Run by every notebook's setup cell: seed, pick the device and CPU threads, print settings.

    Applies the thread policy (:func:`thread_policy`, ``CNNCOURSE_THREADS``) and, when the
    CPU is overloaded, prints one line that says so and how to fix it. In Colab it says
    whether the runtime has a GPU (:func:`runtime_line`).
    Returns the ``torch.device`` to use.
    """
    _shift_manual_seed()
    seed_everything(seed)
    policy = set_threads()
    dev = device()
    quota = policy.limit and policy.limit not in _NO_QUOTA  # a quota below the mask: say so
    cores = (f"{policy.cores} core{'' if policy.cores == 1 else 's'}: {policy.limit}"
             if quota else None)
    print(f"cnncourse ready: {summary(policy.threads, cores)}")
    colab_line = runtime_line()
    if colab_line:
        print(colab_line)
    line = overload_line(policy.load_cores, policy.load, policy.threads)
    if line:
        print(line)
    return dev
