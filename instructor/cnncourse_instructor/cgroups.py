"""Real limits for each learner of the room: a cgroup per learner's server.

Each learner's Jupyter server (and every kernel it starts) runs in its own cgroup
``cnncourse-room/<user>`` with a CPU quota (``cpu_limit`` cores) and a memory limit; with
``RoomSpawner.pin_cpus`` (off by default, see there) also ``cpu_limit`` CPUs of their own
(a cpuset), so ``os.sched_getaffinity`` in a learner's kernel shows them. cgroup v2 where ``/sys/fs/cgroup/cgroup.controllers`` exists (the unified tree),
cgroup v1 (``/sys/fs/cgroup/{cpu,cpuset,memory}``) otherwise; the groups are made below the
hub's own groups, so whatever limits the hub itself has stay in force.

Where the host allows none of this (not root, a read-only ``/sys/fs/cgroup``, macOS), the
limits are advisory only: ``CPU_LIMIT`` and ``MEM_LIMIT`` in the learner's environment,
which the course's thread policy honours but nothing enforces. :func:`host_support` says
which. On a host where systemd is PID 1, ``jupyterhub-systemdspawner`` is the documented
alternative (a systemd unit per learner, with the same limits).
"""

from __future__ import annotations

import math
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
GROUP = "cnncourse-room"
PERIOD_US = 100_000
V1_CONTROLLERS = ("cpu", "memory", "cpuset")


@dataclass(frozen=True)
class Support:
    """What this host can enforce: ``version`` 2, 1 or None (advisory only), and why."""

    version: int | None
    reason: str

    @property
    def enforced(self) -> bool:
        return self.version is not None


def own_paths(proc_cgroup: str | None = None) -> dict[str, str]:
    """This process's cgroup path per v1 controller (``"cpu": "/"``), and ``""`` for v2."""
    text = proc_cgroup if proc_cgroup is not None else Path("/proc/self/cgroup").read_text()
    paths: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        for name in controllers.split(",") if controllers else [""]:
            paths[name] = path
    return paths


def host_support(root: Path = CGROUP_ROOT) -> Support:
    """Whether this host lets the hub put each learner in a cgroup with real limits."""
    if not Path("/proc/self/cgroup").exists():
        return Support(None, "no cgroups on this system (Linux only)")
    if os.geteuid() != 0:
        return Support(None, "the hub does not run as root, so it cannot make cgroups")
    if (root / "cgroup.controllers").exists():
        controllers = (root / "cgroup.controllers").read_text().split()
        missing = [c for c in ("cpu", "memory") if c not in controllers]
        if missing:
            return Support(None, f"cgroup v2 without the {' and '.join(missing)} controller")
        if not os.access(root / "cgroup.subtree_control", os.W_OK):
            return Support(None, f"{root} is read-only (a container without its own cgroups)")
        return Support(2, "cgroup v2")
    paths = own_paths()
    for name in ("cpu", "memory"):
        base = root / name / paths.get(name, "/").lstrip("/")
        if not (base / "cgroup.procs").exists():
            return Support(None, f"no cgroup v1 {name} controller mounted at {root / name}")
        if not os.access(base, os.W_OK):
            return Support(None, f"{base} is read-only (a container without its own cgroups)")
    return Support(1, "cgroup v1")


def pick_cpus(index: int, cores: float | None, available: list[int]) -> list[int]:
    """The CPUs of the ``index``-th learner: ``ceil(cores)`` of ``available``, round robin,
    so the learners spread over the machine. Every CPU when ``cores`` is None."""
    if not cores or not available:
        return list(available)
    n = min(len(available), max(1, math.ceil(cores)))
    start = (index * n) % len(available)
    return sorted({available[(start + k) % len(available)] for k in range(n)})


class UserCgroup:
    """The cgroup(s) of one learner: ``cnncourse-room/<user>`` below the hub's own group."""

    def __init__(self, user: str, version: int, root: Path = CGROUP_ROOT):
        self.user, self.version, self.root = user, version, root
        paths = own_paths()
        if version == 2:
            self.top = {"": root / GROUP}
        else:
            self.top = {c: root / c / paths.get(c, "/").lstrip("/") / GROUP
                        for c in V1_CONTROLLERS if (root / c / "cgroup.procs").exists()}
        self.dirs = {c: top / user for c, top in self.top.items()}

    def create(self, cores: float | None, mem_bytes: int | None, cpus: list[int]) -> None:
        """Make the group and write its limits (raises OSError where the host refuses)."""
        if self.version == 2:
            _enable_v2(self.root, self.top[""])
            d = self.dirs[""]
            d.mkdir(exist_ok=True)
            quota = f"{int(cores * PERIOD_US)} {PERIOD_US}" if cores else f"max {PERIOD_US}"
            (d / "cpu.max").write_text(quota)
            (d / "memory.max").write_text(str(mem_bytes) if mem_bytes else "max")
            if cpus and (d / "cpuset.cpus").exists():
                (d / "cpuset.cpus").write_text(_cpu_list(cpus))
            return
        for controller, top in self.top.items():
            top.mkdir(exist_ok=True)
            if controller == "cpuset":  # a cpuset takes no task until it has CPUs and nodes
                for name in ("cpuset.cpus", "cpuset.mems"):
                    if not (top / name).read_text().strip():
                        (top / name).write_text((top.parent / name).read_text().strip())
            self.dirs[controller].mkdir(exist_ok=True)
        d = self.dirs
        (d["cpu"] / "cpu.cfs_period_us").write_text(str(PERIOD_US))
        (d["cpu"] / "cpu.cfs_quota_us").write_text(str(int(cores * PERIOD_US)) if cores else "-1")
        (d["memory"] / "memory.limit_in_bytes").write_text(str(mem_bytes) if mem_bytes else "-1")
        if "cpuset" in d:
            (d["cpuset"] / "cpuset.mems").write_text(
                (self.top["cpuset"] / "cpuset.mems").read_text().strip())
            (d["cpuset"] / "cpuset.cpus").write_text(
                _cpu_list(cpus) if cpus else (self.top["cpuset"] / "cpuset.cpus").read_text())

    def procs_files(self) -> list[str]:
        """The files a process writes its PID into to join the group (every controller)."""
        return [str(d / "cgroup.procs") for d in self.dirs.values()]

    def pids(self) -> set[int]:
        found: set[int] = set()
        for d in self.dirs.values():
            try:
                found |= {int(p) for p in (d / "cgroup.procs").read_text().split()}
            except OSError:
                pass
        return found

    def remove(self, wait: float = 10) -> None:
        """End whatever still runs in the group, then delete it (and the room's group when
        it is empty). Safe to call when the group is already gone."""
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        deadline = time.monotonic() + wait
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        for d in self.dirs.values():
            _rmdir(d)
        for top in self.top.values():
            _rmdir(top)


def _enable_v2(root: Path, top: Path) -> None:
    """Let ``top`` and its children use the cpu, memory (and cpuset) controllers."""
    wanted = [c for c in ("cpu", "memory", "cpuset")
              if c in (root / "cgroup.controllers").read_text().split()]
    (root / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in wanted))
    top.mkdir(exist_ok=True)
    (top / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in wanted))


def _cpu_list(cpus: list[int]) -> str:
    return ",".join(str(c) for c in cpus)


def _rmdir(path: Path) -> None:
    try:
        path.rmdir()
    except FileNotFoundError:
        pass
    except OSError:  # still busy (a process that would not die) or not empty
        pass
