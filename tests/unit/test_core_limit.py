"""The thread policy honours CPU quotas: CPU_LIMIT, cgroup v2 cpu.max, cgroup v1 cfs quota.

A quota (JupyterHub's cpu_limit, Docker --cpus, Kubernetes limits.cpu) leaves every host core
in the affinity mask, so each source is faked here (the environment, files under a temporary
cgroup root) and one test runs a process under a real cgroup quota where root may make one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import torch

from cnncourse import settings


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.fixture
def many_cores(monkeypatch):
    """A 32-core affinity mask, no CPU_LIMIT, no CNNCOURSE_THREADS, an idle machine."""
    monkeypatch.setattr(settings.os, "sched_getaffinity", lambda pid: set(range(32)),
                        raising=False)
    monkeypatch.delenv("CPU_LIMIT", raising=False)
    monkeypatch.delenv("CNNCOURSE_THREADS", raising=False)
    monkeypatch.setattr(settings, "load_average", lambda: 0.0)
    monkeypatch.setattr(settings, "CGROUP_ROOT", Path("/nonexistent-cgroup-root"))


def fake_cgroups(tmp_path, lines, files):
    """A /proc/self/cgroup with ``lines`` and a cgroup root holding ``files`` {relpath: text}."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    proc = tmp_path / "self-cgroup"
    proc.write_text("".join(f"{line}\n" for line in lines))
    root = tmp_path / "cgroup"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root, proc


def test_cpu_limit_on_a_many_core_host_picks_one_thread(many_cores, monkeypatch):
    assert settings.thread_policy().threads == 16       # no quota: half of 32 cores
    monkeypatch.setenv("CPU_LIMIT", "1")
    limit = settings.core_limit()
    assert (limit.cores, limit.source, str(limit)) == (1, "CPU_LIMIT=1", "1 core: CPU_LIMIT=1")
    policy = settings.thread_policy()
    assert (policy.threads, policy.cores, policy.limit) == (1, 1, "CPU_LIMIT=1")
    assert "1 core: CPU_LIMIT=1" in str(policy)


@pytest.mark.parametrize("value, cores", [("2.5", 2), ("0.5", 1), ("4", 4), ("64", 32)])
def test_cpu_limit_is_rounded_down_and_at_least_one(many_cores, monkeypatch, value, cores):
    monkeypatch.setenv("CPU_LIMIT", value)
    limit = settings.core_limit()
    assert limit.cores == cores
    assert limit.source == (f"CPU_LIMIT={value}" if cores < 32 else "affinity mask")


@pytest.mark.parametrize("value", ["", "abc", "0", "-1", "nan", "inf"])
def test_a_meaningless_cpu_limit_is_ignored(many_cores, monkeypatch, value):
    monkeypatch.setenv("CPU_LIMIT", value)
    assert settings.core_limit() == settings.CoreLimit(32, "affinity mask")


def test_cgroup_v2_cpu_max(many_cores, tmp_path):
    root, proc = fake_cgroups(tmp_path, ["0::/user.slice/jupyter-ada.service"], {
        "user.slice/jupyter-ada.service/cpu.max": "200000 100000\n",
        "user.slice/cpu.max": "max 100000\n"})
    limit = settings.core_limit(cgroup_root=root, proc_cgroup=proc)
    assert (limit.cores, limit.source) == (2, "cgroup v2 cpu.max 200000 100000")


def test_cgroup_v2_parent_quota_counts_and_max_means_none(many_cores, tmp_path):
    root, proc = fake_cgroups(tmp_path, ["0::/kubepods/pod1/ctr"], {
        "kubepods/pod1/ctr/cpu.max": "max 100000\n",
        "kubepods/pod1/cpu.max": "150000 100000\n"})
    assert settings.core_limit(cgroup_root=root, proc_cgroup=proc).cores == 1  # 1.5: down
    root2, proc2 = fake_cgroups(tmp_path / "none", ["0::/a"], {"a/cpu.max": "max 100000\n"})
    assert settings.core_limit(cgroup_root=root2, proc_cgroup=proc2).source == "affinity mask"


def test_cgroup_v2_in_a_container_reads_its_own_root(many_cores, tmp_path):
    """With a cgroup namespace the path is "/" and the limit sits at the mount's root."""
    root, proc = fake_cgroups(tmp_path, ["0::/"], {"cpu.max": "300000 100000\n"})
    assert settings.core_limit(cgroup_root=root, proc_cgroup=proc).cores == 3


def test_cgroup_v1_cfs_quota(many_cores, tmp_path):
    root, proc = fake_cgroups(tmp_path, ["4:memory:/docker/abc", "3:cpu,cpuacct:/docker/abc"], {
        "cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "400000\n",
        "cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n"})
    limit = settings.core_limit(cgroup_root=root, proc_cgroup=proc)
    assert limit.cores == 4
    assert limit.source == "cgroup v1 cpu.cfs_quota_us 400000 / cpu.cfs_period_us 100000"


