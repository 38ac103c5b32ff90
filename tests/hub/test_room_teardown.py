"""The room as an instructor runs it: ``cnncourse-instructor hub`` in a terminal (what
``make hub`` runs) says what it set up and warns where the machine or the data fall short;
``cnncourse-instructor hub teardown`` from a second terminal stops it and removes the users,
their homes, their cgroups and the passwords.

Runs as root (CI does): it creates throwaway users and removes them. Listens on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from ._room import why_no_room

COMMAND = str(Path(sys.executable).parent / "cnncourse-instructor")  # as make hub runs it
pytestmark = [pytest.mark.hub,
              pytest.mark.skipif(why_no_room() is not None, reason=str(why_no_room()))]


def _wait_for(process: subprocess.Popen, text: str, out: list[str], timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        out.append(line)
        if text in line:
            return
    raise AssertionError(f"no {text!r} from the hub command:\n{''.join(out)}")


def test_make_hub_then_teardown_removes_the_users_homes_and_cgroups():
    from cnncourse_instructor import cgroups, hub

    top = Path(tempfile.mkdtemp(prefix="cnncourse-teardown-"))
    os.chmod(top, 0o755)
    data = top / "data"
    (data / "shared").mkdir(parents=True)
    (data / "shared" / "open.bin").write_bytes(b"1234")
    closed = data / "shared" / "instructor-only.bin"
    closed.write_bytes(b"5678")
    os.chmod(closed, 0o600)
    tag = uuid.uuid4().hex[:5]
    learners, instructor = [f"tdn{tag}-a", f"tdn{tag}-b"], f"tdn{tag}-t"
    state, port = top / "hub", hub.free_port_block()
    command = [COMMAND, "hub",
               "--learners", ",".join(learners), "--instructor", instructor, "--create-users",
               "--state", str(state), "--data", str(data), "--port", str(port),
               "--quick", "--offline",
               "--cpu-limit", "2", "--mem-limit", "1G"]
    running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, cwd=hub.REPO_ROOT)
    out: list[str] = []
    try:
        _wait_for(running, "Ctrl+C stops the hub", out)
        said = "".join(out)
        print(said)
        # what the instructor reads: logins, limits, data, the sizing warning, the link
        assert f"instructor (admin): {instructor}" in said
        assert "passwords.csv" in said and "slips.txt" in said
        assert ("limits, enforced" in said) or ("ADVISORY ONLY" in said)
        assert "1 file(s) learners can read" in said
        assert "learners cannot read 1 of its files" in said and str(closed) in said
        assert f"chmod -R a+rX,go-w {data}" in said
        assert stat_mode(closed) == 0o600  # reported, not chmod-ed
        if (os.cpu_count() or 1) < 4:
            assert "WARNING: 2 learners at 2 core each need 4 cores" in said
        assert "learners offline: yes" in said and "git-pull?" in said

        settings = json.loads((state / "private" / "room.json").read_text())
        assert settings["env"]["CNNCOURSE_OFFLINE"] == "1"
        client = hub.RoomClient(hub.Room(learners=learners, state=state, data=data,
                                         port=port,
                                         api_token=settings["api_token"]))
        client.start_server(learners[0])
        support = cgroups.host_support()
        group = cgroups.UserCgroup(learners[0], support.version) if support.enforced else None
        if group:
            assert all(d.is_dir() for d in group.dirs.values())
        homes = [Path(pwd.getpwnam(name).pw_dir) for name in [*learners, instructor]]
        assert all(home.is_dir() for home in homes)

        down = subprocess.run([COMMAND, "hub", "teardown", "--state", str(state)],
                              capture_output=True, text=True, cwd=hub.REPO_ROOT, timeout=180)
        assert down.returncode == 0, down.stderr
        assert "stopped the hub" in down.stdout and "removed 3 users" in down.stdout
        assert running.wait(timeout=120) == 0  # the terminal running the room is free again
        for name in [*learners, instructor]:
            with pytest.raises(KeyError):
                pwd.getpwnam(name)
        assert not any(home.exists() for home in homes)
        if group:
            assert not any(d.exists() for d in group.dirs.values())
        assert not (state / "private" / "passwords.csv").exists()
        assert not (state / "private" / "slips").exists()
        assert (state / "private" / "jupyterhub.log").exists()  # kept, for the record
    finally:
        if running.poll() is None:
            running.terminate()
            running.wait(timeout=60)
        hub.remove_learners([*learners, instructor])
        hub.remove_cgroups([*learners, instructor])
        shutil.rmtree(top, ignore_errors=True)


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777
