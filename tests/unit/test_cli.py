"""Tests for the ``cnncourse`` command: doctor, data download and data status (offline)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_data import use_table, write_cifar, write_mnist

from cnncourse import cli
from cnncourse.data import loading, network

ENTRY_POINT = Path(sys.executable).with_name("cnncourse")


pytestmark = pytest.mark.usefixtures("clean_data_state")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CNNCOURSE_")}
    env.update(extra)
    return env


def test_help_is_fast_and_lists_the_commands():
    result = subprocess.run([sys.executable, "-m", "cnncourse", "--help"], capture_output=True,
                            text=True, timeout=60, env=_env())
    assert result.returncode == 0
    assert "doctor" in result.stdout and "data" in result.stdout
    assert "CNNCOURSE_DATA" in result.stdout
    # --help must not import torch: check it in the same interpreter setup.
    probe = subprocess.run([sys.executable, "-c", "import sys; from cnncourse import cli; "
                            "cli.build_parser(); print('torch' in sys.modules)"],
                           capture_output=True, text=True, timeout=60, env=_env())
    assert probe.stdout.strip() == "False"


@pytest.mark.skipif(not ENTRY_POINT.exists(), reason="cnncourse console script not installed")
def test_doctor_runs_from_the_console_script(tmp_path):
    result = subprocess.run([str(ENTRY_POINT), "doctor"], capture_output=True, text=True,
                            timeout=120, env=_env(CNNCOURSE_OFFLINE="1",
                                                  CNNCOURSE_DATA=str(tmp_path)))
    out = result.stdout
    assert result.returncode == 0, result.stderr
    for label in ("Python", "torch", "torchvision", "ipywidgets", "device", "widget front end",
                  "CIFAR-10", "offline mode"):
        assert label in out
    assert "not downloaded" in out
    assert out.strip().splitlines()[-1].startswith("Verdict: READY with warnings")


def test_doctor_says_not_ready_for_corrupt_data(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    monkeypatch.setenv("CNNCOURSE_DATA", str(tmp_path))
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "train-images-idx3-ubyte.gz").write_bytes(b"half a download")  # real MD5 table
    assert cli.main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "CORRUPT" in out and "train-images-idx3-ubyte.gz" in out
    assert "Verdict: NOT READY" in out


def test_doctor_ready_when_all_data_verified(tmp_path, monkeypatch, capsys):
    tables = {"mnist": write_mnist(tmp_path, "mnist"),
              "fashion_mnist": write_mnist(tmp_path, "fashion_mnist")}
    tables["cifar10"] = write_cifar(tmp_path)
    use_table(monkeypatch, tables)
    monkeypatch.setenv("CNNCOURSE_DATA", str(tmp_path))
    monkeypatch.setattr(cli, "_version", lambda dist: "1.0")  # every dependency "installed"
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert out.count("present, checksums verified") == 3
    assert "Verdict: READY - " in out


def test_download_is_idempotent_on_verified_files(tmp_path, monkeypatch, capsys):
    use_table(monkeypatch, {"mnist": write_mnist(tmp_path)})
    monkeypatch.setattr(loading, "_fetch", lambda *a: pytest.fail("downloaded again"))
    monkeypatch.setattr(network, "can_connect", lambda *a, **k: pytest.fail("probed network"))
    files = sorted((tmp_path / "MNIST" / "raw").iterdir())
    stamps = [p.stat().st_mtime_ns for p in files]
    for _ in range(2):
        assert cli.main(["data", "download", "--dataset", "mnist", "--dir", str(tmp_path)]) == 0
        assert "nothing to do" in capsys.readouterr().out
    assert [p.stat().st_mtime_ns for p in files] == stamps


def test_download_fails_clearly_offline(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    assert cli.main(["data", "download", "--dataset", "cifar10", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "CIFAR-10: FAILED" in err and "CNNCOURSE_OFFLINE=1" in err


def test_download_fails_clearly_without_network(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(network, "can_connect", lambda *a, **k: False)
    assert cli.main(["data", "download", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("no network connection") == 3
    assert "3 dataset(s) not downloaded" in err


def test_data_status_and_bad_input(tmp_path, monkeypatch, capsys):
    use_table(monkeypatch, {"mnist": write_mnist(tmp_path)})
    assert cli.main(["data", "status", "--dataset", "mnist", "--dir", str(tmp_path)]) == 0
    assert "MNIST: present, checksums verified" in capsys.readouterr().out
    assert cli.main(["data", "download", "--dataset", "cifar", "--dir", str(tmp_path)]) == 2
    assert "Did you mean 'cifar10'" in capsys.readouterr().err
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert cli.main(["data", "download", "--dir", str(a_file)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err
    assert cli.main([]) == 2
    assert "usage: cnncourse" in capsys.readouterr().out


def test_import_is_the_instructors_command_not_the_learners(capsys):
    # Files obtained elsewhere are imported with `cnncourse-instructor data|weights import`.
    with pytest.raises(SystemExit) as stop:
        cli.main(["data", "import", "cifar-10-python.tar.gz"])
    assert stop.value.code == 2
    assert "invalid choice: 'import'" in capsys.readouterr().err
    assert "import FILE" not in cli.DATA_HELP and "cnncourse data status" in cli.DATA_HELP


def test_weights_are_the_instructors_command_not_the_learners(capsys):
    # Notebook 11 downloads its weights itself; pre-fetching or importing them is
    # `cnncourse-instructor weights download|status|import`.
    for action in ("download", "status", "import"):
        with pytest.raises(SystemExit) as stop:
            cli.main(["weights", action])
        assert stop.value.code == 2
        assert "invalid choice: 'weights'" in capsys.readouterr().err
