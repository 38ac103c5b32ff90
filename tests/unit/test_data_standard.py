"""cnncourse.data.torchvision_dataset: torchvision's own classes on the course's verified files.

Small files in the real formats (from test_data), a replaced checksum table, no network.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_data import FOLDER, forbid_network, use_table, write_cifar, write_mnist
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import v2

from cnncourse import data
from cnncourse.data.containers import normalise

pytestmark = pytest.mark.usefixtures("clean_data_state")
TO_TENSOR = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_mnist_family_is_torchvisions_class_read_from_gz(tmp_path, monkeypatch, name):
    use_table(monkeypatch, {name: write_mnist(tmp_path, name)})
    forbid_network(monkeypatch)
    before = sorted(p.name for p in (tmp_path / FOLDER[name] / "raw").iterdir())
    ds = data.torchvision_dataset(name, train=True, root=tmp_path, quick=False)
    tv = datasets.MNIST if name == "mnist" else datasets.FashionMNIST
    assert isinstance(ds, tv) and not getattr(ds, "synthetic", False)
    assert len(ds) == 30 and ds.classes == list(tv.classes)
    image, label = ds[3]                          # (PIL image, int), as torchvision gives
    assert image.size == (28, 28) and image.mode == "L" and label == 3
    assert image.getpixel((5, 5)) == 3 * 20 + 7   # the pixel that encodes its label
    test = data.torchvision_dataset(name, train=False, root=tmp_path, transform=TO_TENSOR,
                                    quick=False)
    x, y = test[11]
    assert len(test) == 12 and x.shape == (1, 28, 28) and x.dtype == torch.float32 and y == 1
    assert x.max().item() == pytest.approx((1 * 20 + 7) / 255)
    # Nothing unpacked or written: a read-only folder works.
    assert sorted(p.name for p in (tmp_path / FOLDER[name] / "raw").iterdir()) == before


def test_cifar10_is_torchvisions_class_with_course_checksums(tmp_path, monkeypatch):
    use_table(monkeypatch, {"cifar10": write_cifar(tmp_path)})
    forbid_network(monkeypatch)
    ds = data.torchvision_dataset("cifar10", train=True, transform=TO_TENSOR, root=tmp_path,
                                  quick=False)
    assert isinstance(ds, datasets.CIFAR10) and len(ds) == 30
    x, y = ds[0]
    assert x.shape == (3, 32, 32) and isinstance(y, int)
    # The same first image as load_data's in-memory copy (no validation slice taken here).
    same = data.load_data("cifar10", root=tmp_path, quick=False, val_fraction=0.0)
    pixels = (x * 255).round().to(torch.uint8)[None]                      # (1, 3, 32, 32)
    assert torch.allclose(normalise(pixels, same.info.mean, same.info.std)[0], same.train.X[0],
                          atol=1e-5)
    batch_x, batch_y = next(iter(DataLoader(ds, batch_size=8)))
    assert batch_x.shape == (8, 3, 32, 32) and batch_y.shape == (8,)


def test_quick_mode_keeps_the_first_images(tmp_path, monkeypatch):
    use_table(monkeypatch, {"mnist": write_mnist(tmp_path, n_train=1100, n_test=600)})
    ds = data.torchvision_dataset("mnist", root=tmp_path, quick=True)
    assert len(ds) == 1024 and len(ds.targets) == 1024
    assert len(data.torchvision_dataset("mnist", train=False, root=tmp_path, quick=True)) == 512


def test_corrupt_file_is_a_clear_error(tmp_path, monkeypatch):
    table = write_mnist(tmp_path)
    (tmp_path / "MNIST/raw/train-images-idx3-ubyte.gz").write_bytes(b"broken")
    use_table(monkeypatch, {"mnist": table})
    with pytest.raises(data.DataError, match="corrupt"):
        data.torchvision_dataset("mnist", root=tmp_path)


def test_stand_in_offline_has_the_same_contract(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    forbid_network(monkeypatch)
    ds = data.torchvision_dataset("cifar10", train=True, transform=TO_TENSOR, root=tmp_path,
                                  quick=True)
    assert isinstance(ds, data.StandInImages) and ds.synthetic
    assert "stand-in" in repr(ds) and "SYNTHETIC stand-in" in capsys.readouterr().out
    assert len(ds) == 1024 and len(ds.classes) == 10
    x, y = ds[0]
    assert x.shape == (3, 32, 32) and x.dtype == torch.float32 and 0 <= y < 10
    raw, _ = data.torchvision_dataset("cifar10", root=tmp_path, quick=True)[0]
    assert raw.size == (32, 32) and raw.mode == "RGB"
    # The same generated test images as load_data's stand-in.
    gray, label = data.torchvision_dataset("mnist", train=False, root=tmp_path, quick=True)[5]
    same = data.load_data("mnist", root=tmp_path, quick=True)
    assert gray.mode == "L" and gray.size == (28, 28) and label == int(same.test.y[5])
    expected = (same.test.denormalize(same.test.X[5]) * 255).round()[0]  # (28, 28)
    assert torch.equal(torch.as_tensor(np.array(gray), dtype=torch.float32), expected)


def test_bad_arguments_say_what_was_expected(tmp_path):
    with pytest.raises(TypeError, match="transform must be a callable"):
        data.torchvision_dataset("mnist", root=tmp_path, transform="ToTensor")
    with pytest.raises(TypeError, match="train must be True or False"):
        data.torchvision_dataset("mnist", root=tmp_path, train="yes")
    with pytest.raises(ValueError):
        data.torchvision_dataset("imagenet", root=tmp_path)


@pytest.mark.parametrize("name", ["mnist", "cifar10"])
def test_datasets_pickle_by_name_for_spawned_workers(tmp_path, monkeypatch, name):
    """macOS and Windows start DataLoader workers with spawn: the dataset travels by pickle."""
    import pickle

    table = write_mnist(tmp_path) if name == "mnist" else write_cifar(tmp_path)
    use_table(monkeypatch, {name: table})
    ds = data.torchvision_dataset(name, root=tmp_path, transform=TO_TENSOR, quick=False)
    copy = pickle.loads(pickle.dumps(ds))
    assert type(copy) is type(ds) and torch.equal(copy[4][0], ds[4][0])
    assert copy[4][1] == ds[4][1]
