"""``cnncourse data status | download``: file-by-file status, downloads, offline runs."""

from __future__ import annotations

import pytest
from test_data import ready, use_table, write_cifar, write_mnist

from cnncourse import cli
from cnncourse.data import loading, network

pytestmark = pytest.mark.usefixtures("clean_data_state")


def test_status_lists_every_expected_file_with_its_state(tmp_path, monkeypatch, capsys):
    use_table(monkeypatch, {"mnist": write_mnist(tmp_path), "cifar10": write_cifar(tmp_path),
                            "fashion_mnist": write_mnist(tmp_path / "elsewhere",
                                                         "fashion_mnist")})
    raw = tmp_path / "MNIST" / "raw"
    (raw / "t10k-labels-idx1-ubyte.gz").unlink()
    assert cli.main(["data", "status", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "MNIST: incomplete: missing t10k-labels-idx1-ubyte.gz" in out
    assert f"missing  {raw / 't10k-labels-idx1-ubyte.gz'}" in out
    assert f"present  {raw / 'train-images-idx3-ubyte.gz'}" in out
    assert "Fashion-MNIST: not downloaded" in out
    assert f"missing  {tmp_path / 'FashionMNIST' / 'raw' / 'train-images-idx3-ubyte.gz'}" in out
    assert "CIFAR-10: present, checksums verified" in out
    assert out.count("present  ") == 3 + 7 and out.count("missing  ") == 1 + 4

    bad = tmp_path / "cifar-10-batches-py" / "test_batch"
    bad.write_bytes(b"cut short")
    assert cli.main(["data", "status", "--dataset", "CIFAR-10", "--dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "CIFAR-10: CORRUPT: 1 file(s)" in out and f"corrupt  {bad}" in out


def test_download_is_idempotent_on_verified_files(tmp_path, monkeypatch, capsys):
    use_table(monkeypatch, {"mnist": write_mnist(tmp_path)})
    monkeypatch.setattr(loading, "_fetch", lambda *a: pytest.fail("downloaded again"))
    monkeypatch.setattr(network, "can_connect", lambda *a, **k: pytest.fail("probed network"))
    stamps = [p.stat().st_mtime_ns for p in sorted((tmp_path / "MNIST" / "raw").iterdir())]
    for _ in range(2):
        assert cli.main(["data", "download", "--dataset", "mnist", "--dir", str(tmp_path)]) == 0
        assert "nothing to do" in capsys.readouterr().out
    assert [p.stat().st_mtime_ns for p in sorted((tmp_path / "MNIST" / "raw").iterdir())] \
        == stamps


def test_download_fetches_missing_files_then_verifies(tmp_path, monkeypatch, capsys):
    scratch = tmp_path / "server"
    table = write_mnist(scratch)
    use_table(monkeypatch, {"mnist": table})
    monkeypatch.setattr(network, "can_connect", lambda *a, **k: True)

    def fake_fetch(name, root):
        for rel in table:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes((scratch / rel).read_bytes())

    monkeypatch.setattr(loading, "_fetch", fake_fetch)
    target = tmp_path / "shared"
    assert cli.main(["data", "download", "--dataset", "mnist", "--dir", str(target)]) == 0
    out = capsys.readouterr().out
    assert "downloading" in out and "done, checksums verified" in out
    assert ready("mnist", target)


def test_download_fails_clearly_without_network(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(network, "can_connect", lambda *a, **k: False)
    assert cli.main(["data", "download", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("no network connection") == 3 and "cnncourse data status" in err
    assert "3 dataset(s) not downloaded" in err
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    assert cli.main(["data", "download", "--dataset", "cifar10", "--dir", str(tmp_path)]) == 1
    assert "CNNCOURSE_OFFLINE=1" in capsys.readouterr().err


def test_help_tells_how_to_set_the_folder_inside_a_notebook():
    assert "%env CNNCOURSE_DATA=" in cli.DATA_HELP and "no restart" in cli.DATA_HELP
    assert "restart the kernel" not in cli.DATA_HELP.lower()
