"""The thread policy honours a CPU quota it can see: CPU_LIMIT, below the affinity mask.

A quota (JupyterHub's cpu_limit, Kubernetes limits.cpu, both exporting CPU_LIMIT) leaves every
host core in the affinity mask, so the mask alone would pick far too many threads.
"""

from __future__ import annotations

import pytest
import torch

from cnncourse import settings
from cnncourse import threads as cpu


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.fixture
def many_cores(monkeypatch):
    """A 32-core machine, all in the affinity mask, no CPU_LIMIT, no CNNCOURSE_THREADS, idle."""
    monkeypatch.setattr(cpu.os, "sched_getaffinity", lambda pid: set(range(32)),
                        raising=False)
    monkeypatch.setattr(cpu.os, "cpu_count", lambda: 32)
    monkeypatch.delenv("CPU_LIMIT", raising=False)
    monkeypatch.delenv("CNNCOURSE_THREADS", raising=False)
    monkeypatch.setattr(cpu, "load_average", lambda: 0.0)


def test_cpu_limit_on_a_many_core_host_picks_one_thread(many_cores, monkeypatch):
    assert cpu.thread_policy().threads == 16       # no quota: half of 32 cores
    monkeypatch.setenv("CPU_LIMIT", "1")
    limit = cpu.core_limit()
    assert (limit.cores, limit.source, str(limit)) == (1, "CPU_LIMIT=1", "1 core: CPU_LIMIT=1")
    policy = cpu.thread_policy()
    assert (policy.threads, policy.cores, policy.limit.source) == (1, 1, "CPU_LIMIT=1")
    assert "1 core: CPU_LIMIT=1" in str(policy)


@pytest.mark.parametrize("value, cores", [("2.5", 2), ("0.5", 1), ("4", 4), ("64", 32)])
def test_cpu_limit_is_rounded_down_and_at_least_one(many_cores, monkeypatch, value, cores):
    monkeypatch.setenv("CPU_LIMIT", value)
    limit = cpu.core_limit()
    assert limit.cores == cores
    assert limit.source == (f"CPU_LIMIT={value}" if cores < 32 else "affinity mask")


@pytest.mark.parametrize("value", ["", "abc", "0", "-1", "nan", "inf"])
def test_a_meaningless_cpu_limit_is_ignored(many_cores, monkeypatch, value):
    monkeypatch.setenv("CPU_LIMIT", value)
    assert cpu.core_limit() == cpu.CoreLimit(32, "affinity mask")


def test_the_affinity_mask_wins_when_smaller_than_cpu_limit(many_cores, monkeypatch):
    monkeypatch.setenv("CPU_LIMIT", "2")
    assert cpu.core_limit().source == "CPU_LIMIT=2"
    monkeypatch.setattr(cpu.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert cpu.core_limit() == cpu.CoreLimit(1, "affinity mask")


def test_setup_line_and_doctor_say_where_the_limit_came_from(many_cores, monkeypatch,
                                                             capsys, restore_threads):
    monkeypatch.setenv("CPU_LIMIT", "1")
    monkeypatch.setattr(cpu, "load_average", lambda: 20.0)  # a busy 32-core hub host
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


def test_one_pinned_core_on_a_busy_machine_is_not_overloaded(many_cores, monkeypatch, capsys,
                                                              restore_threads):
    # The load average counts every process on the machine, so it is compared with the
    # machine's cores (os.cpu_count()), not with the one core this kernel is pinned to.
    monkeypatch.setattr(cpu.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(cpu, "load_average", lambda: 20.0)
    settings.start(seed=0)
    out = capsys.readouterr().out
    assert "threads=1 |" in out and "overloaded" not in out
    monkeypatch.setattr(cpu, "load_average", lambda: 40.0)   # more than the machine's cores
    settings.start(seed=0)
    assert "load average 40.0 on 32 cores" in capsys.readouterr().out
