"""A dataset's files: which ones (:func:`expected_files`, the one checksum table), checking and
unpacking them (never into a read-only folder), their status; ``DataError`` and the notices."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from torchvision import datasets
from torchvision.datasets import utils as tv_utils  # called through the module: tests wrap it

from cnncourse import settings
from cnncourse.data.catalog import TITLES, canonical_name

UNPACK_WAIT = 600.0  # seconds a process waits for another one to finish unpacking

_verified: dict[tuple[str, int, int, str], bool] = {}  # (path, size, mtime_ns, md5) -> ok
_told: set[str] = set()  # notices already printed in this process (one line each, once)


class DataError(RuntimeError):
    """A dataset file is corrupt or unreadable, or a download was asked for and failed.

    ``short`` is a few words on what happened, without the advice (used in messages).
    """

    def __init__(self, message: str, short: str | None = None):
        super().__init__(message)
        self.short = short or message


def fix_hint(name: str, path: Path) -> str:
    """The advice for a corrupt or unreadable file of dataset ``name`` at ``path``."""
    return (f"Delete {path} and run `cnncourse data download --dataset {name}` (or "
            f"load_data({name!r}) online), or copy the folder your instructor shared again "
            f"and point CNNCOURSE_DATA at it.")


def tell_once(key: str, text: str) -> None:
    """Print ``text`` the first time ``key`` is told in this process."""
    if key in _told:
        return
    _told.add(key)
    print(text)


# The table ------------------------------------------------------------------------------------

class CourseCIFAR10(datasets.CIFAR10):
    """torchvision's CIFAR10 on files the course has checked against :func:`expected_files`:
    its file list drops the checksums, as torchvision's own CIFAR100 sets its own."""

    train_list = [[f"data_batch_{i}", None] for i in range(1, 6)]
    test_list = [["test_batch", None]]
    meta = {"filename": "batches.meta", "key": "label_names", "md5": None}


READERS = {"mnist": datasets.MNIST, "fashion_mnist": datasets.FashionMNIST,
           "cifar10": CourseCIFAR10}
"""torchvision's class that reads (``download=False``) and downloads each dataset; its public
attributes give the URLs and (in torchvision's own CIFAR10 for CIFAR-10) the files."""


def expected_files(name: str) -> dict[str, str]:
    """The files dataset ``name`` needs, relative to the data folder, with their MD5.

    Taken from torchvision's public class attributes (MNIST ``resources``, CIFAR-10
    ``train_list``/``test_list``/``meta``). Tests and the real-data kit replace this function.
    """
    name = canonical_name(name)
    if name == "cifar10":
        tv = datasets.CIFAR10         # torchvision's own: CourseCIFAR10 drops the checksums
        entries = [*tv.train_list, *tv.test_list, [tv.meta["filename"], tv.meta["md5"]]]
        return {f"{tv.base_folder}/{f}": md5 for f, md5 in entries}
    cls = READERS[name]
    return {f"{cls.__name__}/raw/{f}": md5 for f, md5 in cls.resources}


def expected_archive(name: str) -> tuple[str, str] | None:
    """The archive that holds dataset ``name`` (path in the data folder, MD5), if any.

    CIFAR-10 ships as ``cifar-10-python.tar.gz``; a verified copy in the data folder is
    unpacked without any network. Tests replace this function for their fake archive.
    """
    name = canonical_name(name)
    if name != "cifar10":
        return None
    return CourseCIFAR10.filename, CourseCIFAR10.tgz_md5


# Checking ---------------------------------------------------------------------------------------

def file_ok(path: Path, md5: str) -> bool:
    """True when ``path`` is a file whose MD5 is ``md5`` (torchvision's ``check_integrity``,
    remembered while the file keeps its size and modification time)."""
    if not path.is_file():
        return False
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns, md5)
    if key not in _verified:
        _verified[key] = tv_utils.check_integrity(str(path), md5)
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