def test_cgroup_v1_no_quota_is_minus_one(many_cores, tmp_path):
    root, proc = fake_cgroups(tmp_path, ["2:cpu:/x"], {
        "cpu/x/cpu.cfs_quota_us": "-1\n", "cpu/x/cpu.cfs_period_us": "100000\n"})
    assert settings.core_limit(cgroup_root=root, proc_cgroup=proc).source == "affinity mask"


def test_the_smallest_limit_wins_and_is_named(many_cores, monkeypatch, tmp_path):
    root, proc = fake_cgroups(tmp_path, ["0::/a", "1:cpu:/b"], {
        "a/cpu.max": "800000 100000\n",
        "cpu/b/cpu.cfs_quota_us": "300000\n", "cpu/b/cpu.cfs_period_us": "100000\n"})
    monkeypatch.setenv("CPU_LIMIT", "6")
    assert settings.core_limit(cgroup_root=root, proc_cgroup=proc).source.startswith(
        "cgroup v1")
    monkeypatch.setenv("CPU_LIMIT", "2")
    assert settings.core_limit(cgroup_root=root, proc_cgroup=proc).source == "CPU_LIMIT=2"
    monkeypatch.setattr(settings.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert settings.core_limit(cgroup_root=root, proc_cgroup=proc) == \
        settings.CoreLimit(1, "affinity mask")


def test_setup_line_and_doctor_say_where_the_limit_came_from(many_cores, monkeypatch,
                                                             capsys, restore_threads):
    monkeypatch.setenv("CPU_LIMIT", "1")
    monkeypatch.setattr(settings, "load_average", lambda: 20.0)  # a busy 32-core hub host
    settings.start(seed=0)
    out = capsys.readouterr().out
    assert "threads=1 (1 core: CPU_LIMIT=1)" in out
    assert "overloaded" not in out  # load 20 is spread over the host's 32 cores, not 1
    from cnncourse import cli

    cli.main(["doctor"])
    doctor = capsys.readouterr().out
    assert "1 core: CPU_LIMIT=1" in doctor


def test_no_quota_keeps_the_setup_line_short(many_cores, capsys, restore_threads):
    settings.start(seed=0)
    out = capsys.readouterr().out
    assert "threads=16 |" in out and "affinity" not in out


def _cpu_cgroup_v1() -> Path | None:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if "cpu" in controllers.split(","):
            base = Path("/sys/fs/cgroup") / controllers
            if not base.is_dir():
                base = Path("/sys/fs/cgroup/cpu")
            return base / path.lstrip("/")
    return None


def _make_real_quota(cores: int) -> tuple[Path, str]:
    """A fresh cgroup with a ``cores`` quota: (its folder, how to join it), or skip."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("a real cgroup quota needs root on Linux (this test runs as root in CI)")
    name = f"cnncourse-test-{uuid.uuid4().hex[:8]}"
    v2 = Path("/sys/fs/cgroup")
    if (v2 / "cgroup.controllers").is_file():
        if "cpu" not in (v2 / "cgroup.subtree_control").read_text().split():
            try:
                (v2 / "cgroup.subtree_control").write_text("+cpu")
            except OSError as err:
                pytest.skip(f"cannot enable the cgroup v2 cpu controller here: {err}")
        folder = v2 / name
        try:
            folder.mkdir()
            (folder / "cpu.max").write_text(f"{cores * 100000} 100000")
        except OSError as err:
            pytest.skip(f"cannot create a cgroup v2 quota here: {err}")
        return folder, "cgroup.procs"
    base = _cpu_cgroup_v1()
    if base is None or not base.is_dir():
        pytest.skip("no cgroup v1 cpu controller and no cgroup v2 at /sys/fs/cgroup")
    folder = base / name
    try:
        folder.mkdir()
        (folder / "cpu.cfs_period_us").write_text("100000")
        (folder / "cpu.cfs_quota_us").write_text(str(cores * 100000))
    except OSError as err:
        pytest.skip(f"cannot create a cgroup v1 quota here: {err}")
    return folder, "cgroup.procs"


def test_a_real_cgroup_quota_is_honoured(tmp_path):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs at least 2 cores in the affinity mask to show a 1-core quota")
    folder, procs = _make_real_quota(1)
    script = ("import os, sys\n"
              f"open({str(folder / procs)!r}, 'w').write(str(os.getpid()))\n"
              "from cnncourse import settings\n"
              "policy = settings.thread_policy()\n"
              "print(settings.core_limit(), '|', len(os.sched_getaffinity(0)), '|',"
              " policy.threads)\n")
    env = {k: v for k, v in os.environ.items() if k not in {"CPU_LIMIT", "CNNCOURSE_THREADS"}}
    try:
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                             text=True, timeout=120, check=True).stdout.strip()
    finally:
        folder.rmdir()  # empty again once the process has exited
    limit, mask, threads = (part.strip() for part in out.split("|"))
    assert int(mask) >= 2                      # the quota leaves every core in the mask ...
    assert limit.startswith("1 core: cgroup v")  # ... and the policy still sees one core
    assert threads == "1"
