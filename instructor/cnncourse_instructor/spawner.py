"""The room's spawner: JupyterHub's ``LocalProcessSpawner`` with each learner's server in
its own cgroup (:mod:`cnncourse_instructor.cgroups`): an enforced CPU quota and memory limit
where the host allows it (CPUs of its own only with ``pin_cpus``). ``cnncourse-instructor hub`` configures it; only
the hub process imports this module (it needs JupyterHub)."""

from __future__ import annotations

import os

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Bool, List, Unicode

from cnncourse_instructor import cgroups


class RoomSpawner(LocalProcessSpawner):
    """A learner's server as their own system user, in ``cnncourse-room/<user>`` cgroups."""

    enforce_limits = Bool(True, config=True,
                          help="Put each server in a cgroup with cpu_limit and mem_limit "
                               "enforced, where the host allows it (else advisory only).")
    room_users = List(Unicode(), config=True,
                      help="The room's users in order: the n-th gets the n-th share of CPUs.")
    pin_cpus = Bool(False, config=True,
                    help="Also give each server ceil(cpu_limit) CPUs of its own (a cpuset and "
                         "its affinity mask). Off by default: the course compares the "
                         "machine-wide load average with the affinity mask, so on a busy "
                         "machine every pinned learner would be told the CPU is overloaded; "
                         "the quota already bounds each learner's share and CPU_LIMIT sets "
                         "their threads.")

    _cgroup: cgroups.UserCgroup | None = None
    _cpus: list[int] | None = None

    def _prepare_cgroup(self) -> None:
        self._cgroup, self._cpus = None, None
        try:
            available = sorted(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            available = []
        users = list(self.room_users)
        index = users.index(self.user.name) if self.user.name in users else len(users)
        cpus = cgroups.pick_cpus(index, self.cpu_limit, available)
        if self.pin_cpus and self.cpu_limit and available and len(cpus) < len(available):
            self._cpus = cpus  # pinned even where cgroups are not (the learner's affinity)
        if not self.enforce_limits:
            return
        support = cgroups.host_support()
        if not support.enforced:
            self.log.warning("room: limits for %s are advisory only: %s", self.user.name,
                             support.reason)
            return
        group = cgroups.UserCgroup(self.user.name, support.version)
        try:
            group.create(self.cpu_limit, self.mem_limit, self._cpus or [])
        except OSError as err:
            self.log.warning("room: could not make the cgroup of %s (%s); its limits are "
                             "advisory only", self.user.name, err)
            group.remove()
            return
        self._cgroup = group
        self.log.info("room: %s in cgroup v%s %s: cpu %s, memory %s, cpus %s",
                      self.user.name, support.version, cgroups.GROUP + "/" + self.user.name,
                      self.cpu_limit, self.mem_limit, self._cpus)

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)
        procs = self._cgroup.procs_files() if self._cgroup else []
        cpus = self._cpus

        def preexec() -> None:  # in the child, still root, before it becomes the learner
            pid = str(os.getpid())
            for path in procs:
                with open(path, "w") as f:
                    f.write(pid)
            if cpus:
                os.sched_setaffinity(0, cpus)
            become_user()

        return preexec

    async def start(self):
        self._prepare_cgroup()
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        if self._cgroup is not None:
            self._cgroup.remove()
            self._cgroup = None
