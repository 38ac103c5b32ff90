"""Does the built-in stand-in behave like the real dataset? Train both and compare.

Trains ``cnncourse.models.MLP`` and ``SimpleCNN`` with the same number of images, epochs,
batch size and optimiser (Adam) on the generated stand-in and on a real dataset folder, then
prints, per model, test accuracy and train-test gap (train accuracy minus test accuracy, both
measured after training with ``evaluate``) side by side, and flags rows more than 8 points
apart.

    python benchmarks/standin_vs_real.py --real DIR [--dataset cifar10|mnist|fashion_mnist|all]

``DIR`` is any folder in torchvision's layout (``MNIST/raw/*.gz``, ``FashionMNIST/raw/*.gz``,
``cifar-10-batches-py/``); its files may be subsets of the official ones (their MD5s are
not checked). A dataset missing from ``DIR`` is compared with published full-dataset figures
where they exist (Fashion-MNIST), otherwise skipped.
"""

from __future__ import annotations

import argparse
import gzip
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

from cnncourse.data import synthetic
from cnncourse.data.loader import TensorLoader
from cnncourse.models import MLP, SimpleCNN
from cnncourse.train import evaluate, fit

TOLERANCE = 8.0  # points: a row further apart than this is flagged
PUBLISHED = {
    # Fashion-MNIST, full dataset (60,000 training images), test accuracy in %.
    "fashion_mnist": {
        "MLP": 88.0, "SimpleCNN": 91.0,
        "source": "Xiao, Rasul & Vollgraf 2017, 'Fashion-MNIST' (arXiv:1708.07747), and the "
                  "benchmark table at github.com/zalandoresearch/fashion-mnist: MLP about 88%, "
                  "small 2-conv CNN about 91%; full dataset, 60,000 training images",
    },
}
FALLBACK_SIZES = (10_000, 2_000)  # stand-in sizes when there are no real images to match
MNIST_FOLDERS = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST"}


def read_mnist_like(root: Path, name: str) -> dict[str, tuple[torch.Tensor, torch.Tensor]] | None:
    """Read ``<root>/<MNIST|FashionMNIST>/raw/*.gz`` with torchvision's IDX readers."""
    from torchvision.datasets.mnist import read_image_file, read_label_file

    raw = root / MNIST_FOLDERS[name] / "raw"
    stems = {"train": "train", "test": "t10k"}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for split, stem in stems.items():
            paths = []
            for kind in ("images-idx3", "labels-idx1"):
                base = f"{stem}-{kind}-ubyte"
                src = raw / base
                if not src.exists():
                    gz = raw / f"{base}.gz"
                    if not gz.exists():
                        return None
                    src = Path(tmp) / base
                    with gzip.open(gz, "rb") as f_in, open(src, "wb") as f_out:
                        shutil.copyfileobj(f_in, f_out)
                paths.append(src)
            images = read_image_file(str(paths[0])).unsqueeze(1)   # (N, 1, 28, 28) uint8
            labels = read_label_file(str(paths[1])).long()         # (N,)
            out[split] = (images, labels)
    return out


def read_cifar10(root: Path) -> dict[str, tuple[torch.Tensor, torch.Tensor]] | None:
    """Read ``<root>/cifar-10-batches-py`` (torchvision's python-pickle batches)."""
    folder = root / "cifar-10-batches-py"
    files = {"train": [f"data_batch_{i}" for i in range(1, 6)], "test": ["test_batch"]}
    if not all((folder / f).exists() for names in files.values() for f in names):
        return None
    out = {}
    for split, names in files.items():
        xs, ys = [], []
        for f in names:
            with open(folder / f, "rb") as fh:
                batch = pickle.load(fh, encoding="latin1")
            xs.append(torch.as_tensor(batch["data"], dtype=torch.uint8).view(-1, 3, 32, 32))
            ys.append(torch.as_tensor(batch["labels"], dtype=torch.int64))
        out[split] = (torch.cat(xs), torch.cat(ys))
    return out


def read_real(root: Path, name: str) -> dict[str, tuple[torch.Tensor, torch.Tensor]] | None:
    """Real ``{"train": (X uint8, y int64), "test": ...}`` from ``root``, or None if absent."""
    return read_cifar10(root) if name == "cifar10" else read_mnist_like(root, name)


