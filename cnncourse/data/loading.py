"""The course datasets in memory (``load_data``) or as torchvision datasets
(``torchvision_dataset``): found or downloaded (``download_dataset``) and read by torchvision's
own classes, or the stand-in."""

from __future__ import annotations

import socket
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from cnncourse import settings
from cnncourse.data import files, network
from cnncourse.data.catalog import SHAPES, STANDIN_CLASSES, STATS, TITLES, canonical_name
from cnncourse.data.containers import Data, build, pixel_stats, split_off, subset
from cnncourse.data.files import DataError, fix_hint, tell_once
from cnncourse.validate import whole_number

QUICK_SIZES = (1024, 512)          # (train, test) images in quick mode
SYNTHETIC_SIZES = (10_000, 2_000)  # (train, test) images of the full-mode stand-in
VAL_FRACTION = 0.1                 # share of the training split kept apart for validation
VAL_SEED = 12345                   # fixes which training images form the validation slice


def _check_fraction(value: object, what: str, caller: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{caller}: {what} must be a number in [0, 1), e.g. 0.1, got {value!r}.")
    return float(value)


def tell_fallback(name: str, reason: str, root: Path) -> None:
    """Say, once per process and dataset, why the stand-in is used and how to fix it."""
    c, h, w = SHAPES[name]
    classes = STANDIN_CLASSES[name]
    title = TITLES[name]
    tell_once(f"fallback:{name}", (
        f"cnncourse: using a SYNTHETIC stand-in for {title} because {reason}.\n"
        f"  It has the same {h}x{w}x{c} images and {len(classes)} classes (generated: "
        f"{', '.join(classes)}),\n"
        f"  so every cell runs, but the accuracies are not {title} accuracies.\n"
        f"  To get the real data: run `cnncourse data download --dataset {name}` while "
        f"online,\n  or set CNNCOURSE_DATA to a folder your instructor shared "
        f"(this run looked in {root})."))


def make_synthetic(name: str = "cifar10", n_train: int = SYNTHETIC_SIZES[0],
                   n_test: int = SYNTHETIC_SIZES[1], seed: int = 0,
                   reason: str | None = None, val_fraction: float = VAL_FRACTION) -> Data:
    """The built-in generated stand-in for dataset ``name`` as a :class:`Data` (same shape
    and class count; ``val_fraction`` of ``n_train`` become ``data.val``)."""
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
                            f"download --dataset {name}` online, copy the files to the paths "
                            f"`cnncourse data status` lists, or set CNNCOURSE_DATA to a "
                            f"folder that holds them.")
        tell_fallback(name, reason, root)
        if not quick:
            return make_synthetic(name, *SYNTHETIC_SIZES, seed=0, reason=reason,
                                  val_fraction=val_fraction)
        n_train, n_test = QUICK_SIZES  # as with real data: the slice comes on top in quick mode
        n_val = round(n_train * val_fraction)
        return make_synthetic(name, n_train + n_val, n_test, seed=0, reason=reason,
                              val_fraction=n_val / (n_train + n_val))

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


# torchvision's classes on the checked files ----------------------------------------------------

def _open(name: str, folder: Path, train: bool, transform: Callable | None = None) -> Any:
    """torchvision's dataset for canonical ``name`` on the prepared ``folder``, or a clear error."""
    try:
        ds = files.READERS[name](str(folder), train=train, transform=transform, download=False)
    except Exception as err:  # noqa: BLE001 - checksum passed but content is unreadable
        where = folder / Path(next(iter(files.expected_files(name)))).parent
        raise DataError(f"{TITLES[name]} files in {where} could not be read ({err}). "
                        + fix_hint(name, where)) from err
    ds.synthetic = False      # real images; the stand-in says True
    return ds


def read_real(name: str, folder: Path, train: bool) -> tuple[torch.Tensor, torch.Tensor, list]:
    """uint8 images ``(N, C, H, W)``, int64 labels ``(N,)`` and class names from ``folder``."""
    ds = _open(name, folder, train)
    if name == "cifar10":
        images = torch.from_numpy(ds.data).permute(0, 3, 1, 2).contiguous()  # (N, 3, 32, 32)
    else:
        images = ds.data.unsqueeze(1)                                          # (N, 1, 28, 28)
    labels = torch.as_tensor(ds.targets, dtype=torch.long)                     # (N,)
    return images, labels, list(ds.classes)


