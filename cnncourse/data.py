"""Datasets for the course: MNIST, Fashion-MNIST and CIFAR-10, held in memory as tensors.

``load_data("cifar10")`` returns a :class:`Data` with ``.train`` and ``.test`` image sets.
The files live in one folder (``cnncourse.settings.data_dir()``: ``CNNCOURSE_DATA`` or
``~/.cache/cnncourse``) in torchvision's own layout, and every file is checked against the
MD5 checksums torchvision publishes.

When the files are missing and cannot be downloaded (no network, ``CNNCOURSE_OFFLINE=1``,
a failed download), the course carries on with a built-in generated dataset of the same
shape and class count (``cnncourse.synthetic``) and says so once. Files that are present but
corrupt stop with an error naming the file and the fix: silently training on stand-in data
would hide a problem an instructor needs to know about.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import torch

from cnncourse import settings
from cnncourse.loader import TensorLoader

DATASETS = ("mnist", "fashion_mnist", "cifar10")
"""Names accepted by :func:`load_data`."""

TITLES = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST", "cifar10": "CIFAR-10"}

# Per-channel mean and std of each real training set (pixels scaled to [0, 1]).
STATS = {
    "mnist": ((0.1307,), (0.3081,)),
    "fashion_mnist": ((0.2860,), (0.3530,)),
    "cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
}

SHAPES = {"mnist": (1, 28, 28), "fashion_mnist": (1, 28, 28), "cifar10": (3, 32, 32)}

CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck"]

QUICK_SIZES = (1024, 512)      # (train, test) images in quick mode
SYNTHETIC_SIZES = (10_000, 2_000)  # (train, test) images of the full-mode stand-in

PROBE_TIMEOUT = 3.0      # seconds to wait for a first connection to the download server
DOWNLOAD_TIMEOUT = 20.0  # seconds a stalled download may wait for data before giving up

_ALIASES = {
    "mnist": "mnist", "fashion_mnist": "fashion_mnist", "fashionmnist": "fashion_mnist",
    "fashion-mnist": "fashion_mnist", "fmnist": "fashion_mnist", "cifar10": "cifar10",
    "cifar-10": "cifar10", "cifar_10": "cifar10",
}
_told: set[str] = set()  # datasets whose fallback message was already printed
_verified: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> md5


class DataError(RuntimeError):
    """A dataset file is corrupt or unreadable, or a download was asked for and failed.

    ``short`` is a few words on what happened, without the advice (used in messages).
    """

    def __init__(self, message: str, short: str | None = None):
        super().__init__(message)
        self.short = short or message


# --------------------------------------------------------------------------- containers


@dataclass(frozen=True)
class DatasetInfo:
    """Facts about a dataset: per-channel ``mean``/``std`` and image ``shape`` ``(C, H, W)``."""

    name: str
    title: str
    mean: tuple[float, ...]
    std: tuple[float, ...]
    shape: tuple[int, int, int]
    num_classes: int

    def __getitem__(self, key: str) -> Any:
        # ``info["mean"]`` works as well as ``info.mean``.
        return getattr(self, key)


@dataclass
class ImageSet:
    """One split held in memory: ``X`` float32 normalised ``(N, C, H, W)``, ``y`` int64 ``(N,)``."""

    X: torch.Tensor
    y: torch.Tensor
    classes: list[str]
    mean: tuple[float, ...]
    std: tuple[float, ...]

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def loader(self, batch_size: int = 128, shuffle: bool = False) -> TensorLoader:
        """Mini-batches ``(X, y)`` straight from memory (shuffle the training split)."""
        return TensorLoader(self.X, self.y, batch_size=batch_size, shuffle=shuffle)

    def denormalize(self, X: torch.Tensor) -> torch.Tensor:
        """Undo the normalisation: values back in [0, 1] for display, same shape as ``X``."""
        return _denormalize(X, self.mean, self.std)

    def __repr__(self) -> str:
        return (f"ImageSet({len(self)} images, X {tuple(self.X.shape[1:])}, "
                f"{len(self.classes)} classes)")


@dataclass
class Data:
    """A dataset ready for training: ``train`` and ``test`` :class:`ImageSet` plus facts."""

    name: str
    train: ImageSet
    test: ImageSet
    classes: list[str]
    info: DatasetInfo
    synthetic: bool = False
    reason: str | None = None          # why the synthetic stand-in is used
    root: Path | None = field(default=None, repr=False)

    def denormalize(self, X: torch.Tensor) -> torch.Tensor:
        """Undo the normalisation: values back in [0, 1] for display."""
        return self.train.denormalize(X)

    def __repr__(self) -> str:
        kind = "SYNTHETIC stand-in for " if self.synthetic else ""
        return (f"Data({kind}{self.info.title}: train {len(self.train)}, test "
                f"{len(self.test)}, images {self.info.shape}, {len(self.classes)} classes)")


def _denormalize(X: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"denormalize: expected a tensor of images, got {type(X).__name__}.")
    channels = len(mean)
    if X.dim() not in (3, 4) or X.shape[-3] != channels:
        raise ValueError(f"denormalize: expected images shaped (C, H, W) or (N, C, H, W) with "
                         f"C={channels}, got {tuple(X.shape)}.")
    m = torch.tensor(mean, dtype=X.dtype, device=X.device).view(channels, 1, 1)
    s = torch.tensor(std, dtype=X.dtype, device=X.device).view(channels, 1, 1)
    return (X * s + m).clamp(0, 1)


# --------------------------------------------------------------------------- names, files


def canonical_name(name: str) -> str:
    """The canonical dataset name for ``name`` ("CIFAR-10" -> "cifar10"), or a clear error."""
    if not isinstance(name, str):
        raise TypeError(f"expected a dataset name (str) such as 'cifar10', got "
                        f"{type(name).__name__}.")
    key = name.strip().lower().replace(" ", "_")
    if key in _ALIASES:
        return _ALIASES[key]
    close = difflib.get_close_matches(key, list(_ALIASES), n=1)
    hint = f" Did you mean {_ALIASES[close[0]]!r}?" if close else ""
    raise ValueError(f"unknown dataset {name!r}; expected one of "
                     f"{', '.join(repr(d) for d in DATASETS)}.{hint}")


def _torchvision_class(name: str) -> Any:
    from torchvision import datasets

    return {"mnist": datasets.MNIST, "fashion_mnist": datasets.FashionMNIST,
            "cifar10": datasets.CIFAR10}[name]


def expected_files(name: str) -> dict[str, str]:
    """The files dataset ``name`` needs, relative to the data folder, with their MD5.

    Taken from torchvision's own class attributes (MNIST ``resources``, CIFAR-10
    ``train_list``/``test_list``/``meta``). Tests replace this function for their fake files.
    """
    name = canonical_name(name)
    cls = _torchvision_class(name)
    if name == "cifar10":
        entries = [*cls.train_list, *cls.test_list, [cls.meta["filename"], cls.meta["md5"]]]
        return {f"{cls.base_folder}/{f}": md5 for f, md5 in entries}
    return {f"{cls.__name__}/raw/{f}": md5 for f, md5 in cls.resources}


def md5sum(path: str | Path, chunk: int = 1 << 20) -> str:
    """MD5 hex digest of a file (cached per path, size and modification time)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"md5sum: expected a file path, got {type(path).__name__}.")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"md5sum: {path} is not a file; pass the path of an existing "
                                f"file.")
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _verified:
        digest = hashlib.md5(usedforsecurity=False)
        with open(path, "rb") as f:
            while block := f.read(chunk):
                digest.update(block)
        _verified[key] = digest.hexdigest()
    return _verified[key]