def normalise(train: torch.Tensor, test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 -> float, normalised per channel with the TRAINING split's own statistics."""
    x = train.float().div(255)
    mean = x.mean(dim=(0, 2, 3), keepdim=True)                # (1, C, 1, 1)
    std = x.std(dim=(0, 2, 3), keepdim=True).clamp(min=1e-3)
    return (x - mean) / std, (test.float().div(255) - mean) / std


def train_and_score(name: str, split: dict, epochs: int, batch_size: int, lr: float,
                    seed: int) -> dict[str, tuple[float, float]]:
    """``{model: (test accuracy %, train-test gap in points)}`` for MLP and SimpleCNN."""
    (x_tr, y_tr), (x_te, y_te) = split["train"], split["test"]
    c, h, w = x_tr.shape[1:]
    x_tr, x_te = normalise(x_tr, x_te)
    builders = {"MLP": lambda: MLP(in_features=c * h * w),
                "SimpleCNN": lambda: SimpleCNN(in_channels=c, image_size=h)}
    scores = {}
    for model_name, build in builders.items():
        torch.manual_seed(seed)
        model = build()
        train_loader = TensorLoader(x_tr, y_tr, batch_size=batch_size, shuffle=True)
        fit(model, train_loader, epochs=epochs, lr=lr, seed=seed, progress=False)
        train_acc = evaluate(model, TensorLoader(x_tr, y_tr, batch_size=512))["accuracy"]
        test_acc = evaluate(model, TensorLoader(x_te, y_te, batch_size=512))["accuracy"]
        scores[model_name] = (100 * test_acc, 100 * (train_acc - test_acc))
    return scores


def standin(name: str, n_train: int, n_test: int, seed: int) -> dict:
    """The stand-in's train and test splits, drawn as ``cnncourse.data.make_synthetic`` does."""
    return {"train": synthetic.generate(name, n_train, seed),
            "test": synthetic.generate(name, n_test, seed + 7919)}


def compare(name: str, root: Path, args: argparse.Namespace) -> int:
    """Print one dataset's table; return how many rows are flagged."""
    real = read_real(root, name)
    published = PUBLISHED.get(name)
    if real is None and published is None:
        print(f"\n{name}: no real images under {root} and no published figures; skipped.")
        return 0
    if real is not None:
        n_train, n_test = len(real["train"][1]), len(real["test"][1])
    else:
        n_train, n_test = FALLBACK_SIZES
    t0 = time.perf_counter()
    fake = standin(name, n_train, n_test, args.seed)
    gen_s = time.perf_counter() - t0
    print(f"\n{name}: {n_train} train / {n_test} test images, {args.epochs} epochs, Adam "
          f"lr={args.lr}, batch {args.batch_size} (stand-in generated in {gen_s:.1f} s)")
    ours = train_and_score(name, fake, args.epochs, args.batch_size, args.lr, args.seed)
    if real is not None:
        theirs = train_and_score(name, real, args.epochs, args.batch_size, args.lr, args.seed)
        ref = f"real ({root})"
    else:
        theirs = {m: (published[m], None) for m in ("MLP", "SimpleCNN")}
        ref = f"published: {published['source']}"
    print(f"  reference = {ref}")
    print(f"  {'model':<10} {'metric':<15} {'stand-in':>9} {'reference':>10} {'diff':>7}")
    flagged = 0
    for model_name in ("MLP", "SimpleCNN"):
        for i, metric in enumerate(("test accuracy", "train-test gap")):
            a, b = ours[model_name][i], theirs[model_name][i]
            if b is None:
                print(f"  {model_name:<10} {metric:<15} {a:>8.1f}  {'n/a':>9}  {'':>7}")
                continue
            diff = a - b
            flag = "  <-- over 8 points" if abs(diff) > TOLERANCE else ""
            flagged += bool(flag)
            print(f"  {model_name:<10} {metric:<15} {a:>8.1f}  {b:>9.1f}  {diff:>+6.1f}{flag}")
    return flagged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, required=True,
                        help="folder in torchvision's layout holding the real datasets")
    parser.add_argument("--dataset", default="all",
                        choices=["cifar10", "mnist", "fashion_mnist", "all"])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.real.is_dir():
        parser.error(f"--real {args.real}: not a folder; give the folder that holds "
                     f"MNIST/raw, FashionMNIST/raw or cifar-10-batches-py.")
    names = ["cifar10", "mnist", "fashion_mnist"] if args.dataset == "all" else [args.dataset]
    flagged = sum(compare(name, args.real, args) for name in names)
    print(f"\n{flagged} row(s) more than {TOLERANCE:g} points from the reference.")
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
