"""``cnncourse-instructor data import`` and ``weights import``: files obtained elsewhere,
recognised by their checksum, verified and put in their place in the data folder; and
``weights download|status``."""

import gzip
import hashlib
import shutil
import tarfile

import pytest
from test_data import _md5, ready, use_table, write_cifar, write_mnist
from test_data_readonly import _make_read_only, _tree

from cnncourse import data
from cnncourse.data import files
from cnncourse.recipes import pretrained
from cnncourse_instructor import cli
from cnncourse_instructor.datafiles import weights_status

pytestmark = pytest.mark.usefixtures("clean_data_state")


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


def test_import_refuses_a_read_only_folder(tmp_path, monkeypatch, capsys):
    root = tmp_path / "kit"
    use_table(monkeypatch, {"mnist": write_mnist(root), "fashion_mnist": {}, "cifar10": {}})
    monkeypatch.setattr(files, "expected_archive", lambda name: None)
    _make_read_only(root)                             # chmod a-w, as a shared kit is
    before = _tree(root)
    try:
        file = root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte.gz"
        assert cli.main(["data", "import", str(file), "--dir", str(root)]) == 1
        assert "the folder is read-only" in capsys.readouterr().err
        assert _tree(root) == before
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_weights_import_recognises_the_file_by_its_hash(monkeypatch, tmp_path, capsys,
                                                        no_network, empty_hub):
    payload = b"resnet weights bytes"
    prefix = hashlib.sha256(payload).hexdigest()[:8]
    names = {"resnet18": f"resnet18-{prefix}.pth", "mobilenet_v3_small": "mobilenet-aaaa.pth",
             "efficientnet_b0": "effnet-bbbb.pth"}
    monkeypatch.setattr(pretrained, "weights_filename",
                        lambda name: names[pretrained.canonical(name)])
    download = tmp_path / "Downloads" / "resnet18 (1).pth"    # renamed by a browser
    download.parent.mkdir()
    download.write_bytes(payload)
    data_dir = tmp_path / "course"
    assert cli.main(["weights", "import", str(download), "--dir", str(data_dir)]) == 0
    placed = data_dir / "weights" / names["resnet18"]
    assert placed.read_bytes() == payload and download.is_file()
    assert "resnet18" in capsys.readouterr().out
    assert weights_status("resnet18", data_dir) == (placed, "present")
    assert weights_status("efficientnet_b0", data_dir)[1] == "missing"

    stranger = tmp_path / "notes.pth"
    stranger.write_bytes(b"something else")
    broken = tmp_path / names["resnet18"]
    broken.write_bytes(payload[:5])
    assert cli.main(["weights", "import", str(stranger), str(broken),
                     "--dir", str(data_dir)]) == 1
    err = capsys.readouterr().err
    assert "not one of the course's weights files" in err and names["resnet18"] in err
    assert "corrupt or incomplete" in err
    placed.write_bytes(b"damaged")
    assert weights_status("resnet18", data_dir)[1] == "corrupt"


def test_import_takes_files_before_or_after_the_dir_option(tmp_path, capsys):
    # `weights import --dir D FILE` and `... FILE --dir D` both reach the importer.
    stray = tmp_path / "notes.txt"
    stray.write_text("not a weights file")
    for argv in (["weights", "import", "--dir", str(tmp_path), str(stray)],
                 ["weights", "import", str(stray), "--dir", str(tmp_path)]):
        assert cli.main(argv) == 1
        assert "notes.txt is not one of the course's weights files" in capsys.readouterr().err
    other = tmp_path / "more.txt"                # files on both sides of the option
    other.write_text("not one either")
    assert cli.main(["weights", "import", str(stray), "--dir", str(tmp_path), str(other)]) == 1
    err = capsys.readouterr().err
    assert "notes.txt is not one" in err and "more.txt is not one" in err
    with pytest.raises(SystemExit):
        cli.main(["weights", "import", "--no-such-option", str(stray)])


def test_weights_download_offline_fails_cleanly(monkeypatch, tmp_path, capsys, no_network):
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    assert cli.main(["weights", "download", "--model", "resnet18", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "CNNCOURSE_OFFLINE=1" in err and "weights download: 1 model(s) not downloaded" in err
    assert cli.main(["weights", "status", "--dir", str(tmp_path)]) == 0
    assert "not downloaded" in capsys.readouterr().out


def test_weights_download_keeps_a_verified_file_in_the_folder(monkeypatch, tmp_path, capsys,
                                                             no_network):
    # A file already in <data folder>/weights is kept; nothing is fetched (no network here).
    monkeypatch.setattr(pretrained, "weights_filename", lambda name: f"{name}.pth")  # no hash
    (pretrained.weights_dir(tmp_path) / "resnet18.pth").parent.mkdir(parents=True)
    (pretrained.weights_dir(tmp_path) / "resnet18.pth").write_bytes(b"weights")
    assert cli.main(["weights", "download", "--model", "resnet18", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "resnet18: already downloaded and verified" in out and "All set." in out