def _fix_hint(name: str, path: Path) -> str:
    return (f"Delete {path} and run `cnncourse data download --dataset {name}` (or "
            f"load_data({name!r}) online), or copy the folder your instructor shared again "
            f"and point CNNCOURSE_DATA at it.")


def check_files(name: str, root: str | Path | None = None) -> tuple[list[Path], list[Path]]:
    """Verify dataset ``name`` in ``root``: returns ``(present_ok, missing)`` paths.

    Raises :class:`DataError` naming the file when one is present but fails its checksum.
    """
    name = canonical_name(name)
    root = _resolve_root(root, must_exist=False)
    ok, missing = [], []
    for rel, md5 in expected_files(name).items():
        path = root / rel
        if not path.is_file():
            missing.append(path)
        elif md5sum(path) != md5:
            raise DataError(f"{TITLES[name]} file {path} is corrupt or incomplete (its MD5 "
                            f"checksum does not match; a download may have been cut short). "
                            + _fix_hint(name, path))
        else:
            ok.append(path)
    return ok, missing


def expected_archive(name: str) -> tuple[str, str] | None:
    """The archive that holds dataset ``name`` (path in the data folder, MD5), if any.

    CIFAR-10 ships as ``cifar-10-python.tar.gz``; a verified copy in the data folder is
    unpacked without any network. Tests replace this function for their fake archive.
    """
    name = canonical_name(name)
    if name != "cifar10":
        return None
    cls = _torchvision_class(name)
    return cls.filename, cls.tgz_md5