def missing(name: str, root: Path) -> list[Path]:
    """The expected files of canonical ``name`` not in ``root`` (:func:`states`).

    Raises :class:`DataError` naming the file when one is present but fails its checksum.
    """
    rows = states(name, root)
    for path, state in rows:
        if state == "corrupt":
            raise corrupt_error(name, path)
    return [path for path, state in rows if state == "missing"]


def resolve_root(root: str | Path | None, must_exist: bool) -> Path:
    """The data folder: ``root`` if given (checked), else ``cnncourse.settings.data_dir()``."""
    if root is None:
        return settings.data_dir()
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a folder path (str or Path), got {type(root).__name__}.")
    path = Path(root).expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path} is a file, not a folder; pass the folder that holds the "
                         f"datasets.")
    if must_exist and not path.is_dir():
        raise FileNotFoundError(f"data folder {path} does not exist. Create it, or pass the "
                                f"folder that holds the datasets (e.g. the one your "
                                f"instructor shared), or leave root=None to use "
                                f"{settings.data_dir()}.")
    return path


# Where unpacked copies go -----------------------------------------------------------------------

def cache_for(root: Path) -> Path:
    """The folder in the per-user cache (``CNNCOURSE_CACHE``/unpacked) that stands in for the
    read-only data folder ``root``."""
    resolved = str(Path(root).expanduser().resolve())
    tag = hashlib.sha1(resolved.encode(), usedforsecurity=False).hexdigest()[:10]
    return settings.user_dir("cache", "unpacked") / f"{Path(resolved).name or 'root'}-{tag}"


def writable(folder: Path) -> bool:
    """True when a file can really be created in ``folder`` (or its nearest parent): tried,
    not ``os.access``, which says yes to root in a chmod a-w folder and misreads shares."""
    folder = Path(folder)
    while not folder.exists():
        if folder.parent == folder:
            return False
        folder = folder.parent
    if not folder.stat().st_mode & 0o222:
        return False                   # chmod a-w: read-only by intent, even to root
    try:
        fd, probe = tempfile.mkstemp(prefix=".cnncourse-write-test-", dir=folder)
    except OSError:
        return False
    os.close(fd)
    os.unlink(probe)
    return True


def _unpack_locked(name: str, dest: Path, done: Callable[[], bool],
                   sources: list[tuple[Path, Path]]) -> None:
    """Extract each ``(archive, folder in dest)`` under a lock unless ``done()``: into a
    scratch folder, then renamed into place, so no reader sees a half-written file."""
    from filelock import FileLock, Timeout

    dest.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(dest / f".{name}.unpack.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        print(f"cnncourse: another process is unpacking {TITLES[name]} into {dest}; "
              f"waiting for it to finish ...", flush=True)
        lock.acquire(timeout=UNPACK_WAIT)
    try:
        if done():
            return                     # unpacked by the process we waited for
        for archive, sub in sources:
            target_dir = dest / sub
            target_dir.mkdir(parents=True, exist_ok=True)
            scratch = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=target_dir))
            try:
                tv_utils.extract_archive(str(archive), str(scratch))
                for entry in list(scratch.iterdir()):
                    target = target_dir / entry.name
                    if target.is_dir():  # an old or damaged copy: move aside, then drop it
                        os.replace(target, scratch / f".old-{entry.name}")
                    os.replace(entry, target)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    finally:
        lock.release()


def unpack_archive(name: str, root: Path) -> Path | None:
    """Unpack the verified archive of ``name`` found in ``root`` into ``root`` when it is
    writable, else into its per-user cache (said once); returns where it went.

    None when there is no archive in ``root``. Raises :class:`DataError` for a corrupt one.
    """
    archive = expected_archive(name)
    if archive is None or not (root / archive[0]).is_file():
        return None
    source = root / archive[0]
    if not file_ok(source, archive[1]):
        raise corrupt_error(name, source, "archive")
    dest = root if writable(root) else cache_for(root)
    if dest != root:
        tell_once(f"cache:{root}", f"cnncourse: {root} is read-only, so {TITLES[name]} is "
                  f"unpacked into the cache {dest} (set CNNCOURSE_CACHE to choose another).")

    def done() -> bool:
        try:
            return not missing(name, dest)
        except DataError:
            return False               # a damaged earlier copy: replaced

    _unpack_locked(name, dest, done, [(source, Path("."))])
    return dest


