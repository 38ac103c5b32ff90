"""A workshop room on a real JupyterHub: three learners, each a system user with their own
server (LocalProcessSpawner in a cgroup where the host allows it, CPU_LIMIT=1), the course pulled into every home by nbgitpuller,
the full-CNN notebook run in every learner's kernel at the same time through the hub, every
run recorded on the room leaderboard the progress view keeps.

Runs as root (CI does): it creates throwaway users and removes them, their processes and
their homes afterwards. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ._room import why_no_room

# Three: more kernels than a 2-core CI machine has cores, so the room is loaded as a real one
# is; each more learner adds a whole notebook 08 to the run, and nothing a fourth would show.
LEARNERS = 3


pytestmark = [pytest.mark.hub,
              pytest.mark.skipif(why_no_room() is not None, reason=str(why_no_room()))]


@pytest.fixture(scope="module")
def room():
    from cnncourse_instructor import hub

    top = Path(tempfile.mkdtemp(prefix="cnncourse-room-"))
    os.chmod(top, 0o755)
    data = top / "data"
    (data / "room-files").mkdir(parents=True)  # not a dataset: the stand-in is used offline
    (data / "room-files" / "slides.bin").write_bytes(os.urandom(4096))
    (data / "README.txt").write_text("The room's shared data: read-only for learners.\n")
    tag = uuid.uuid4().hex[:5]
    learners = [f"cnn{tag}-{i}" for i in range(LEARNERS)]
    the_room = hub.Room(learners=learners, state=top / "hub", data=data,
                        instructor=f"cnn{tag}-t",
                        port=hub.free_port_block(), cpu_limit=1, quick=True, offline=True)
    hub.create_learners(the_room.users)
    running = hub.Hub(the_room)
    try:
        try:
            running.start()
            client = hub.RoomClient(the_room)
            with ThreadPoolExecutor(LEARNERS) as pool:
                list(pool.map(client.start_server, learners))
        except Exception:
            print(f"--- the hub's log ---\n{running.log_tail(80)}")
            raise
        yield the_room, client, running
    finally:
        running.stop()
        hub.remove_learners(the_room.users)
        shutil.rmtree(top, ignore_errors=True)


def test_the_hub_and_every_server_listen_on_localhost_only(room):
    the_room, client, running = room
    assert client.get("/hub/api/").ok
    if not shutil.which("ss"):
        pytest.skip("needs ss (iproute2) to list listening sockets")
    lines = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True).stdout.splitlines()
    address = {line: line.split()[3] for line in lines}
    hub_ports = tuple(f":{the_room.port + i}" for i in range(3))  # hub, proxy API, hub API
    hub_lines = [line for line in lines if address[line].endswith(hub_ports)]
    assert len(hub_lines) >= 3, lines
    for name in the_room.learners:
        pids = subprocess.run(["pgrep", "-u", name], capture_output=True,
                              text=True).stdout.split()
        theirs = [line for line in lines if any(f"pid={pid}," in line for pid in pids)]
        assert theirs, f"{name}'s server listens nowhere?"
        hub_lines += theirs
    assert all(address[line].startswith("127.0.0.1:") for line in hub_lines), hub_lines


def test_nbgitpuller_delivers_the_course_and_keeps_a_learners_edits(room):
    from cnncourse_instructor import hub

    the_room, client, _ = room
    ada = the_room.learners[0]
    for name in the_room.learners:  # the link's first click: clone into ~/cnncourse
        client.pull(name, the_room.course_url, "main")
    home = Path(os.path.expanduser(f"~{ada}"))
    nb = hub.full_cnn_notebook()
    assert (home / "cnncourse" / "notebooks" / nb.name).is_file()
    assert (home / "cnncourse").stat().st_uid == (home.stat().st_uid)  # the learner owns it

    # The learner edits a file in JupyterLab; the instructor then publishes an update.
    mine = client.contents(ada, "cnncourse/README.md") + "\nMy notes: try batch size 64.\n"
    client.save_text(ada, "cnncourse/README.md", mine)
    work = Path(tempfile.mkdtemp())
    try:
        subprocess.run(["git", "clone", "-q", the_room.course_url, str(work / "c")], check=True)
        (work / "c" / "ROOM_UPDATE.md").write_text("Slides for the afternoon are up.\n")
        git = ["git", "-C", str(work / "c"), "-c", "user.name=Instructor",
               "-c", "user.email=instructor@example.org"]
        subprocess.run([*git, "add", "ROOM_UPDATE.md"], check=True)
        subprocess.run([*git, "commit", "-qm", "afternoon"], check=True)
        subprocess.run([*git, "push", "-q", "origin", "main"], check=True)
    finally:
        shutil.rmtree(work)
    client.pull(ada, the_room.course_url, "main")  # the same link, clicked again
    assert client.contents(ada, "cnncourse/README.md") == mine          # the edit survived
    assert "afternoon" in client.contents(ada, "cnncourse/ROOM_UPDATE.md")  # the update came


def test_every_learner_runs_the_full_cnn_notebook_at_once(room):
    from cnncourse.recipes import capstone
    from cnncourse_instructor import hub

    the_room, client, _ = room
    for name in the_room.learners:
        if not Path(os.path.expanduser(f"~{name}/cnncourse")).is_dir():
            client.pull(name, the_room.course_url, "main")
    data_before = hub.folder_digest(the_room.data)
    name = hub.full_cnn_notebook().name
    with ThreadPoolExecutor(LEARNERS) as pool:
        runs = list(pool.map(lambda user: hub.run_in_kernel(client, user, name),
                             the_room.learners))
    for run in runs:
        print(f"{run.user}: {run.cells}/{run.total} cells in {run.seconds:.1f} s")
    for run in runs:
        assert run.finished, f"{run.user}: cell {run.cells} of {run.total}: {run.failed}"
        assert run.row is not None and run.row["who"] == run.user

    # exactly one whole row per learner on the room leaderboard (the progress view keeps it,
    # cnncourse_instructor/progress.py), and nothing else
    from cnncourse_instructor import progress

    rows = progress.Store(the_room.private / "progress" / "progress.sqlite").runs()
    assert all(set(r) == set(capstone.FIELDS) for r in rows), rows
    assert sorted(r["who"] for r in rows) == sorted(the_room.learners)
    assert all(r["synthetic"] == "yes" and r["dataset"] == "cifar10" for r in rows)
    for user in the_room.learners:  # none fell back to their own file: the view took each run
        home = Path(pwd.getpwnam(user).pw_dir)
        assert not (home / ".local" / "state" / "cnncourse" / "leaderboard.csv").exists(), user
    board = progress.latest_runs(rows)
    assert len(board) == LEARNERS
    assert the_room.data.exists() and hub.folder_digest(the_room.data) == data_before


def test_each_kernel_sees_its_cpu_limit_and_the_shared_folders(room):
    the_room, client, _ = room
    kernel = client.kernel(the_room.learners[1], "probe.ipynb")
    try:
        done = kernel.execute(
            "import json, os, torch\n"
            "from cnncourse import settings, threads\n"
            "settings.start()\n"
            "print(json.dumps([os.environ.get('CPU_LIMIT'), str(threads.core_limit()),\n"
            "  torch.get_num_threads(), str(settings.data_dir()),\n"
            "  os.environ.get('CNNCOURSE_LEADERBOARD'), os.access(settings.data_dir(), os.W_OK)]))")
    finally:
        kernel.close()
    assert done.status == "ok", done.error
    limit, core, threads, data, board, data_writable = json.loads(done.stdout.splitlines()[-1])
    assert float(limit) == 1 and core.startswith("1 core: CPU_LIMIT=") and threads == 1
    assert "1 core: CPU_LIMIT=" in done.stdout  # the setup line says where it came from
    assert data == str(the_room.data)
    assert board is None  # no shared leaderboard file: the progress view keeps the room's board
    assert data_writable is False


def test_no_learner_can_write_into_another_learners_home(room):
    the_room, client, _ = room
    ada, bo = the_room.learners[:2]
    victim = Path(os.path.expanduser(f"~{bo}"))
    kernel = client.kernel(ada, "probe.ipynb")
    try:
        done = kernel.execute(
            "import json, os\n"
            "tries = {}\n"
            f"for target in [{str(victim / 'intruder.txt')!r}, "
            f"{str(victim / 'cnncourse' / 'intruder.txt')!r}]:\n"
            "    try:\n"
            "        open(target, 'w').write('x')\n"
            "        tries[target] = 'written'\n"
            "    except OSError as err:\n"
            "        tries[target] = type(err).__name__\n"
            "print(json.dumps([os.getuid(), tries]))")
    finally:
        kernel.close()
    assert done.status == "ok", done.error
    uid, tries = json.loads(done.stdout.splitlines()[-1])
    assert uid == pwd.getpwnam(ada).pw_uid != 0  # the kernel runs as the learner
    assert set(tries.values()) == {"PermissionError"}, tries
    assert not (victim / "intruder.txt").exists()
