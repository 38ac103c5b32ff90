"""Downloading a dataset once, with torchvision's helpers; safe to repeat and to interrupt."""

from __future__ import annotations

import socket
from pathlib import Path

from cnncourse import settings
from cnncourse.data import files, network
from cnncourse.data.catalog import TITLES, canonical_name
from cnncourse.data.messages import DataError, short


def download_urls(name: str) -> list[str]:
    """The URLs dataset ``name`` is fetched from (CIFAR-10's archive, MNIST's mirrors)."""
    cls = files.torchvision_class(name)
    return [cls.url] if name == "cifar10" else list(cls.mirrors)


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
    if download is False or settings.is_offline():
        why = "CNNCOURSE_OFFLINE=1 is set" if settings.is_offline() else "download=False"
        return None, f"its files are not in {root} and {why}"
    try:
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
                        short="CNNCOURSE_OFFLINE=1 is set")
    urls = download_urls(name)
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
    # prepare() verified what is present (and raised for a corrupt file): fetch the rest.
    missing = [root / rel for rel in files.expected_files(name) if not (root / rel).is_file()]
    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(network.DOWNLOAD_TIMEOUT)  # urllib inherits it: no endless stall
    try:
        _fetch(name, root, missing)
    except BaseException as err:  # noqa: BLE001 - any network or archive error means "failed"
        _remove_partial(name, root, missing)    # also when interrupted (Ctrl-C)
        if not isinstance(err, Exception):
            raise
        raise DataError(f"downloading {title} failed: {err}. Try again later, or copy the "
                        f"files obtained elsewhere in with `cnncourse data import FILE...`.",
                        short=f"the download failed: {short(err)}") from err
    finally:
        socket.setdefaulttimeout(old_timeout)
    missing = files.verified(name, root)[1]
    if missing:
        raise DataError(f"downloading {title} finished but these files are still "
                        f"missing: {', '.join(str(p) for p in missing)}.")
    return files.prepare(name, root, downloaded=True) or root  # MNIST: unpacked beside


def _remove_partial(name: str, root: Path, missing: list[Path]) -> None:
    """Delete files a failed download left half-written, so the next try starts clean."""
    md5s = {root / rel: md5 for rel, md5 in files.expected_files(name).items()}
    candidates = [(path, md5s.get(path, "")) for path in missing]
    archive = files.expected_archive(name)
    if archive is not None:
        candidates.append((root / archive[0], archive[1]))
    for path, md5 in candidates:
        if path.is_file() and not files.file_ok(path, md5):
            path.unlink()


def _fetch(name: str, root: Path, missing: list[Path]) -> None:
    """Fetch the missing files with torchvision's ``download_url`` (it checks the MD5 too)."""
    from torchvision.datasets.utils import download_url

    archive = files.expected_archive(name)
    if archive is not None:
        # The archive is unpacked like a hand-copied one (atomic, locked), then removed:
        # the folder stays half the size to share.
        download_url(download_urls(name)[0], str(root), filename=archive[0], md5=archive[1])
        files.unpack_archive(name, root)
        (root / archive[0]).unlink()
        return
    md5s = files.expected_files(name)
    for path in missing:
        errors = []
        for mirror in download_urls(name):
            try:
                download_url(f"{mirror}{path.name}", str(path.parent), filename=path.name,
                             md5=md5s[path.relative_to(root).as_posix()])
                break
            except Exception as err:  # noqa: BLE001 - try the next mirror
                errors.append(f"{mirror}: {err}")
        else:
            raise DataError(f"could not download {path.name}: " + "; ".join(errors))