class StandInImages(torch.utils.data.Dataset):
    """The generated stand-in as a ``Dataset`` (``ds[i] -> (PIL image, label)``) with the
    attributes of torchvision's classes the course uses, and ``synthetic = True``."""

    synthetic = True

    def __init__(self, name: str, images: torch.Tensor, labels: torch.Tensor, train: bool,
                 transform: Callable | None = None):
        self.name, self.train = name, train
        self.images = images                          # uint8 (N, C, H, W)
        self.targets = labels.tolist()                # int labels, as CIFAR10.targets
        self.classes = list(STANDIN_CLASSES[name])
        self.transform = transform

    def __len__(self) -> int:
        return int(self.images.shape[0])

    def __getitem__(self, index: int) -> tuple[Any, int]:
        from torchvision.transforms.v2.functional import to_pil_image

        image = to_pil_image(self.images[index])      # uint8 (C, H, W): "L" or "RGB"
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        lines = [f"Dataset {TITLES[self.name]} stand-in (generated, not real images)",
                 f"    Number of datapoints: {len(self)}", f"    Split: {split}"]
        if self.transform is not None:
            lines.append("    " + repr(self.transform).replace("\n", "\n    "))
        return "\n".join(lines)


def torchvision_dataset(name: str, train: bool = True, transform: Callable | None = None, *,
                        root: str | Path | None = None, download: bool | None = None,
                        quick: bool | None = None) -> Any:
    """torchvision's ``MNIST``, ``FashionMNIST`` or ``CIFAR10`` on the course's checked files:
    ``ds[i]`` is ``(PIL image, label)``, files found and checked as for :func:`load_data`.

    Args:
        name: "mnist", "fashion_mnist" or "cifar10".
        train: the training split (``True``) or the test split.
        transform: applied to each PIL image, e.g. ``v2.Compose([v2.ToImage(), ...])``.
        root: the data folder; default ``cnncourse.settings.data_dir()``.
        download: fetch missing files (default: yes, unless ``CNNCOURSE_OFFLINE=1``).
        quick: keep only the first 1024 (train) or 512 (test) images (default:
            ``CNNCOURSE_QUICK``).

    Returns:
        a torchvision dataset, or a :class:`StandInImages` (``ds.synthetic`` is ``True``) when
        the files are missing and cannot be downloaded.
    """
    name = canonical_name(name)
    for arg, value in (("train", train), ("download", download), ("quick", quick)):
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"torchvision_dataset: {arg} must be True or False, got {value!r}.")
    if transform is not None and not callable(transform):
        raise TypeError(f"torchvision_dataset: transform must be a callable such as "
                        f"v2.Compose([...]) or None, got {type(transform).__name__}.")
    root = files.resolve_root(root, must_exist=root is not None)
    quick = settings.is_quick() if quick is None else quick
    limit = QUICK_SIZES[0 if train else 1] if quick else None

    folder, reason = locate(name, root, download)  # raises DataError for corrupt files

    if folder is None:
        from cnncourse.data import synthetic

        tell_fallback(name, reason, root)
        n = limit or SYNTHETIC_SIZES[0 if train else 1]
        images, labels = synthetic.generate(name, n, seed=0 if train else 7919)
        return StandInImages(name, images, labels, train, transform)

    ds = _open(name, folder, train, transform)
    if limit is not None and len(ds) > limit:
        ds.data, ds.targets = ds.data[:limit], ds.targets[:limit]
    return ds


# Downloading once, with torchvision's own classes; safe to repeat and to interrupt ---------

def download_dataset(name: str, root: str | Path | None = None) -> Path:
    """Download dataset ``name`` into ``root`` unless verified files are already there.

    Safe to repeat. Returns the folder that holds the files (``root``, or the cache when
    ``root`` is read-only and a local archive was unpacked there). Raises :class:`DataError`
    when offline, when the download fails, and for corrupt files already present.
    """
    name = canonical_name(name)
    root = files.resolve_root(root, must_exist=False)
    if files.prepare(name, root) is None:
        fetch(name, root)
    return files.locate(name, root) or root   # the checksums are remembered: no new hashing


