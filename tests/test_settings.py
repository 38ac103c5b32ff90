"""Settings: environment flags, data folder, seeding and device fallback."""

import random
from pathlib import Path

import pytest
import torch

from cnncourse import settings


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
    monkeypatch.setattr(settings, "_mps_available", lambda _torch: True)
    assert settings.device().type == "mps"
    monkeypatch.setattr(settings, "_mps_available", lambda _torch: False)
    assert settings.device().type == "cpu"


def test_device_rejects_unavailable_or_unknown(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA GPU"):
        settings.device("cuda")
    with pytest.raises(ValueError, match="expected 'cpu', 'cuda' or 'mps'"):
        settings.device("tpu")
    assert settings.device("cpu").type == "cpu"


def test_start_prints_summary(capsys):
    dev = settings.start(seed=3)
    assert isinstance(dev, torch.device)
    out = capsys.readouterr().out
    assert "cnncourse ready" in out and "mode=" in out
