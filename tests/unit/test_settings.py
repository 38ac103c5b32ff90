"""Settings: environment flags, data folder, seeding and device fallback."""

import random
from pathlib import Path

import pytest
import torch

from cnncourse import settings
from cnncourse import threads as cpu


@pytest.mark.parametrize("value,expected", [("1", True), ("true", True), ("0", False), ("", False)])
def test_quick_and_offline_flags(monkeypatch, value, expected):
    monkeypatch.setenv("CNNCOURSE_QUICK", value)
    monkeypatch.setenv("CNNCOURSE_OFFLINE", value)
    assert settings.is_quick() is expected
    assert settings.is_offline() is expected
    assert settings.pick("q", "f") == ("q" if expected else "f")


def test_data_dir_env_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("CNNCOURSE_DATA", str(tmp_path / "shared"))
    assert settings.data_dir() == tmp_path / "shared"


def test_data_dir_default_is_in_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("CNNCOURSE_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert settings.data_dir() == tmp_path / "cnncourse"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert settings.data_dir() == Path.home() / ".cache" / "cnncourse"


def test_seed_everything_repeats_python_numpy_torch():
    import numpy as np

    settings.seed_everything(7)
    first = (random.random(), np.random.rand(), torch.rand(3))
    settings.seed_everything(7)
    second = (random.random(), np.random.rand(), torch.rand(3))
    assert first[0] == second[0] and first[1] == second[1]
    assert torch.equal(first[2], second[2])


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_seed_everything_rejects_bad_seed(bad):
    with pytest.raises(ValueError, match="non-negative int"):
        settings.seed_everything(bad)


def test_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert settings.device().type == "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert settings.device().type == "mps"
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert settings.device().type == "cpu"


def test_start_prints_summary(capsys):
    dev = settings.start(seed=3)
    assert isinstance(dev, torch.device)
    out = capsys.readouterr().out
    assert "cnncourse ready" in out and "mode=" in out


# ---------------------------------------------------------------- CPU threads


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("cores, load, expected", [
    (2, 0.0, 1),      # a 2-core laptop: one thread, so a second notebook fits beside it
    (8, 0.3, 4),      # idle: half the cores
    (8, 5.2, 2),      # busy: what the other work leaves free (8 - 5.2 = 2.8: 2 whole cores)
    (8, 7.9, 1),
    (8, 30.0, 1),     # overloaded: never fewer than one
    (16, None, 8),    # no load average (Windows): half the cores
    (1, 0.0, 1),
    (3, 0.0, 1),
])
def test_choose_threads_half_the_cores_fewer_when_busy(cores, load, expected):
    threads, reason = cpu.choose_threads(cores, load)
    assert threads == expected and reason


def test_choose_threads_says_why():
    assert "busy" in cpu.choose_threads(8, 5.2)[1]
    assert "half the cores" in cpu.choose_threads(8, 0.0)[1]
    with pytest.raises(ValueError, match="positive int"):
        cpu.choose_threads(0, 0.0)


@pytest.mark.parametrize("value, expected", [
    (None, None), ("", None), ("auto", None), (" AUTO ", None), ("all", 6), ("1", 1),
    (" 3 ", 3), ("12", 12),
])
def test_parse_threads(value, expected):
    assert cpu.parse_threads(value, 6) == expected


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "1.5", "two", "²"])
def test_parse_threads_rejects_bad_values_with_the_fix(bad):
    with pytest.raises(ValueError, match=r"CNNCOURSE_THREADS must be a whole number .*got "
                       + repr(bad).replace(".", r"\.") + r".*Fix: set CNNCOURSE_THREADS=1"):
        cpu.parse_threads(bad, 4)


def test_thread_policy_env_wins_over_auto(monkeypatch):
    _cores(monkeypatch, 8)
    monkeypatch.setattr(cpu, "load_average", lambda: 0.0)
    monkeypatch.setenv("CNNCOURSE_THREADS", "3")
    policy = cpu.thread_policy()
    assert policy.threads == 3 and policy.source == "CNNCOURSE_THREADS=3"
    assert "set by you" in str(policy) and "3 of 8 cores" in str(policy)
    monkeypatch.setenv("CNNCOURSE_THREADS", "all")
    assert cpu.thread_policy().threads == 8
    monkeypatch.setenv("CNNCOURSE_THREADS", "16")
    assert "more threads than" in cpu.thread_policy().reason
    monkeypatch.delenv("CNNCOURSE_THREADS")
    auto = cpu.thread_policy()
    assert (auto.threads, auto.source, auto.cores, auto.load) == (4, "auto", 8, 0.0)


def _cores(monkeypatch, n):
    """This machine has ``n`` cores, all in the affinity mask, and no quota."""
    monkeypatch.setattr(cpu.os, "sched_getaffinity", lambda pid: set(range(n)), raising=False)
    monkeypatch.setattr(cpu.os, "cpu_count", lambda: n)
    monkeypatch.delenv("CPU_LIMIT", raising=False)


def test_thread_policy_defaults_to_this_machine(monkeypatch):
    monkeypatch.delenv("CNNCOURSE_THREADS", raising=False)
    _cores(monkeypatch, 12)
    monkeypatch.setattr(cpu, "load_average", lambda: 2.5)
    policy = cpu.thread_policy()
    assert (policy.threads, policy.cores, policy.load) == (6, 12, 2.5)
    assert policy.limit == cpu.CoreLimit(12, "affinity mask") and policy.quota is None