def _unpack_local_archive(name: str, root: Path) -> bool:
    """Unpack a verified archive already in ``root``; True when it was there and unpacked."""
    archive = expected_archive(name)
    if archive is None or not (root / archive[0]).is_file():
        return False
    path = root / archive[0]
    if md5sum(path) != archive[1]:
        raise DataError(f"{TITLES[name]} archive {path} is corrupt or incomplete (its MD5 "
                        f"checksum does not match). " + _fix_hint(name, path))
    from torchvision.datasets.utils import extract_archive

    extract_archive(str(path), str(root))
    return True


def is_available(name: str, root: str | Path | None = None) -> bool:
    """True when every file of dataset ``name`` is present and verified in ``root``."""
    try:
        _, missing = check_files(name, root)
    except DataError:
        return False
    return not missing


def _resolve_root(root: str | Path | None, must_exist: bool) -> Path:
    if root is None:
        return settings.data_dir()
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a folder path (str or Path), got {type(root).__name__}.")
    path = Path(root).expanduser()
    if must_exist and not path.is_dir():
        raise FileNotFoundError(f"data folder {path} does not exist. Create it, or pass the "
                                f"folder that holds the datasets (e.g. the one your "
                                f"instructor shared), or leave root=None to use "
                                f"{settings.data_dir()}.")
    return path


# --------------------------------------------------------------------------- download


def _download_hosts(name: str) -> list[tuple[str, int]]:
    cls = _torchvision_class(name)
    urls = [cls.url] if name == "cifar10" else list(cls.mirrors)
    hosts = []
    for url in urls:
        parts = urlparse(url)
        hosts.append((parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)))
    return hosts


