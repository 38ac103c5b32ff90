"""Tests for cnncourse.data.synthetic: the generated stand-in datasets."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import torch

from cnncourse.data import synthetic
from cnncourse.data.catalog import STANDIN_CLASSES

NAMES = ["mnist", "fashion_mnist", "cifar10"]
SHAPES = {"mnist": (1, 28, 28), "fashion_mnist": (1, 28, 28), "cifar10": (3, 32, 32)}


@pytest.mark.parametrize("name", NAMES)
def test_shapes_dtypes_and_balanced_classes(name):
    X, y = synthetic.generate(name, 203, seed=1)
    assert X.shape == (203, *SHAPES[name]) and X.dtype == torch.uint8
    assert y.shape == (203,) and y.dtype == torch.int64
    counts = torch.bincount(y, minlength=10)
    assert counts.numel() == 10 and counts.max() - counts.min() <= 1
    assert X.float().std() > 20          # images, not a blank canvas


@pytest.mark.parametrize("name", NAMES)
def test_deterministic_per_seed(name):
    a, la = synthetic.generate(name, 70, seed=5)
    b, lb = synthetic.generate(name, 70, seed=5)
    c, lc = synthetic.generate(name, 70, seed=6)
    assert torch.equal(a, b) and torch.equal(la, lb)
    assert not torch.equal(a, c)


def test_datasets_differ_from_each_other():
    m, _ = synthetic.generate("mnist", 50, seed=0)
    f, _ = synthetic.generate("fashion_mnist", 50, seed=0)
    assert not torch.equal(m, f)


def test_class_names_per_dataset():
    assert STANDIN_CLASSES["mnist"] == [str(d) for d in range(10)]
    fashion = STANDIN_CLASSES["fashion_mnist"]
    assert fashion[0] == "T-shirt/top" and fashion[9] == "ankle boot" and "shirt" in fashion
    cifar = STANDIN_CLASSES["cifar10"]
    assert {"disc", "ring", "h-stripes", "v-stripes"} <= set(cifar)
    for name in NAMES:
        assert len(STANDIN_CLASSES[name]) == len(set(STANDIN_CLASSES[name])) == 10


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="unknown dataset 'svhn'.*'mnist', 'fashion_mnist'"):
        synthetic.generate("svhn", 10)
    with pytest.raises(ValueError, match="n must be a non-negative int"):
        synthetic.generate("mnist", -1)
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        synthetic.generate("mnist", 5, seed=1.5)
    X, y = synthetic.generate("cifar10", 0)
    assert X.shape == (0, 3, 32, 32) and y.shape == (0,)


def test_look_alike_pairs_share_colours_but_not_patterns():
    """CIFAR stand-in: the two classes of a pair look alike on average, other pairs less."""
    X, y = synthetic.generate("cifar10", 2000, seed=0)
    mean_colour = torch.stack([X[y == c].float().mean(dim=(0, 2, 3)) for c in range(10)])
    dist = torch.cdist(mean_colour, mean_colour)                         # (10, 10)
    within = torch.stack([dist[2 * k, 2 * k + 1] for k in range(5)]).mean()
    between = dist[dist > 0].mean()
    assert within < between / 2


def test_importing_the_package_does_not_import_torch():
    out = subprocess.run([sys.executable, "-c", "import sys, cnncourse; "
                          "print('torch' in sys.modules)"], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.parametrize("name", NAMES)
def test_generation_speed_is_reported(name, capsys):
    """Printed, not asserted: timings on a shared machine say little about the code."""
    start = time.perf_counter()
    synthetic.generate(name, 1200, seed=0)
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n  synthetic.generate({name!r}, 1200): {elapsed:.2f} s "
              f"(~{elapsed * 10:.0f} s for the full-mode 10,000 + 2,000)")


def test_small_cnn_learns_the_digits_above_chance():
    from cnncourse.data.loader import TensorLoader
    from cnncourse.models import SimpleCNN
    from cnncourse.train import evaluate, fit

    def prepared(n: int, seed: int) -> TensorLoader:
        X, y = synthetic.generate("mnist", n, seed=seed)
        return TensorLoader((X.float() / 255 - 0.13) / 0.3, y, batch_size=64, shuffle=True)

    train, test = prepared(512, 0), prepared(256, 99)       # about 0.7 after 2 epochs
    model = SimpleCNN(in_channels=1, image_size=28)
    before = evaluate(model, test)["accuracy"]
    fit(model, train, epochs=2, progress=False, seed=0)
    after = evaluate(model, test)["accuracy"]
    assert after > 0.5 and after > before + 0.3        # chance is 0.1
