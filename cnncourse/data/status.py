"""One answer to "is this dataset ready?", shared by ``cnncourse data status`` and ``doctor``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cnncourse.data import files, unpack
from cnncourse.data.catalog import canonical_name
from cnncourse.data.messages import DataError


@dataclass
class DatasetStatus:
    """The state of one dataset in a data folder, file by file."""

    name: str
    state: str                     # "ready", "archive", "missing", "incomplete" or "corrupt"
    summary: str                   # one line for a person
    files: list[tuple[Path, str]]  # every expected file with "present", "missing", "corrupt"


def dataset_status(name: str, root: str | Path | None = None) -> DatasetStatus:
    """Check every expected file of ``name`` in ``root`` (and its cache, archive) without raising."""
    name = canonical_name(name)
    root = files.resolve_root(root, must_exist=False)
    rows = files.states(name, root)
    states = [state for _, state in rows]
    if "corrupt" in states:
        bad = states.count("corrupt")
        return DatasetStatus(name, "corrupt", f"CORRUPT: {bad} file(s) fail their checksum "
                             f"- delete them, then download or import again", rows)
    if all(state == "present" for state in states):
        return DatasetStatus(name, "ready", "present, checksums verified", rows)
    cache = unpack.cache_for(root)
    if cache.is_dir() and all(state == "present" for _, state in files.states(name, cache)):
        return DatasetStatus(name, "ready", f"present, checksums verified (unpacked copy in "
                             f"the cache {cache}: {root} is read-only)", rows)
    archive = files.expected_archive(name)
    if archive is not None and (root / archive[0]).is_file():
        if not files.file_ok(root / archive[0], archive[1]):
            return DatasetStatus(name, "corrupt", f"CORRUPT archive {root / archive[0]} "
                                 f"(checksum mismatch; delete it and download again)", rows)
        return DatasetStatus(name, "archive", f"{archive[0]} present and verified; it is "
                             f"unpacked on first use", rows)
    if "present" not in states:
        return DatasetStatus(name, "missing", "not downloaded", rows)
    gone = ", ".join(path.name for path, state in rows if state == "missing")
    return DatasetStatus(name, "incomplete", f"incomplete: missing {gone}", rows)


def is_available(name: str, root: str | Path | None = None) -> bool:
    """True when every file of dataset ``name`` is present and verified in ``root``.

    Also true when ``root`` is read-only and its CIFAR-10 archive was unpacked into the cache.
    """
    try:
        return unpack.locate(canonical_name(name),
                             files.resolve_root(root, must_exist=False)) is not None
    except DataError:
        return False