def can_connect(host: str, port: int = 443, timeout: float = PROBE_TIMEOUT) -> bool:
    """True when a TCP connection to ``host:port`` opens within ``timeout`` seconds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def download_dataset(name: str, root: str | Path | None = None) -> Path:
    """Download dataset ``name`` into ``root`` unless verified files are already there.

    Safe to repeat. Returns the data folder. Raises :class:`DataError` when offline or when
    the download fails, and for corrupt files already present.
    """
    name = canonical_name(name)
    root = _resolve_root(root, must_exist=False)
    _, missing = check_files(name, root)
    if missing and _unpack_local_archive(name, root):
        _, missing = check_files(name, root)
    if not missing:
        return root
    if settings.is_offline():
        raise DataError(f"cannot download {TITLES[name]}: CNNCOURSE_OFFLINE=1 is set. Unset it "
                        f"(or run on a machine with network access) and try again.",
                        short="CNNCOURSE_OFFLINE=1 is set")
    hosts = _download_hosts(name)
    if not any(can_connect(host, port) for host, port in hosts):
        where = " or ".join(host for host, _ in hosts)
        short = f"there is no network connection to {where}"
        raise DataError(f"cannot download {TITLES[name]}: {short} (tried for up to "
                        f"{PROBE_TIMEOUT:.0f} s). Check the connection, or "
                        f"copy a data folder that was downloaded elsewhere and set "
                        f"CNNCOURSE_DATA to it.", short=short)
    root.mkdir(parents=True, exist_ok=True)
    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)  # urllib inherits it: a stall cannot hang
    try:
        _fetch(name, root, missing)
    except BaseException as err:  # noqa: BLE001 - any network or archive error means "failed"
        _remove_partial(name, root, missing)    # also when interrupted (Ctrl-C)
        if not isinstance(err, Exception):
            raise
        short = f"the download failed: {_short(err)}"
        raise DataError(f"downloading {TITLES[name]} failed: {err}. Try again later, or copy a "
                        f"data folder downloaded elsewhere and set CNNCOURSE_DATA to "
                        f"it.", short=short) from err
    finally:
        socket.setdefaulttimeout(old_timeout)
    _, missing = check_files(name, root)
    if missing:
        raise DataError(f"downloading {TITLES[name]} finished but these files are still "
                        f"missing: {', '.join(str(p) for p in missing)}.")
    return root


def _remove_partial(name: str, root: Path, missing: list[Path]) -> None:
    """Delete files a failed download left half-written, so the next try starts clean."""
    md5s = {root / rel: md5 for rel, md5 in expected_files(name).items()}
    candidates = [(path, md5s.get(path)) for path in missing]
    if name == "cifar10":
        cls = _torchvision_class(name)
        candidates.append((root / cls.filename, cls.tgz_md5))
    for path, md5 in candidates:
        if path.is_file() and md5sum(path) != md5:
            path.unlink()


def _fetch(name: str, root: Path, missing: list[Path]) -> None:
    """Fetch the missing files with torchvision's download helpers (they check MD5 too)."""
    from torchvision.datasets.utils import download_and_extract_archive, download_url

    cls = _torchvision_class(name)
    if name == "cifar10":
        # The archive is removed once unpacked: the folder stays half the size to share.
        download_and_extract_archive(cls.url, str(root), filename=cls.filename,
                                     md5=cls.tgz_md5, remove_finished=True)
        return
    md5s = expected_files(name)
    for path in missing:
        errors = []
        for mirror in cls.mirrors:
            try:
                download_url(f"{mirror}{path.name}", str(path.parent), filename=path.name,
                             md5=md5s[path.relative_to(root).as_posix()])
                break
            except Exception as err:  # noqa: BLE001 - try the next mirror
                errors.append(f"{mirror}: {err}")
        else:
            raise DataError(f"could not download {path.name}: " + "; ".join(errors))


# --------------------------------------------------------------------------- loading


class _VerifiedCIFAR10:
    """Factory for a CIFAR10 subclass that trusts the checksums cnncourse already verified."""

    _cls: Any = None

    @classmethod
    def get(cls) -> Any:
        if cls._cls is None:
            from torchvision.datasets import CIFAR10

            class VerifiedCIFAR10(CIFAR10):
                """CIFAR10 whose integrity check defers to cnncourse's verification."""

                def _check_integrity(self) -> bool:
                    # cnncourse's table (which tests can replace), not the class attributes;
                    # MD5s are cached, so files verified a moment ago are not read again.
                    try:
                        return not check_files("cifar10", self.root)[1]
                    except DataError:
                        return False

                def _load_meta(self) -> None:
                    import pickle

                    path = os.path.join(self.root, self.base_folder, self.meta["filename"])
                    with open(path, "rb") as f:
                        self.classes = pickle.load(f, encoding="latin1")[self.meta["key"]]
                    self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

            cls._cls = VerifiedCIFAR10
        return cls._cls