def test_core_limit_follows_the_affinity_mask(monkeypatch):
    monkeypatch.delenv("CPU_LIMIT", raising=False)
    monkeypatch.setattr(cpu.os, "sched_getaffinity", lambda pid: {0, 3, 5}, raising=False)
    assert cpu.core_limit() == cpu.CoreLimit(3, "affinity mask")
    monkeypatch.delattr(cpu.os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(cpu.os, "cpu_count", lambda: 7)
    assert cpu.core_limit() == cpu.CoreLimit(7, "os.cpu_count()")


def test_load_average_unknown_is_none(monkeypatch):
    def unavailable():
        raise OSError("no load average")

    monkeypatch.setattr(cpu.os, "getloadavg", unavailable)
    assert cpu.load_average() is None


def test_overload_line_only_when_load_exceeds_cores():
    assert cpu.overload_line(2, 1.9, 1) is None
    assert cpu.overload_line(2, None, 1) is None
    line = cpu.overload_line(2, 5.3, 2)
    assert line is not None and "\n" not in line
    assert "load average 5.3 on 2 cores" in line and "CNNCOURSE_THREADS=1" in line
    assert "close other notebooks" in line and "set_threads(1)" in line
    one = cpu.overload_line(2, 5.3, 1)
    assert "close other notebooks" in one and "CNNCOURSE_THREADS=1" not in one


def test_set_threads_applies_and_rejects_bad_counts(restore_threads):
    policy = cpu.set_threads(1)
    assert torch.get_num_threads() == 1 and policy.threads == 1
    with pytest.raises(ValueError, match="threads must be a positive int, got 0"):
        cpu.set_threads(0)


def test_start_applies_the_policy_and_prints_it(monkeypatch, capsys, restore_threads):
    _cores(monkeypatch, 2)
    monkeypatch.setattr(cpu, "load_average", lambda: 0.5)
    torch.set_num_threads(2)
    monkeypatch.delenv("CNNCOURSE_THREADS", raising=False)
    settings.start(seed=0)
    assert torch.get_num_threads() == 1
    out = capsys.readouterr().out
    assert "threads=1" in out and "overloaded" not in out
    monkeypatch.setenv("CNNCOURSE_THREADS", "2")
    settings.start(seed=0)
    assert torch.get_num_threads() == 2


def test_start_says_in_one_line_when_overloaded(monkeypatch, capsys, restore_threads):
    _cores(monkeypatch, 2)
    monkeypatch.setattr(cpu, "load_average", lambda: 6.0)
    monkeypatch.setenv("CNNCOURSE_THREADS", "2")
    settings.start(seed=0)
    lines = [line for line in capsys.readouterr().out.splitlines() if "overloaded" in line]
    assert len(lines) == 1 and "load average 6.0 on 2 cores" in lines[0]


def test_start_rejects_a_bad_setting(monkeypatch):
    monkeypatch.setenv("CNNCOURSE_THREADS", "abc")
    with pytest.raises(ValueError, match="CNNCOURSE_THREADS must be"):
        settings.start(seed=0)


def test_every_environment_variable_is_read_in_one_place_documented_and_shown_by_doctor(capsys):
    """Only cnncourse/env.py touches os.environ; each variable read through it is in
    env.ENVIRONMENT (the one list of them), the README table, and the doctor's report."""
    import re
    from pathlib import Path

    from cnncourse import cli, env

    root = Path(settings.__file__).resolve().parents[1]
    read = set()
    for path in (root / "cnncourse").rglob("*.py"):
        text = path.read_text()
        if path.name != "env.py":
            assert not re.search(r"os\.environ|getenv\(", text), \
                f"{path.relative_to(root)} reads the environment itself; use cnncourse.env"
        read |= set(re.findall(r'env\.(?:get|raw|flag)\(\s*"([A-Z_]+)"', text))
        read |= set(re.findall(r'_ENV = "([A-Z_]+)"', text))
    assert {"CNNCOURSE_QUICK", "CNNCOURSE_WIDGETS", "CPU_LIMIT"} <= read
    assert read <= set(env.ENVIRONMENT), read - set(env.ENVIRONMENT)
    readme = (root / "README.md").read_text()
    for name in env.ENVIRONMENT:
        assert re.search(rf"^\| [^|]*`{name}`", readme, re.M), f"{name} not in README's table"
    cli.main(["doctor"])
    printed = capsys.readouterr().out
    assert all(f"${name}" in printed for name in env.ENVIRONMENT)


@pytest.mark.parametrize("value, quick, widgets", [
    ("1", True, True), (" Yes ", True, True), ("on", True, True), ("0", False, False),
    ("off", False, False), ("", False, True), ("maybe", False, True)])
def test_one_truthy_rule_for_every_switch(monkeypatch, value, quick, widgets):
    from cnncourse import env

    monkeypatch.setenv("CNNCOURSE_QUICK", value)
    monkeypatch.setenv("CNNCOURSE_WIDGETS", value)
    assert env.flag("CNNCOURSE_QUICK") is quick and settings.is_quick() is quick
    assert env.flag("CNNCOURSE_WIDGETS", default=True) is widgets
    with pytest.raises(KeyError, match="not a variable the package reads"):
        env.get("CNNCOURSE_NO_SUCH_THING")