def _gz_size(path: Path) -> int:
    """The size of ``path`` unpacked, from the gzip trailer (modulo 4 GiB, as gzip keeps it)."""
    with open(path, "rb") as f:
        f.seek(-4, os.SEEK_END)
        return int.from_bytes(f.read(4), "little")


def _unpack_gz(name: str, folder: Path) -> Path:
    """Where MNIST's verified ``.gz`` files in ``folder`` lie unpacked for torchvision: beside
    them (as torchvision's download leaves them), else in the per-user cache, unpacked there
    when needed (a shared folder stays as left)."""
    rels = [Path(rel) for rel in expected_files(name) if rel.endswith(".gz")]

    def done_in(base: Path) -> bool:
        return all((base / rel.with_suffix("")).is_file()
                   and (base / rel.with_suffix("")).stat().st_size == _gz_size(folder / rel)
                   for rel in rels)

    if done_in(folder):
        return folder
    cache = cache_for(folder)
    if not done_in(cache):
        _unpack_locked(name, cache, lambda: done_in(cache),
                       [(folder / rel, rel.parent) for rel in rels])
    return cache


def locate(name: str, root: Path) -> Path | None:
    """The folder holding verified files of canonical ``name``: ``root``, its cache, or None.

    Raises :class:`DataError` when a file in ``root`` is present but corrupt.
    """
    if not missing(name, root):
        return root
    cache = cache_for(root)
    if cache.is_dir():
        try:
            if not missing(name, cache):
                return cache
        except DataError:
            pass  # a damaged cached copy: unpack it again from the archive
    return None


def prepare(name: str, root: Path) -> Path | None:
    """The folder torchvision's class for canonical ``name`` reads with ``download=False``,
    after checking and unpacking what is in ``root``; None when the files are not here."""
    folder = locate(name, root)
    if folder is None and unpack_archive(name, root) is not None:
        folder = locate(name, root)
    if folder is not None and name != "cifar10":
        folder = _unpack_gz(name, folder)
    return folder


# Status (``cnncourse data status``) ------------------------------------------------------------

def dataset_status(name: str, root: str | Path | None = None,
                   ) -> tuple[str, str, list[tuple[Path, str]]]:
    """Check every expected file of ``name`` in ``root`` (and its cache, archive) without raising.

    Returns ``(state, summary, files)``: the state is "ready", "archive", "missing",
    "incomplete" or "corrupt", the summary one line for a person, and ``files`` every expected
    file with "present", "missing" or "corrupt".
    """
    name = canonical_name(name)
    root = resolve_root(root, must_exist=False)
    rows = states(name, root)
    found = [state for _, state in rows]
    if "corrupt" in found:
        return "corrupt", (f"CORRUPT: {found.count('corrupt')} file(s) fail their checksum - "
                           f"delete them, then download or copy them again"), rows
    folder = locate(name, root)                 # root's files passed: it raises no more
    if folder is not None:
        where = "" if folder == root else (f" (unpacked copy in the cache {folder}: {root} is "
                                           f"read-only)")
        return "ready", f"present, checksums verified{where}", rows
    archive = expected_archive(name)
    if archive is not None and (root / archive[0]).is_file():
        if not file_ok(root / archive[0], archive[1]):
            return "corrupt", (f"CORRUPT archive {root / archive[0]} (checksum mismatch; "
                               f"delete it and download again)"), rows
        return "archive", f"{archive[0]} present and verified; it is unpacked on first use", rows
    if "present" not in found:
        return "missing", "not downloaded", rows
    gone = ", ".join(path.name for path, state in rows if state == "missing")
    return "incomplete", f"incomplete: missing {gone}", rows