def _read_real(name: str, root: Path, train: bool) -> tuple[torch.Tensor, torch.Tensor, list]:
    """uint8 images ``(N, C, H, W)``, int64 labels ``(N,)`` and class names from disk."""
    try:
        if name == "cifar10":
            ds = _VerifiedCIFAR10.get()(str(root), train=train, download=False)
            images = torch.from_numpy(ds.data).permute(0, 3, 1, 2).contiguous()  # (N, 3, 32, 32)
            labels = torch.as_tensor(ds.targets, dtype=torch.long)
            classes = list(ds.classes)
        else:
            cls = _torchvision_class(name)
            _extract_mnist(root / cls.__name__ / "raw")
            ds = cls(str(root), train=train, download=False)
            images = ds.data.unsqueeze(1)                      # (N, 1, 28, 28)
            labels = ds.targets.long()
            classes = list(cls.classes)
    except Exception as err:  # noqa: BLE001 - checksum passed but content is unreadable
        path = root / next(iter(expected_files(name)))
        raise DataError(f"{TITLES[name]} files in {path.parent} could not be read ({err}). "
                        + _fix_hint(name, path.parent)) from err
    if images.shape[1:] != SHAPES[name] or images.shape[0] != labels.shape[0]:
        raise DataError(f"{TITLES[name]} files in {root} hold images shaped "
                        f"{tuple(images.shape)} with {labels.shape[0]} labels; expected "
                        f"(N, {', '.join(map(str, SHAPES[name]))}) with N labels. "
                        + _fix_hint(name, root))
    return images, labels, classes


