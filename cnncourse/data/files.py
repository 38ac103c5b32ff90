"""Which files each dataset needs, with their MD5 checksums, and checking a folder against them.

:func:`expected_files` is the one table every check goes through (tests and the real-data
kit replace it): always call it through this module, at call time.

The public functions take any spelling of a name and an optional folder; the data layer's own
calls go through :func:`states` and :func:`verified`, which take the canonical name and the
resolved folder that ``load_data`` settled once at its door, and check each file once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cnncourse import settings
from cnncourse.data.catalog import TITLES, canonical_name
from cnncourse.data.messages import DataError, fix_hint

_verified: dict[tuple[str, int, int, str], bool] = {}  # (path, size, mtime_ns, md5) -> ok
_md5s: dict[tuple[str, int, int], str] = {}             # (path, size, mtime_ns) -> md5


def torchvision_class(name: str) -> Any:
    """torchvision's dataset class for ``name`` (its attributes hold the official file table)."""
    from torchvision import datasets

    return {"mnist": datasets.MNIST, "fashion_mnist": datasets.FashionMNIST,
            "cifar10": datasets.CIFAR10}[name]


def expected_files(name: str) -> dict[str, str]:
    """The files dataset ``name`` needs, relative to the data folder, with their MD5.

    Taken from torchvision's own class attributes (MNIST ``resources``, CIFAR-10
    ``train_list``/``test_list``/``meta``). Tests replace this function for their fake files.
    """
    name = canonical_name(name)
    cls = torchvision_class(name)
    if name == "cifar10":
        entries = [*cls.train_list, *cls.test_list, [cls.meta["filename"], cls.meta["md5"]]]
        return {f"{cls.base_folder}/{f}": md5 for f, md5 in entries}
    return {f"{cls.__name__}/raw/{f}": md5 for f, md5 in cls.resources}


def expected_archive(name: str) -> tuple[str, str] | None:
    """The archive that holds dataset ``name`` (path in the data folder, MD5), if any.

    CIFAR-10 ships as ``cifar-10-python.tar.gz``; a verified copy in the data folder is
    unpacked without any network. Tests replace this function for their fake archive.
    """
    name = canonical_name(name)
    if name != "cifar10":
        return None
    cls = torchvision_class(name)
    return cls.filename, cls.tgz_md5


def _stat_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path.resolve()), st.st_size, st.st_mtime_ns


def md5sum(path: str | Path) -> str:
    """MD5 hex digest of a file (torchvision's ``calculate_md5``; cached per size and mtime)."""
    from torchvision.datasets.utils import calculate_md5

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"md5sum: expected a file path, got {type(path).__name__}.")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"md5sum: {path} is not a file; pass the path of an existing "
                                f"file.")
    key = _stat_key(path)
    if key not in _md5s:
        _md5s[key] = calculate_md5(str(path))
    return _md5s[key]


def file_ok(path: Path, md5: str) -> bool:
    """True when ``path`` is a file whose MD5 is ``md5`` (torchvision's ``check_integrity``)."""
    from torchvision.datasets.utils import check_integrity

    if not path.is_file():
        return False
    key = (*_stat_key(path), md5)
    if key not in _verified:
        _verified[key] = check_integrity(str(path), md5)
    return _verified[key]


def corrupt_error(name: str, path: Path, what: str = "file") -> DataError:
    """The error for a present file of dataset ``name`` that fails its checksum."""
    return DataError(f"{TITLES[name]} {what} {path} is corrupt or incomplete (its MD5 checksum "
                     f"does not match; a download or copy may have been cut short). "
                     + fix_hint(name, path))


def states(name: str, root: Path) -> list[tuple[Path, str]]:
    """Each expected file of canonical ``name`` in folder ``root``: "present" (its checksum
    verified now), "missing" or "corrupt". One checksum check per present file."""
    rows = []
    for rel, md5 in expected_files(name).items():
        path = root / rel
        state = "missing" if not path.is_file() else "present" if file_ok(path, md5) else "corrupt"
        rows.append((path, state))
    return rows


def verified(name: str, root: Path) -> tuple[list[Path], list[Path]]:
    """``(present_ok, missing)`` paths of canonical ``name`` in ``root`` (:func:`states`).

    Raises :class:`DataError` naming the file when one is present but fails its checksum.
    """
    ok, missing = [], []
    for path, state in states(name, root):
        if state == "corrupt":
            raise corrupt_error(name, path)
        (ok if state == "present" else missing).append(path)
    return ok, missing


def file_status(name: str, root: str | Path | None = None) -> list[tuple[Path, str]]:
    """Each expected file of dataset ``name`` in ``root`` with "present", "missing" or "corrupt"."""
    return states(canonical_name(name), resolve_root(root, must_exist=False))


def check_files(name: str, root: str | Path | None = None) -> tuple[list[Path], list[Path]]:
    """Verify dataset ``name`` in ``root``: returns ``(present_ok, missing)`` paths.

    Raises :class:`DataError` naming the file when one is present but fails its checksum.
    """
    return verified(canonical_name(name), resolve_root(root, must_exist=False))


def resolve_root(root: str | Path | None, must_exist: bool) -> Path:
    """The data folder: ``root`` if given (checked), else ``cnncourse.settings.data_dir()``."""
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
