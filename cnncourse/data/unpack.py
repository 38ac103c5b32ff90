"""Unpacking a dataset archive safely: never into a read-only folder, never half-written.

A CIFAR-10 ``cifar-10-python.tar.gz`` found in the data folder is unpacked beside it when the
folder is writable, and otherwise into a per-user cache (``$CNNCOURSE_CACHE/unpacked``, default
``$XDG_CACHE_HOME/cnncourse/unpacked`` or ``~/.cache/cnncourse/unpacked``). It is unpacked
into a scratch folder and renamed into place under a file lock, so a second notebook never
sees a half-written file: it waits, and is told so.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from cnncourse import settings
from cnncourse.data import files
from cnncourse.data.catalog import TITLES
from cnncourse.data.messages import tell_once

UNPACK_WAIT = 600.0  # seconds a process waits for another one to finish unpacking


def cache_dir() -> Path:
    """The per-user folder for unpacked copies: ``settings.user_dir("cache", "unpacked")``."""
    return settings.user_dir("cache", "unpacked")


def cache_for(root: Path) -> Path:
    """The cache folder that stands in for the read-only data folder ``root``."""
    resolved = str(Path(root).expanduser().resolve())
    tag = hashlib.sha1(resolved.encode(), usedforsecurity=False).hexdigest()[:10]
    return cache_dir() / f"{Path(resolved).name or 'root'}-{tag}"


def writable(folder: Path) -> bool:
    """True when a file can really be created in ``folder`` (or in its nearest parent).

    Tries it rather than asking ``os.access``: that says yes to root on a read-only mount's
    chmod and cannot see every network share's rules.
    """
    folder = Path(folder)
    while not folder.exists():
        if folder.parent == folder:
            return False
        folder = folder.parent
    try:
        fd, probe = tempfile.mkstemp(prefix=".cnncourse-write-test-", dir=folder)
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True


def copy_into_place(source: Path, target: Path) -> Path:
    """Copy ``source`` to ``target`` atomically (``settings.write_atomic``)."""
    return settings.write_atomic(target, lambda tmp: shutil.copyfile(source, tmp))


def locate(name: str, root: Path) -> Path | None:
    """The folder holding verified files of dataset ``name``: ``root``, its cache, or None.

    Raises :class:`DataError` when a file in ``root`` is present but corrupt.
    """
    _, missing = files.verified(name, root)
    if not missing:
        return root
    cache = cache_for(root)
    if cache.is_dir():
        try:
            if not files.verified(name, cache)[1]:
                return cache
        except files.DataError:
            pass  # a damaged cached copy: unpack it again from the archive
    return None


def unpack_archive(name: str, root: Path) -> Path | None:
    """Unpack the verified archive of ``name`` found in ``root``; returns where it went.

    None when there is no archive in ``root``. Raises :class:`DataError` for a corrupt one.
    """
    from filelock import FileLock, Timeout

    archive = files.expected_archive(name)
    if archive is None or not (root / archive[0]).is_file():
        return None
    source = root / archive[0]
    if not files.file_ok(source, archive[1]):
        raise files.corrupt_error(name, source, "archive")
    dest = root if writable(root) else cache_for(root)
    if dest != root:
        tell_once(f"cache:{root}", f"cnncourse: {root} is read-only, so {TITLES[name]} is "
                  f"unpacked into the cache {dest} (set CNNCOURSE_CACHE to choose another).")
    dest.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(dest / f".{name}.unpack.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"cnncourse: another process is unpacking {TITLES[name]} into {dest}; "
              f"waiting for it to finish ...", flush=True)
        lock.acquire(timeout=UNPACK_WAIT)
    try:
        try:
            if not files.verified(name, dest)[1]:
                return dest            # unpacked by the process we waited for
        except files.DataError:
            pass                       # damaged earlier copy: replaced below
        _extract_into(source, dest)
    finally:
        lock.release()
    return dest


def _extract_into(archive: Path, dest: Path) -> None:
    """Extract ``archive`` into a scratch folder in ``dest``, then rename each entry in place."""
    from torchvision.datasets.utils import extract_archive

    scratch = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=dest))
    try:
        extract_archive(str(archive), str(scratch))
        for entry in list(scratch.iterdir()):
            target = dest / entry.name
            if target.exists():        # an old or damaged copy: move aside, then drop it
                old = scratch / f".old-{entry.name}"
                os.replace(target, old)
            os.replace(entry, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def prepare(name: str, root: Path) -> Path | None:
    """The folder with verified files of canonical ``name``, unpacking a local archive if
    needed; None when they are not here. Each present file's checksum is checked once."""
    folder = locate(name, root)
    if folder is None and unpack_archive(name, root) is not None:
        folder = locate(name, root)
    return folder