def _extract_mnist(raw: Path) -> None:
    """Unpack each verified ``.gz`` whose extracted file is missing (torchvision reads those).

    Extraction goes to a scratch folder first and is then renamed into place, so an
    interrupted run never leaves a half-written file that looks complete.
    """
    import shutil
    import tempfile

    from torchvision.datasets.utils import extract_archive

    for gz in sorted(raw.glob("*.gz")):
        target = gz.with_suffix("")
        if target.is_file():
            continue
        scratch = Path(tempfile.mkdtemp(prefix=".extract-", dir=raw))
        try:
            extract_archive(str(gz), str(scratch))
            os.replace(scratch / target.name, target)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def _normalise(images: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """uint8 ``(N, C, H, W)`` -> float32 normalised ``(N, C, H, W)``."""
    c = images.shape[1]
    m = torch.tensor(mean, dtype=torch.float32).view(1, c, 1, 1)
    s = torch.tensor(std, dtype=torch.float32).view(1, c, 1, 1)
    return (images.float().div_(255) - m).div_(s)


def _subset(images: torch.Tensor, labels: torch.Tensor, n: int,
            seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A fixed random subset of ``n`` examples (all of them when ``n`` >= N)."""
    if n >= images.shape[0]:
        return images, labels
    idx = torch.randperm(images.shape[0], generator=torch.Generator().manual_seed(seed))[:n]
    idx = idx.sort().values
    return images[idx], labels[idx]


def _build(name: str, train: tuple[torch.Tensor, torch.Tensor],
           test: tuple[torch.Tensor, torch.Tensor], classes: list[str],
           mean: Sequence[float], std: Sequence[float], synthetic: bool,
           reason: str | None, root: Path | None) -> Data:
    mean, std = tuple(float(v) for v in mean), tuple(float(v) for v in std)
    info = DatasetInfo(name=name, title=TITLES[name], mean=mean, std=std,
                       shape=SHAPES[name], num_classes=len(classes))
    sets = [ImageSet(_normalise(x, mean, std), y, list(classes), mean, std) for x, y in (train, test)]
    return Data(name=name, train=sets[0], test=sets[1], classes=list(classes), info=info,
                synthetic=synthetic, reason=reason, root=root)


def _check_size(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"make_synthetic: {what} must be a positive int, got {value!r}.")
    return value


def make_synthetic(name: str = "cifar10", n_train: int = SYNTHETIC_SIZES[0],
                   n_test: int = SYNTHETIC_SIZES[1], seed: int = 0,
                   reason: str | None = None) -> Data:
    """The built-in generated stand-in for dataset ``name`` as a :class:`Data`.

    Same image shape and class count as the real dataset; classes are named after what they
    show ("circle", "ring", ...). Normalised with the stand-in's own training statistics.
    """
    from cnncourse import synthetic

    name = canonical_name(name)
    n_train, n_test = _check_size(n_train, "n_train"), _check_size(n_test, "n_test")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"make_synthetic: seed must be a non-negative int, got {seed!r}.")
    train = synthetic.generate(name, n_train, seed)
    test = synthetic.generate(name, n_test, seed + 7919)  # a different draw: unseen images
    pixels = train[0][:2000].float().div(255)               # (<=2000, C, H, W): enough
    mean = pixels.mean(dim=(0, 2, 3)).tolist()
    std = pixels.std(dim=(0, 2, 3)).clamp(min=1e-3).tolist()
    return _build(name, train, test, synthetic.CLASSES, mean, std, True, reason, None)


def _tell(name: str, reason: str, root: Path) -> None:
    """Print, once per process and dataset, why the stand-in is used and how to fix it."""
    if name in _told:
        return
    _told.add(name)
    c, h, w = SHAPES[name]
    print(f"cnncourse: using a SYNTHETIC stand-in for {TITLES[name]} because {reason}.\n"
          f"  It has the same {h}x{w}x{c} images and 10 classes (generated shapes and "
          f"textures: {', '.join(_synthetic_classes())}),\n"
          f"  so every cell runs, but the accuracies are not {TITLES[name]} accuracies.\n"
          f"  To get the real data: run `cnncourse data download --dataset {name}` while "
          f"online,\n  or set CNNCOURSE_DATA to a folder your instructor shared "
          f"(this run looked in {root}).")


def _synthetic_classes() -> list[str]:
    from cnncourse.synthetic import CLASSES

    return CLASSES


def load_data(name: str, *, root: str | Path | None = None, download: bool | None = None,
              quick: bool | None = None, fallback: bool = True) -> Data:
    """Load MNIST, Fashion-MNIST or CIFAR-10 into memory, normalised, ready for training.

    Args:
        name: "mnist", "fashion_mnist" or "cifar10".
        root: the data folder; default ``cnncourse.settings.data_dir()`` (``CNNCOURSE_DATA``).
        download: fetch missing files (default: yes, unless ``CNNCOURSE_OFFLINE=1``);
            ``False`` never touches the network.
        quick: small subsets (default: ``CNNCOURSE_QUICK``), 1024 train and 512 test images.
        fallback: when the files are missing and cannot be downloaded, use the built-in
            synthetic stand-in (``True``) or raise :class:`DataError` (``False``).

    Returns:
        a :class:`Data`; ``data.synthetic`` tells whether the stand-in is used.
    """
    name = canonical_name(name)
    for arg, value in (("download", download), ("quick", quick)):
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"load_data: {arg} must be True, False or None, got {value!r}.")
    root = _resolve_root(root, must_exist=root is not None)
    quick = settings.is_quick() if quick is None else quick
    allow_net = (download is not False) and not settings.is_offline()

    _, missing = check_files(name, root)   # raises DataError for corrupt files
    if missing and _unpack_local_archive(name, root):  # e.g. a tarball copied by hand
        _, missing = check_files(name, root)
    reason = None
    if missing and allow_net:
        try:
            download_dataset(name, root)
            missing = []
        except DataError as err:
            reason = err.short
    elif missing:
        why = "CNNCOURSE_OFFLINE=1 is set" if settings.is_offline() else "download=False"
        reason = f"its files are not in {root} and {why}"

    n_train, n_test = QUICK_SIZES if quick else (None, None)
    if missing:
        if not fallback:
            raise DataError(f"{TITLES[name]} is not available: {reason}. Run `cnncourse data "
                            f"download --dataset {name}` online, or set CNNCOURSE_DATA to a "
                            f"folder that holds it.")
        _tell(name, reason, root)
        sizes = QUICK_SIZES if quick else SYNTHETIC_SIZES
        return make_synthetic(name, sizes[0], sizes[1], seed=0, reason=reason)

    tr_x, tr_y, classes = _read_real(name, root, train=True)
    te_x, te_y, _ = _read_real(name, root, train=False)
    if n_train is not None:
        tr_x, tr_y = _subset(tr_x, tr_y, n_train, seed=0)
        te_x, te_y = _subset(te_x, te_y, n_test, seed=1)
    mean, std = STATS[name]
    return _build(name, (tr_x, tr_y), (te_x, te_y), classes, mean, std, False, None, root)


def _short(err: Exception, limit: int = 200) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."
