"""``cnncourse data status | import | download``: file-by-file status, imports, offline runs."""

from __future__ import annotations

import gzip
import shutil
import tarfile

import pytest
from test_data import _md5, ready, use_table, write_cifar, write_mnist

from cnncourse import cli, data
from cnncourse.data import files, loading, network

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


def test_import_puts_official_files_in_place_even_when_renamed(tmp_path, monkeypatch, capsys):
    downloads = tmp_path / "usb-stick"
    table = write_mnist(tmp_path / "made")
    downloads.mkdir()
    for gz in (tmp_path / "made" / "MNIST" / "raw").glob("*.gz"):
        shutil.copy(gz, downloads / gz.name.replace(".gz", " (1).gz"))   # a browser renamed it
    cifar_table = write_cifar(tmp_path / "made")
    archive = downloads / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "made" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    use_table(monkeypatch, {"mnist": table, "cifar10": cifar_table,
                            "fashion_mnist": {"FashionMNIST/raw/x.gz": "0" * 32}})
    archive_md5 = _md5(archive)
    monkeypatch.setattr(files, "expected_archive",
                        lambda name: (archive.name, archive_md5) if name == "cifar10" else None)
    root = tmp_path / "course"
    sources = sorted(str(p) for p in downloads.iterdir())
    assert cli.main(["data", "import", *sources, "--dir", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.count("verified MNIST file") == 4 and "verified CIFAR-10 file" in out
    assert ready("mnist", root) and ready("cifar10", root)
    assert not (root / archive.name).exists()           # unpacked, the copy is dropped
    assert archive.is_file()                            # the user's own file is left alone
    d = data.load_data("mnist", root=root, download=False)
    assert not d.synthetic and len(d.train) + len(d.val) == 30


def test_import_refuses_unknown_and_corrupt_files(tmp_path, monkeypatch, capsys):
    table = write_mnist(tmp_path / "made")
    use_table(monkeypatch, {"mnist": table, "cifar10": {}, "fashion_mnist": {}})
    monkeypatch.setattr(files, "expected_archive", lambda name: None)
    good = tmp_path / "made" / "MNIST" / "raw" / "train-images-idx3-ubyte.gz"
    cut = tmp_path / "cut" / good.name
    cut.parent.mkdir()
    cut.write_bytes(good.read_bytes()[:50])
    stranger = tmp_path / "holiday.jpg"
    stranger.write_bytes(gzip.compress(b"a photo"))
    root = tmp_path / "course"
    assert cli.main(["data", "import", str(cut), str(stranger), "--dir", str(root)]) == 1
    err = capsys.readouterr().err
    assert f"{cut}: FAILED" in err and "corrupt or incomplete" in err
    assert f"{stranger}: FAILED" in err and "not a file of the course datasets" in err
    assert "train-images-idx3-ubyte.gz" in err          # says which files it would take
    assert "2 file(s) not imported" in err
    assert not (root / "MNIST").exists()
    assert cli.main(["data", "import", "--dir", str(root)]) == 2
    assert "name the files to import" in capsys.readouterr().err


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
    assert err.count("no network connection") == 3 and "cnncourse data import" in err
    assert "3 dataset(s) not downloaded" in err
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    assert cli.main(["data", "download", "--dataset", "cifar10", "--dir", str(tmp_path)]) == 1
    assert "CNNCOURSE_OFFLINE=1" in capsys.readouterr().err


def test_help_tells_how_to_set_the_folder_inside_a_notebook():
    assert "%env CNNCOURSE_DATA=" in cli.DATA_HELP and "no restart" in cli.DATA_HELP
    assert "restart the kernel" not in cli.DATA_HELP.lower()
