"""Tests for cnncourse.data and cnncourse.data.synthetic: offline, on small files in real formats.

The tests write MNIST-style idx ``.gz`` files and CIFAR-10 python pickles, replace the
checksum table with the MD5s of those files, and load them through the real code path.
"""

from __future__ import annotations

import collections
import gzip
import hashlib
import pickle
import socket
import struct
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import torch

from cnncourse import data
from cnncourse.data import files, loading, network, synthetic
from cnncourse.data.catalog import STANDIN_CLASSES

MNIST_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
               "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
FOLDER = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST"}


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _images_for(labels: np.ndarray, size: int, channels: int | None = None) -> np.ndarray:
    """Each image is one flat grey level that encodes its label: pairing stays checkable."""
    values = (labels * 20 + 7).astype(np.uint8)                     # (N,)
    shape = (len(labels), size, size) if channels is None else (len(labels), channels, size, size)
    return np.broadcast_to(values.reshape(-1, *([1] * (len(shape) - 1))), shape).copy()


def write_mnist(root: Path, name: str = "mnist", n_train: int = 30, n_test: int = 12) -> dict:
    """Write idx ``.gz`` files (magic 2051 images, 2049 labels) and return their MD5 table."""
    raw = root / FOLDER[name] / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    table = {}
    for split, n in (("train", n_train), ("test", n_test)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        images = _images_for(labels, 28)
        img_name, lbl_name = MNIST_FILES[split]
        payloads = {
            img_name: struct.pack(">IIII", 2051, n, 28, 28) + images.tobytes(),
            lbl_name: struct.pack(">II", 2049, n) + labels.tobytes(),
        }
        for fname, payload in payloads.items():
            path = raw / f"{fname}.gz"
            path.write_bytes(gzip.compress(payload))
            table[f"{FOLDER[name]}/raw/{fname}.gz"] = _md5(path)
    return table


CIFAR_NAMES = ["airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck"]


def write_cifar(root: Path, per_batch: int = 6, n_test: int = 10) -> dict:
    """Write ``cifar-10-batches-py`` pickles (5 train batches, test, meta); return the MD5s."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    table = {}
    rng = np.random.default_rng(0)
    batches = [(f"data_batch_{i}", per_batch) for i in range(1, 6)] + [("test_batch", n_test)]
    for fname, n in batches:
        labels = rng.integers(0, 10, size=n)
        pixels = rng.integers(0, 256, size=(n, 3 * 32 * 32), dtype=np.uint8)  # R, G, B planes
        entry = {"batch_label": fname, "labels": labels.tolist(), "data": pixels,
                 "filenames": [f"img_{i}.png" for i in range(n)]}
        path = folder / fname
        path.write_bytes(pickle.dumps(entry, protocol=2))
        table[f"cifar-10-batches-py/{fname}"] = _md5(path)
    meta = folder / "batches.meta"
    meta.write_bytes(pickle.dumps({"label_names": CIFAR_NAMES, "num_cases_per_batch": per_batch,
                                   "num_vis": 3072}, protocol=2))
    table["cifar-10-batches-py/batches.meta"] = _md5(meta)
    return table


pytestmark = pytest.mark.usefixtures("clean_data_state")


def ready(name: str, root: Path) -> bool:
    """Every file of dataset ``name`` verified in ``root`` (or its cache)."""
    return data.dataset_status(name, root)[0] == "ready"


def use_table(monkeypatch, tables: dict[str, dict]) -> None:
    """Point the checksum table at the fake files' MD5s (per dataset)."""
    monkeypatch.setattr(files, "expected_files", lambda name: tables[data.canonical_name(name)])


def forbid_network(monkeypatch) -> None:
    """Fail the test if anything tries to open a connection or a URL."""
    def boom(*args, **kwargs):
        pytest.fail(f"network was touched: {args!r}")

    monkeypatch.setattr(socket, "create_connection", boom)
    monkeypatch.setattr(socket.socket, "connect", boom)
    monkeypatch.setattr(urllib.request, "urlopen", boom)


# --------------------------------------------------------------------------- real formats


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_mnist_family_loads_idx_gz_files(tmp_path, monkeypatch, name):
    use_table(monkeypatch, {name: write_mnist(tmp_path, name)})
    forbid_network(monkeypatch)
    d = data.load_data(name, root=tmp_path, quick=False)
    assert not d.synthetic and d.name == name
    assert d.train.X.shape == (27, 1, 28, 28) and d.test.X.shape == (12, 1, 28, 28)
    assert d.val.X.shape == (3, 1, 28, 28)       # 10% of the training split, kept apart
    assert d.train.X.dtype == torch.float32 and d.train.y.dtype == torch.int64
    both = sorted(d.train.y.tolist() + d.val.y.tolist())
    assert both == sorted(i % 10 for i in range(30))
    assert d.test.y.tolist() == [i % 10 for i in range(12)]
    # Normalised with the dataset's statistics; denormalize gives back the stored pixels.
    pixels = (d.denormalize(d.train.X) * 255).round()
    expected = (d.train.y * 20 + 7).float().view(-1, 1, 1, 1).expand(-1, 1, 28, 28)
    assert torch.equal(pixels, expected)
    assert d.info.mean == data.STATS[name][0] and d.info.shape == (1, 28, 28)
    from torchvision import datasets
    tv = datasets.MNIST if name == "mnist" else datasets.FashionMNIST
    assert d.classes == list(tv.classes)
    # The .gz files are read as they are: nothing is written into the data folder.
    raw = tmp_path / FOLDER[name] / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(
        f"{f}.gz" for pair in MNIST_FILES.values() for f in pair)


def test_cifar10_loads_python_pickles(tmp_path, monkeypatch):
    table = write_cifar(tmp_path)
    use_table(monkeypatch, {"cifar10": table})
    forbid_network(monkeypatch)
    d = data.load_data("cifar10", root=tmp_path, quick=False)
    assert not d.synthetic
    assert d.train.X.shape == (27, 3, 32, 32) and d.test.X.shape == (10, 3, 32, 32)
    assert len(d.val) == 3 and d.val.classes == CIFAR_NAMES
    assert d.classes == CIFAR_NAMES and d.train.classes == CIFAR_NAMES
    # Channel planes land in the right place: X[i, c, h, w] == row[c*1024 + h*32 + w].
    with open(tmp_path / "cifar-10-batches-py" / "test_batch", "rb") as f:
        test = pickle.load(f, encoding="latin1")
    restored = (d.denormalize(d.test.X) * 255).round().to(torch.uint8)
    assert torch.equal(restored.reshape(10, -1), torch.from_numpy(test["data"]))
    assert d.test.y.tolist() == test["labels"]
    # Train and val together are exactly the five training batches, each image with its label.
    rows = {}
    for i in range(1, 6):
        with open(tmp_path / "cifar-10-batches-py" / f"data_batch_{i}", "rb") as f:
            batch = pickle.load(f, encoding="latin1")
        rows.update({bytes(r): lbl for r, lbl in zip(batch["data"], batch["labels"])})
    got = {}
    for split in (d.train, d.val):
        pixels = (d.denormalize(split.X) * 255).round().to(torch.uint8).reshape(len(split), -1)
        got.update({bytes(r.numpy()): int(lbl) for r, lbl in zip(pixels, split.y)})
    assert got == rows


def test_cifar_files_fail_against_torchvision_checksums(tmp_path):
    # Without the patched table the real torchvision MD5s apply, and fake files are "corrupt".
    write_cifar(tmp_path)
    assert data.expected_files("cifar10")["cifar-10-batches-py/data_batch_1"] == \
        "c99cafc152244af753f735de768cd75f"
    with pytest.raises(data.DataError, match="data_batch_1.*corrupt"):
        data.load_data("cifar10", root=tmp_path, download=False)


def test_cifar_archive_in_the_folder_is_unpacked_offline(tmp_path, monkeypatch):
    import shutil
    import tarfile

    table = write_cifar(tmp_path / "build")
    archive = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "build" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    shutil.rmtree(tmp_path / "build")
    use_table(monkeypatch, {"cifar10": table})
    archive_md5 = _md5(archive)
    monkeypatch.setattr(files, "expected_archive", lambda name: (archive.name, archive_md5))
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    forbid_network(monkeypatch)
    d = data.load_data("cifar10", root=tmp_path)
    assert not d.synthetic and len(d.train) + len(d.val) == 30
    assert ready("cifar10", tmp_path)
    assert archive.is_file()          # a file the user put there is never deleted

    (tmp_path / "cifar-10-batches-py" / "test_batch").unlink()
    archive.write_bytes(archive.read_bytes()[:100])   # and now the archive is truncated
    with pytest.raises(data.DataError, match="cifar-10-python.tar.gz is corrupt"):
        data.load_data("cifar10", root=tmp_path)


def test_quick_mode_takes_a_fixed_subset_with_labels_kept(tmp_path, monkeypatch):
    use_table(monkeypatch, {"mnist": write_mnist(tmp_path)})
    monkeypatch.setattr(loading, "QUICK_SIZES", (8, 4))
    monkeypatch.setenv("CNNCOURSE_QUICK", "1")
    a = data.load_data("mnist", root=tmp_path, download=False)
    b = data.load_data("mnist", root=tmp_path, download=False)
    assert len(a.train) == 8 and len(a.test) == 4 and len(a.val) == 1
    assert torch.equal(a.train.y, b.train.y)
    grey = (a.train.denormalize(a.train.X)[:, 0, 0, 0] * 255).round()
    assert torch.equal(grey, (a.train.y * 20 + 7).float())


def test_loader_batches_from_memory(tmp_path, monkeypatch):
    use_table(monkeypatch, {"mnist": write_mnist(tmp_path)})
    d = data.load_data("mnist", root=tmp_path, download=False)
    batches = list(d.train.loader(batch_size=8))
    assert [len(y) for _, y in batches] == [8, 8, 8, 3]
    assert batches[0][0].shape == (8, 1, 28, 28)


# --------------------------------------------------------------------------- corrupt, missing


def test_truncated_file_names_the_file_and_the_fix(tmp_path, monkeypatch):
    use_table(monkeypatch, {"mnist": write_mnist(tmp_path)})
    gz = tmp_path / "MNIST" / "raw" / "train-labels-idx1-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:10])
    with pytest.raises(data.DataError) as info:
        data.load_data("mnist", root=tmp_path, download=False)
    text = str(info.value)
    assert str(gz) in text and "cnncourse data download --dataset mnist" in text
    assert "Delete" in text


def test_unreadable_content_with_matching_checksum_gets_a_clear_error(tmp_path, monkeypatch):
    write_cifar(tmp_path)
    bad = tmp_path / "cifar-10-batches-py" / "data_batch_3"
    bad.write_bytes(b"this is not a pickle")
    # A table that matches the garbage: only the reader can notice.
    table = {f"cifar-10-batches-py/{p.name}": _md5(p)
             for p in (tmp_path / "cifar-10-batches-py").iterdir()}
    use_table(monkeypatch, {"cifar10": table})
    with pytest.raises(data.DataError, match="could not be read.*cnncourse data download"):
        data.load_data("cifar10", root=tmp_path, download=False)


def test_missing_file_falls_back_with_one_message(tmp_path, monkeypatch, capsys):
    use_table(monkeypatch, {"mnist": write_mnist(tmp_path)})
    (tmp_path / "MNIST" / "raw" / "t10k-labels-idx1-ubyte.gz").unlink()
    monkeypatch.setattr(loading, "SYNTHETIC_SIZES", (40, 20))
    d1 = data.load_data("mnist", root=tmp_path, download=False)
    d2 = data.load_data("mnist", root=tmp_path, download=False)
    out = capsys.readouterr().out
    assert d1.synthetic and d2.synthetic and "download=False" in d1.reason
    assert out.count("SYNTHETIC stand-in for MNIST") == 1
    assert "cnncourse data download --dataset mnist" in out and "CNNCOURSE_DATA" in out


def test_missing_names_the_files_not_there(tmp_path, monkeypatch):
    use_table(monkeypatch, {"mnist": write_mnist(tmp_path)})
    (tmp_path / "MNIST" / "raw" / "t10k-images-idx3-ubyte.gz").unlink()
    assert [p.name for p in files.missing("mnist", tmp_path)] == ["t10k-images-idx3-ubyte.gz"]
    assert not ready("mnist", tmp_path)


def test_fallback_false_raises_instead(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    with pytest.raises(data.DataError, match="not available.*cnncourse data download"):
        data.load_data("cifar10", root=tmp_path, fallback=False)


# --------------------------------------------------------------------------- network


def test_offline_never_touches_the_network(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    monkeypatch.setenv("CNNCOURSE_QUICK", "1")
    forbid_network(monkeypatch)
    d = data.load_data("cifar10", root=tmp_path)
    assert d.synthetic and d.train.X.shape == (1024, 3, 32, 32)
    assert "CNNCOURSE_OFFLINE=1" in capsys.readouterr().out
    with pytest.raises(data.DataError, match="CNNCOURSE_OFFLINE"):
        data.download_dataset("mnist", tmp_path)


def test_unreachable_server_falls_back_within_seconds(tmp_path, monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(loading, "SYNTHETIC_SIZES", (40, 20))  # time the decision, not the drawing
    data.expected_files("fashion_mnist")   # import torchvision first: not part of the timing
    start = time.perf_counter()
    d = data.load_data("fashion_mnist", root=tmp_path)
    elapsed = time.perf_counter() - start
    assert d.synthetic and elapsed < 10   # seconds, even on a busy machine; no hang
    assert "no network connection" in d.reason
    assert "SYNTHETIC stand-in for Fashion-MNIST" in capsys.readouterr().out


@pytest.fixture
def silent_server():
    """A local server that accepts connections and never answers: a stalled download."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    server.close()


def test_stalled_download_times_out_and_falls_back(tmp_path, monkeypatch, silent_server):
    from torchvision.datasets import MNIST

    # The probe succeeds (the port is open) but the server never sends a byte.
    monkeypatch.setattr(MNIST, "mirrors", [f"http://127.0.0.1:{silent_server}/"])
    monkeypatch.setattr(network, "DOWNLOAD_TIMEOUT", 0.5)
    monkeypatch.setattr(loading, "SYNTHETIC_SIZES", (40, 20))
    before = socket.getdefaulttimeout()
    start = time.perf_counter()
    d = data.load_data("mnist", root=tmp_path)
    elapsed = time.perf_counter() - start
    assert d.synthetic and "download failed" in d.reason
    assert elapsed < 10
    assert socket.getdefaulttimeout() == before          # the global timeout is restored
    assert not list((tmp_path / "MNIST" / "raw").glob("*.gz"))  # nothing half-written kept


@pytest.fixture
def local_mirror(tmp_path):
    """An HTTP server on 127.0.0.1 serving ``tmp_path / "mirror"``: a download that works."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    folder = tmp_path / "mirror"
    folder.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_mnist_downloads_through_torchvision_from_a_mirror(tmp_path, monkeypatch, local_mirror):
    from torchvision.datasets import MNIST

    folder, url = local_mirror
    table = write_mnist(tmp_path / "made")
    for gz in (tmp_path / "made" / "MNIST" / "raw").glob("*.gz"):
        (folder / gz.name).write_bytes(gz.read_bytes())
    use_table(monkeypatch, {"mnist": table})
    monkeypatch.setattr(MNIST, "mirrors", [url])
    monkeypatch.setattr(MNIST, "resources", [(Path(rel).name, md5) for rel, md5 in table.items()])
    root = tmp_path / "course"
    assert data.download_dataset("mnist", root) == root
    assert ready("mnist", root)
    d = data.load_data("mnist", root=root)
    assert not d.synthetic and len(d.train) == 27
    assert data.torchvision_dataset("mnist", root=root).root == str(root)  # unpacked beside


def test_cifar_downloads_unpacks_and_drops_the_tarball(tmp_path, monkeypatch, local_mirror):
    import tarfile

    from torchvision.datasets import CIFAR10

    folder, url = local_mirror
    table = write_cifar(tmp_path / "made")
    archive = folder / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "made" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    use_table(monkeypatch, {"cifar10": table})
    monkeypatch.setattr(CIFAR10, "url", url + archive.name)
    monkeypatch.setattr(CIFAR10, "tgz_md5", _md5(archive))
    root = tmp_path / "course"
    root.mkdir()
    d = data.load_data("cifar10", root=root)
    assert not d.synthetic and d.classes == CIFAR_NAMES
    assert not (root / archive.name).exists()


def test_download_is_skipped_when_files_are_verified(tmp_path, monkeypatch):
    use_table(monkeypatch, {"mnist": write_mnist(tmp_path)})
    forbid_network(monkeypatch)
    monkeypatch.setattr(loading, "_fetch", lambda *a: pytest.fail("_fetch called"))
    assert data.download_dataset("mnist", tmp_path) == tmp_path


def test_successful_download_is_verified(tmp_path, monkeypatch):
    # Simulate the server with a fetch that writes the fake files; the table then checks them.
    scratch = tmp_path / "server"
    table = write_mnist(scratch)
    use_table(monkeypatch, {"mnist": table})
    monkeypatch.setattr(network, "can_connect", lambda *a, **k: True)

    def fake_fetch(name, root):
        for rel in table:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes((scratch / rel).read_bytes())

    monkeypatch.setattr(loading, "_fetch", fake_fetch)
    root = tmp_path / "course-data"
    root.mkdir()
    d = data.load_data("mnist", root=root)
    assert not d.synthetic and len(d.train) == 27


# --------------------------------------------------------------------------- synthetic


@pytest.mark.parametrize("name,shape", [("mnist", (1, 28, 28)), ("fashion_mnist", (1, 28, 28)),
                                        ("cifar10", (3, 32, 32))])
def test_synthetic_matches_the_real_shapes(name, shape):
    d = data.make_synthetic(name, n_train=200, n_test=50, seed=3)
    assert d.synthetic and d.name == name
    assert d.train.X.shape == (180, *shape) and d.test.X.shape == (50, *shape)
    assert d.val.X.shape == (20, *shape)          # the 10% validation slice of the 200
    assert d.train.X.dtype == torch.float32 and d.train.y.dtype == torch.int64
    assert d.classes == STANDIN_CLASSES[name] and len(d.classes) == 10
    both = torch.cat([d.train.y, d.val.y])
    assert torch.bincount(both, minlength=10).tolist() == [20] * 10
    assert abs(d.train.X.mean().item()) < 0.05 and abs(d.train.X.std().item() - 1) < 0.1
    shown = d.denormalize(d.train.X)
    assert shown.min() >= 0 and shown.max() <= 1


def test_synthetic_is_deterministic_by_seed():
    a, la = synthetic.generate("cifar10", 64, seed=5)
    b, lb = synthetic.generate("cifar10", 64, seed=5)
    c, _ = synthetic.generate("cifar10", 64, seed=6)
    assert a.dtype == torch.uint8 and torch.equal(a, b) and torch.equal(la, lb)
    assert not torch.equal(a, c)
    train = data.make_synthetic("mnist", 50, 50, seed=0)
    assert not torch.equal(train.train.X, train.test.X)  # the test split is a different draw


def test_small_cnn_learns_synthetic_cifar_well_above_chance():
    from cnncourse.models import SimpleCNN
    from cnncourse.train import evaluate, fit

    d = data.make_synthetic("cifar10", n_train=1280, n_test=500, seed=0)  # val 128: 0.38 here
    torch.manual_seed(0)                                      # the model's own starting weights
    model = SimpleCNN()
    untrained = evaluate(model, d.val.loader(500))["accuracy"]
    history = fit(model, d.train.loader(64, shuffle=True), val_data=d.val.loader(500),
                  epochs=3, progress=False, seed=0)
    assert history["val_acc"][-1] > 0.3                       # chance is 0.1
    assert history["val_acc"][-1] > untrained + 0.15          # learned, by a clear margin


# --------------------------------------------------------------------------- bad input


def test_unknown_name_suggests_valid_ones():
    with pytest.raises(ValueError, match="'mnist', 'fashion_mnist', 'cifar10'.*'cifar10'"):
        data.load_data("cifar")
    with pytest.raises(TypeError, match="dataset name"):
        data.load_data(10)
    assert data.canonical_name("Fashion-MNIST") == "fashion_mnist"


def test_bad_arguments_get_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        data.load_data("mnist", root=tmp_path / "nowhere")
    with pytest.raises(TypeError, match="root must be a folder"):
        data.load_data("mnist", root=3)
    with pytest.raises(TypeError, match="download must be True, False or None"):
        data.load_data("mnist", download="yes")
    with pytest.raises(ValueError, match="n_train must be a positive int"):
        data.make_synthetic("mnist", n_train=0)
    d = data.make_synthetic("mnist", 10, 10)
    with pytest.raises(ValueError, match=r"\(C, H, W\) or \(N, C, H, W\) with C=1"):
        d.denormalize(torch.zeros(4, 3, 28, 28))


# --------------------------------------------------------------------------- checked once


def _count_checks(monkeypatch) -> collections.Counter:
    """Count every checksum check (``files.file_ok``) per file, and every MD5 computed."""
    from torchvision.datasets import utils as tv_utils

    checks: collections.Counter = collections.Counter()
    real_ok, real_integrity = files.file_ok, tv_utils.check_integrity

    def file_ok(path, md5):
        checks[Path(path).name] += 1
        return real_ok(path, md5)

    def check_integrity(path, md5=None):
        checks["md5 computed"] += 1
        return real_integrity(path, md5)

    monkeypatch.setattr(files, "file_ok", file_ok)
    monkeypatch.setattr(tv_utils, "check_integrity", check_integrity)
    return checks


@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_load_data_checks_each_file_once_per_load(tmp_path, monkeypatch, name):
    table = write_mnist(tmp_path) if name == "mnist" else write_cifar(tmp_path)
    use_table(monkeypatch, {name: table})
    forbid_network(monkeypatch)
    checks = _count_checks(monkeypatch)
    data.load_data(name.upper(), root=tmp_path)              # any spelling, resolved once
    expected = {Path(rel).name: 1 for rel in table}
    assert checks == collections.Counter({**expected, "md5 computed": len(table)})
    checks.clear()
    data.load_data(name, root=tmp_path)                      # again: checked once more,
    assert checks == collections.Counter(expected)           # the MD5s are remembered


def test_cifar_archive_is_checked_once_and_its_files_once(tmp_path, monkeypatch):
    from test_data_readonly import _cifar_archive

    table = _cifar_archive(tmp_path / "data")
    archive = table.pop("_archive")
    use_table(monkeypatch, table)
    monkeypatch.setattr(files, "expected_archive", lambda name: tuple(archive))
    forbid_network(monkeypatch)
    checks = _count_checks(monkeypatch)
    d = data.load_data("cifar10", root=tmp_path / "data")
    assert not d.synthetic
    del checks["md5 computed"]
    assert checks == collections.Counter({archive[0]: 1,
                                          **{Path(rel).name: 1 for rel in table["cifar10"]}})
