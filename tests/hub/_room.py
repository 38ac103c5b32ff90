"""What the room's tests share: whether a real room can run here, and a throwaway course
checkout to publish from."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def why_no_room() -> str | None:
    """Why a real room cannot run on this machine (None: it can)."""
    if not sys.platform.startswith("linux"):
        return "the room needs Linux system users"
    if os.geteuid() != 0:
        return "the room test runs as root (as CI does): it creates throwaway learners"
    if not shutil.which("useradd") or not shutil.which("git") or not shutil.which("chpasswd"):
        return "needs useradd, chpasswd and git"
    from cnncourse_instructor import hub

    try:
        hub.find_proxy()
    except FileNotFoundError as err:
        return str(err)
    try:
        hub.check_reachable(hub.REPO_ROOT)  # learners import the course from this checkout
    except PermissionError as err:
        return str(err)
    return None


def course_clone(dest: Path) -> Path:
    """A clone of this checkout's current commit, as the instructor's own course checkout
    (a room publishes from it; the test may commit to it)."""
    from cnncourse_instructor import hub

    subprocess.run(["git", "clone", "-q", "--shared", str(hub.REPO_ROOT), str(dest)],
                   check=True)
    return dest


def commit(repo: Path, path: str, text: str, message: str) -> None:
    (repo / path).write_text(text)
    git = ["git", "-C", str(repo), "-c", "user.name=Instructor",
           "-c", "user.email=instructor@example.org"]
    subprocess.run([*git, "add", path], check=True)
    subprocess.run([*git, "commit", "-qm", message], check=True)
