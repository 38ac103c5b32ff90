"""A full disk never costs the room a row: a short or failed append is cut back off.

Before the fix a row cut short on a full disk stayed in the file without its newline; the
next learner's row was appended to it, and ``leaderboard()`` skipped the merged line, so that
learner's run was gone although their call had succeeded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
import warnings
from pathlib import Path

import pytest

from cnncourse.recipes import capstone


def record(root, who, notes=""):
    return capstone.record_run("room run", "cifar10", 0.5, 10.0, 1234, root=root, who=who,
                               val_accuracy=0.5, notes=notes)


def whole_rows(root: Path) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a malformed (merged) line would warn: fail instead
        return [row["who"] for row in capstone.leaderboard(root=root)]


def check_no_row_lost(root: Path, before: list[str], failed: str) -> None:
    text = (root / capstone.FILE_NAME).read_text()
    assert text.endswith("\n") and failed not in text  # no partial row of the failed run
    assert whole_rows(root) == before  # every earlier row intact


@pytest.fixture
def small_tmpfs():
    """A real 16 KiB tmpfs (root only on Linux), unmounted afterwards."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root on Linux; the faked short write "
                    "test covers the same path")
    mount = Path(f"/tmp/cnncourse-full-{uuid.uuid4().hex[:8]}")
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)
        mount.rmdir()


def test_a_full_tmpfs_loses_no_row(small_tmpfs):
    root = small_tmpfs / "room"
    root.mkdir()
    recorded = []
    for who in ("ada", "bo", "cy"):
        record(root, who)
        recorded.append(who)
    # Fill every free page with another file: the leaderboard keeps only the slack in its
    # last page, so a long enough row is cut short (or refused) by the kernel itself.
    filler = small_tmpfs / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"x" * 1024)
        except OSError:
            pass
    size = (root / capstone.FILE_NAME).stat().st_size
    with pytest.raises(OSError, match="cannot write the leaderboard .*Fix:"):
        record(root, "dee", notes="n" * (4096 - size % 4096 + 200))  # past the last page
    check_no_row_lost(root, recorded, "dee")
    filler.unlink()  # the instructor frees space; the next learner's run counts
    record(root, "eve")
    assert whole_rows(root) == [*recorded, "eve"]


def test_a_faked_short_write_is_rolled_back(tmp_path, monkeypatch):
    record(tmp_path, "ada")
    real_write = os.write

    def short_write(fd, data):
        return real_write(fd, data[: len(data) // 2])  # what a nearly full disk does

    monkeypatch.setattr(capstone.os, "write", short_write)
    with pytest.raises(OSError, match=r"only \d+ of \d+ bytes.*disk full"):
        record(tmp_path, "bo")
    check_no_row_lost(tmp_path, ["ada"], "bo")
    monkeypatch.setattr(capstone.os, "write", real_write)
    record(tmp_path, "cy")
    assert whole_rows(tmp_path) == ["ada", "cy"]


def test_a_failed_first_write_leaves_no_header_behind(tmp_path, monkeypatch):
    real_write = os.write

    def half_then_fail(fd, data):
        real_write(fd, data[:10])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(capstone.os, "write", half_then_fail)
    with pytest.raises(OSError, match="No space left on device"):
        record(tmp_path, "ada")
    assert (tmp_path / capstone.FILE_NAME).read_bytes() == b""
    monkeypatch.setattr(capstone.os, "write", real_write)
    record(tmp_path, "bo")
    assert whole_rows(tmp_path) == ["bo"]
