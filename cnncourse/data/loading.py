"""``load_data``: a course dataset in memory, real when it can be had, the stand-in otherwise."""

from __future__ import annotations

from pathlib import Path

from cnncourse import settings
from cnncourse.data import files
from cnncourse.data.catalog import STANDIN_CLASSES, STATS, TITLES, canonical_name
from cnncourse.data.containers import Data, build, pixel_stats, split_off, subset
from cnncourse.data.download import locate
from cnncourse.data.messages import DataError, tell_fallback
from cnncourse.validate import whole_number

QUICK_SIZES = (1024, 512)          # (train, test) images in quick mode
SYNTHETIC_SIZES = (10_000, 2_000)  # (train, test) images of the full-mode stand-in
VAL_FRACTION = 0.1                 # share of the training split kept apart for validation
VAL_SEED = 12345                   # fixes which training images form the validation slice


def _check_fraction(value: object, what: str, caller: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{caller}: {what} must be a number in [0, 1), e.g. 0.1, got {value!r}.")
    return float(value)


def make_synthetic(name: str = "cifar10", n_train: int = SYNTHETIC_SIZES[0],
                   n_test: int = SYNTHETIC_SIZES[1], seed: int = 0,
                   reason: str | None = None, val_fraction: float = VAL_FRACTION) -> Data:
    """The built-in generated stand-in for dataset ``name`` as a :class:`Data`.

    Same image shape and class count as the real dataset. ``n_train`` images are generated
    for training, of which ``val_fraction`` become ``data.val``. Normalised with the
    stand-in's own training statistics.
    """
    from cnncourse.data import synthetic

    name = canonical_name(name)
    n_train = whole_number(n_train, "n_train", "make_synthetic")
    n_test = whole_number(n_test, "n_test", "make_synthetic")
    seed = whole_number(seed, "seed", "make_synthetic", minimum=0)
    val_fraction = _check_fraction(val_fraction, "val_fraction", "make_synthetic")
    train, val = split_off(*synthetic.generate(name, n_train, seed), val_fraction, VAL_SEED)
    test = synthetic.generate(name, n_test, seed + 7919)  # a different draw: unseen images
    mean, std = pixel_stats(train[0])
    return build(name, TITLES[name], {"train": train, "val": val, "test": test},
                 STANDIN_CLASSES[name], mean, std, synthetic=True, reason=reason)


def load_data(name: str, *, root: str | Path | None = None, download: bool | None = None,
              quick: bool | None = None, fallback: bool = True,
              val_fraction: float = VAL_FRACTION) -> Data:
    """Load MNIST, Fashion-MNIST or CIFAR-10 into memory, normalised, ready for training.

    Args:
        name: "mnist", "fashion_mnist" or "cifar10" (also "CIFAR-10", "fmnist", ...).
        root: the data folder; default ``cnncourse.settings.data_dir()`` (``CNNCOURSE_DATA``,
            read at each call, so ``%env CNNCOURSE_DATA=/path`` in a notebook takes effect).
        download: fetch missing files (default: yes, unless ``CNNCOURSE_OFFLINE=1``);
            ``False`` never touches the network.
        quick: small subsets (default: ``CNNCOURSE_QUICK``), 1024 train and 512 test images.
        fallback: when the files are missing and cannot be downloaded, use the built-in
            synthetic stand-in (``True``) or raise :class:`DataError` (``False``).
        val_fraction: share of the training split kept apart as ``data.val`` (fixed images).

    Returns:
        a :class:`Data` with ``train``, ``val`` and ``test``; ``data.synthetic`` tells whether
        the stand-in is used.
    """
    name = canonical_name(name)
    for arg, value in (("download", download), ("quick", quick)):
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"load_data: {arg} must be True, False or None, got {value!r}.")
    val_fraction = _check_fraction(val_fraction, "val_fraction", "load_data")
    root = files.resolve_root(root, must_exist=root is not None)
    quick = settings.is_quick() if quick is None else quick

    folder, reason = locate(name, root, download)  # raises DataError for corrupt files

    if folder is None:
        if not fallback:
            raise DataError(f"{TITLES[name]} is not available: {reason}. Run `cnncourse data "
                            f"download --dataset {name}` online, import the files with "
                            f"`cnncourse data import FILE...`, or set CNNCOURSE_DATA to a "
                            f"folder that holds them.")
        tell_fallback(name, reason or "its files are missing", root)
        if not quick:
            return make_synthetic(name, *SYNTHETIC_SIZES, seed=0, reason=reason,
                                  val_fraction=val_fraction)
        n_train, n_test = QUICK_SIZES  # as with real data: the slice comes on top in quick mode
        n_val = round(n_train * val_fraction)
        return make_synthetic(name, n_train + n_val, n_test, seed=0, reason=reason,
                              val_fraction=n_val / (n_train + n_val))

    from cnncourse.data.readers import read_real

    tr_x, tr_y, classes = read_real(name, folder, train=True)
    te_x, te_y, _ = read_real(name, folder, train=False)
    train, val = split_off(tr_x, tr_y, val_fraction, VAL_SEED)
    test = (te_x, te_y)
    if quick:
        n_train, n_test = QUICK_SIZES
        train = subset(*train, n_train, seed=0)
        val = subset(*val, round(n_train * val_fraction), seed=2)
        test = subset(*test, n_test, seed=1)
    mean, std = STATS[name]
    return build(name, TITLES[name], {"train": train, "val": val, "test": test}, classes,
                 mean, std, root=folder)