def locate(name: str, root: Path, download: bool | None = None) -> tuple[Path | None, str | None]:
    """The folder holding canonical ``name``'s verified files, downloading them if allowed.

    Returns ``(folder, None)``, or ``(None, why)`` when the files are not there and cannot be
    had (offline, ``download=False``, a failed download). Raises :class:`DataError` for a
    corrupt file already present. ``load_data`` and ``torchvision_dataset`` both start here.
    """
    folder = files.prepare(name, root)
    if folder is not None:
        return folder, None
    if download is False:
        return None, f"its files are not in {root} and download=False"
    try:                                          # fetch says why when CNNCOURSE_OFFLINE=1
        return fetch(name, root), None
    except DataError as err:
        return None, err.short


def fetch(name: str, root: Path) -> Path:
    """Download canonical ``name`` into ``root``, where :func:`files.prepare` found nothing
    usable (:func:`locate` and :func:`download_dataset` ask it first). Returns ``root``."""
    title = TITLES[name]
    if settings.is_offline():
        raise DataError(f"cannot download {title}: CNNCOURSE_OFFLINE=1 is set. Unset it "
                        f"(or run on a machine with network access) and try again.",
                        short=f"its files are not in {root} and CNNCOURSE_OFFLINE=1 is set")
    cls = files.READERS[name]                     # CIFAR-10's archive, MNIST's mirrors
    urls = [cls.url] if name == "cifar10" else list(cls.mirrors)
    if not network.can_reach(urls):
        why = f"there is no network connection to {network.hosts(urls)}"
        raise DataError(f"cannot download {title}: {why} (tried for up to "
                        f"{network.PROBE_TIMEOUT:.0f} s). Check the connection, or copy files "
                        f"obtained elsewhere to the paths `cnncourse data status` lists, or "
                        f"set CNNCOURSE_DATA to a folder that holds them.", short=why)
    if not files.writable(root):
        why = f"the data folder {root} is read-only"
        raise DataError(f"cannot download {title}: {why}. Download into a writable folder "
                        f"(`cnncourse data download --dir DIR`) and set CNNCOURSE_DATA to it.",
                        short=why)
    root.mkdir(parents=True, exist_ok=True)
    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(network.DOWNLOAD_TIMEOUT)  # urllib inherits it: no endless stall
    try:
        _fetch(name, root)
    except BaseException as err:  # noqa: BLE001 - any network or archive error means "failed"
        _remove_partial(name, root)             # also when interrupted (Ctrl-C)
        if not isinstance(err, Exception):
            raise
        raise DataError(f"downloading {title} failed: {err}. Try again later, or copy files "
                        f"obtained elsewhere to the paths `cnncourse data status` lists.",
                        short=f"the download failed: {textwrap.shorten(str(err), 200)}") from err
    finally:
        socket.setdefaulttimeout(old_timeout)
    missing = files.missing(name, root)
    if missing:
        raise DataError(f"downloading {title} finished but these files are still "
                        f"missing: {', '.join(str(p) for p in missing)}.")
    return files.prepare(name, root) or root


def _remove_partial(name: str, root: Path) -> None:
    """Delete files a failed download left half-written, so the next try starts clean: every
    file that fails its checksum now (:func:`files.prepare` found none before the download)."""
    candidates = list(files.expected_files(name).items())
    archive = files.expected_archive(name)
    if archive is not None:
        candidates.append(archive)
    for rel, md5 in candidates:
        if (root / rel).is_file() and not files.file_ok(root / rel, md5):
            (root / rel).unlink()


def _fetch(name: str, root: Path) -> None:
    """torchvision's own download into ``root``: MNIST's ``.gz`` files from its mirrors,
    unpacked beside them; CIFAR-10's archive, unpacked, then removed (the folder stays half
    the size to share). torchvision checks each download's MD5."""
    files.READERS[name](str(root), download=True)
    archive = files.expected_archive(name)
    if archive is not None:
        (root / archive[0]).unlink(missing_ok=True)
