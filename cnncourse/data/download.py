"""Downloading a dataset once, with torchvision's own classes; safe to repeat and to interrupt."""

from __future__ import annotations

import socket
import textwrap
from pathlib import Path

from cnncourse import settings
from cnncourse.data import files, network
from cnncourse.data.catalog import TITLES, canonical_name
from cnncourse.data.files import DataError


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
    cls = files.TORCHVISION[name]                 # CIFAR-10's archive, MNIST's mirrors
    urls = [cls.url] if name == "cifar10" else list(cls.mirrors)
    if not network.can_reach(urls):
        why = f"there is no network connection to {network.hosts(urls)}"
        raise DataError(f"cannot download {title}: {why} (tried for up to "
                        f"{network.PROBE_TIMEOUT:.0f} s). Check the connection, or copy the "
                        f"files obtained elsewhere in with `cnncourse data import FILE...`, or "
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
        raise DataError(f"downloading {title} failed: {err}. Try again later, or copy the "
                        f"files obtained elsewhere in with `cnncourse data import FILE...`.",
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
