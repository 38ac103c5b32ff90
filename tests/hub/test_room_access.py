"""Who may do what in a workshop room, against a real running JupyterHub: each learner logs
in with their own password only (also after the hub restarts), the instructor is the only
admin, the room's private files and the solved notebooks are closed to learners, each
learner's server runs under its own enforced CPU quota and memory limit, and a fix the
instructor publishes reaches a learner at their next click on the course link.

Runs as root (CI does): it creates throwaway users and removes them, their processes, homes
and cgroups afterwards. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import pwd
import subprocess
from pathlib import Path

import pytest
import requests

from ._room import commit, why_no_room

pytestmark = [pytest.mark.hub,
              pytest.mark.skipif(why_no_room() is not None, reason=str(why_no_room()))]


@pytest.fixture(scope="module")
def room(shared_room):
    """The room tests/hub/conftest.py starts (two learners and an instructor; restarted once,
    then ada's server runs), shared with the progress-view tests."""
    return shared_room


def _login(url: str, user: str, password: str) -> requests.Session | None:
    """Log in through the hub's login form as a browser does; the session, or None."""
    browser = requests.Session()
    browser.get(f"{url}/hub/login", timeout=30).raise_for_status()
    got = browser.post(f"{url}/hub/login", timeout=60, allow_redirects=False,
                       data={"username": user, "password": password,
                             "_xsrf": browser.cookies.get("_xsrf")})
    if got.status_code != 302:
        return None
    return browser


def test_each_person_logs_in_with_their_own_password_only(room):
    the_room, _, running, first = room
    ada, bo = the_room.learners
    assert running.passwords == first  # the restart kept everyone's password
    assert len(set(first.values())) == 3 and all(len(p) >= 12 for p in first.values())

    mine = _login(the_room.url, ada, first[ada])
    assert mine is not None, "ada could not log in with her own password"
    who = mine.get(f"{the_room.url}/hub/api/user", timeout=30).json()
    assert who["name"] == ada and who["admin"] is False
    # ada cannot see bo's account, nor open the admin page
    assert mine.get(f"{the_room.url}/hub/api/users/{bo}", timeout=30).status_code in (403, 404)
    assert mine.get(f"{the_room.url}/hub/admin", timeout=30,
                    allow_redirects=False).status_code == 403

    assert _login(the_room.url, bo, first[ada]) is None       # ada's password is not bo's
    assert _login(the_room.url, ada, first[bo]) is None       # nor the other way round
    assert _login(the_room.url, ada, "") is None
    assert _login(the_room.url, "root", first[ada]) is None   # not in the room

    boss = _login(the_room.url, the_room.instructor, first[the_room.instructor])
    assert boss is not None
    assert boss.get(f"{the_room.url}/hub/api/user", timeout=30).json()["admin"] is True
    assert boss.get(f"{the_room.url}/hub/admin", timeout=30).status_code == 200


def test_the_passwords_file_and_slips_are_for_root_only(room):
    from cnncourse_instructor import hub

    the_room, _, running, _ = room
    assert the_room.passwords_file.stat().st_mode & 0o077 == 0
    rows = the_room.passwords_file.read_text().splitlines()
    assert rows[0] == "user,password,role" and len(rows) == 1 + len(the_room.users)
    slips = hub.write_slips(the_room, running.passwords, the_room.url, "LINK")
    ada = the_room.learners[0]
    slip = (the_room.private / "slips" / f"{ada}.txt").read_text()
    assert ada in slip and running.passwords[ada] in slip and "LINK" in slip
    assert running.passwords[the_room.learners[1]] not in slip  # a slip holds one password
    assert slips.stat().st_mode & 0o077 == 0


def _private_files(the_room) -> list[Path]:
    files = [the_room.private / name for name in (
        "room.json", "jupyterhub_config.py", "jupyterhub.sqlite", "jupyterhub_cookie_secret",
        "passwords.csv", "jupyterhub.log")]
    solved = sorted((the_room.course_repo / "build" / "solved").glob("*.ipynb"))
    assert files[0].exists() and all(p.exists() for p in files) and solved
    return [*files, solved[0]]


def test_a_learner_cannot_read_the_rooms_private_files_as_a_system_user(room):
    the_room, _, _, _ = room
    ada = the_room.learners[0]
    for path in _private_files(the_room):
        done = subprocess.run(["runuser", "-u", ada, "--", "cat", str(path)],
                              capture_output=True, text=True)
        assert done.returncode != 0 and "Permission denied" in done.stderr, path
    listing = subprocess.run(["runuser", "-u", ada, "--", "ls", str(the_room.state)],
                             capture_output=True, text=True)
    assert listing.returncode != 0  # the room's folder: enter, not list
    # what learners need stays readable: the course mirror they pull from
    head = subprocess.run(["runuser", "-u", ada, "--", "cat",
                           str(Path(the_room.course_url) / "HEAD")],
                          capture_output=True, text=True)
    assert head.returncode == 0 and "refs/heads/main" in head.stdout


def test_a_learner_kernel_cannot_read_them_either(room):
    the_room, client, _, _ = room
    ada = the_room.learners[0]
    paths = [str(p) for p in _private_files(the_room)]
    kernel = client.kernel(ada, "probe.ipynb")
    try:
        done = kernel.execute(
            "import json, os\n"
            "tries = {}\n"
            f"for path in {paths!r}:\n"
            "    try:\n"
            "        open(path, 'rb').read(1)\n"
            "        tries[path] = 'read'\n"
            "    except OSError as err:\n"
            "        tries[path] = type(err).__name__\n"
            "print(json.dumps([os.getuid(), tries]))")
    finally:
        kernel.close()
    assert done.status == "ok", done.error
    uid, tries = json.loads(done.stdout.splitlines()[-1])
    assert uid == pwd.getpwnam(ada).pw_uid
    assert set(tries.values()) == {"PermissionError"}, tries


LIMITS_PROBE = '''\
import json, os, torch
from pathlib import Path
from cnncourse import settings, threads
settings.start()
groups = dict(line.split(":", 2)[1:] for line in open("/proc/self/cgroup").read().splitlines())
cpu, mem = groups.get("cpu") or groups.get("cpu,cpuacct"), groups.get("memory")
root = Path("/sys/fs/cgroup")
if (root / "cgroup.controllers").exists():   # cgroup v2
    here = root / groups[""].lstrip("/")
    quota, period = (here / "cpu.max").read_text().split()
    memory = (here / "memory.max").read_text().strip()
    where = groups[""]
else:
    quota = (root / "cpu" / cpu.lstrip("/") / "cpu.cfs_quota_us").read_text().strip()
    period = (root / "cpu" / cpu.lstrip("/") / "cpu.cfs_period_us").read_text().strip()
    memory = (root / "memory" / mem.lstrip("/") / "memory.limit_in_bytes").read_text().strip()
    where = cpu
print(json.dumps({"where": where, "quota": int(quota) / int(period), "memory": int(memory),
                  "affinity": len(os.sched_getaffinity(0)),
                  "cores": threads.core_limit().cores, "threads": torch.get_num_threads()}))
'''


@pytest.fixture(scope="module")
def support():
    """How this host enforces limits; the limit tests skip where it cannot (advisory only)."""
    from cnncourse_instructor import cgroups

    found = cgroups.host_support()
    if not found.enforced:
        pytest.skip(f"this host cannot enforce limits ({found.reason}): advisory only")
    return found


def test_each_learner_measures_their_own_enforced_limits(room, support):
    from cnncourse_instructor import cgroups

    the_room, client, _, _ = room
    ada = the_room.learners[0]
    kernel = client.kernel(ada, "probe.ipynb")
    try:
        done = kernel.execute(LIMITS_PROBE)
    finally:
        kernel.close()
    assert done.status == "ok", done.error
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["where"].endswith(f"/{cgroups.GROUP}/{ada}"), seen
    assert seen["quota"] == 1.0 and seen["memory"] == 1 << 30, seen
    assert seen["affinity"] == len(os.sched_getaffinity(0)), seen  # not pinned (spawner.py)
    assert seen["cores"] == 1 and seen["threads"] == 1, seen  # the thread policy: CPU_LIMIT


QUOTA_PROBE = '''\
import json, time, torch
torch.set_num_threads(2)              # try to use two cores for 3 s
a = torch.randn(400, 400)
wall, cpu = time.perf_counter(), time.process_time()
while time.perf_counter() - wall < 3:
    a @ a
print(json.dumps((time.process_time() - cpu) / (time.perf_counter() - wall)))
'''


def test_the_cpu_quota_holds_a_kernel_to_one_core(room, support):
    """Two busy torch threads get at most one core's worth of CPU time under the quota."""
    the_room, client, _, _ = room
    kernel = client.kernel(the_room.learners[0], "busy.ipynb")
    try:
        done = kernel.execute(QUOTA_PROBE, timeout=120)
    finally:
        kernel.close()
    assert done.status == "ok", done.error
    cores_used = json.loads(done.stdout.splitlines()[-1])
    print(f"CPU time / wall time with two busy threads under a 1-core quota: {cores_used:.2f}")
    assert cores_used <= 1.15


def test_a_servers_cgroup_goes_when_the_server_stops(room, support):
    from cnncourse_instructor import cgroups

    the_room, client, _, _ = room
    bo = the_room.learners[1]
    group = cgroups.UserCgroup(bo, support.version)
    client.start_server(bo)
    try:
        assert all(d.is_dir() for d in group.dirs.values())
        server_pids = set(map(int, subprocess.run(["pgrep", "-u", bo], capture_output=True,
                                                  text=True).stdout.split()))
        assert server_pids and server_pids <= group.pids()
    finally:
        client.stop_server(bo)
    for _ in range(100):
        if not any(d.exists() for d in group.dirs.values()):
            break
        import time
        time.sleep(0.2)
    assert not any(d.exists() for d in group.dirs.values()), group.dirs


def test_a_published_fix_reaches_a_learner_at_the_next_click(room, capsys):
    from cnncourse_instructor import cli

    the_room, client, _, _ = room
    ada = the_room.learners[0]
    client.pull(ada, the_room.course_url, "main")
    assert "second fix" not in client.contents(ada, "cnncourse/README.md")

    readme = (the_room.course_repo / "README.md").read_text()
    commit(the_room.course_repo, "README.md", readme + "\nA second fix, published live.\n",
           "A fix during the workshop")
    capsys.readouterr()
    assert cli.main(["hub", "publish", "--state", str(the_room.state)]) == 0
    said = capsys.readouterr().out
    assert "published" in said and "A fix during the workshop" in said

    client.pull(ada, the_room.course_url, "main")  # the same link, clicked again
    assert "second fix, published live" in client.contents(ada, "cnncourse/README.md")
    # publishing again with nothing new says so
    assert cli.main(["hub", "publish", "--state", str(the_room.state)]) == 0
    assert "already has" in capsys.readouterr().out


def _oom_kills(group) -> int:
    """How many times the kernel's OOM killer ended a process of ``group``."""
    d = group.dirs.get("memory") or group.dirs[""]
    name = "memory.oom_control" if "memory" in group.dirs else "memory.events"
    for line in (d / name).read_text().splitlines():
        if line.startswith("oom_kill "):
            return int(line.split()[1])
    return 0


def test_a_kernel_past_its_memory_limit_dies_alone(room, support):
    """The memory limit is real: a kernel that takes 1.5 GiB under a 1 GiB limit is killed
    (JupyterLab: "the kernel appears to have died"), its server and the hub carry on."""
    from cnncourse_instructor import cgroups

    the_room, client, _, _ = room
    ada = the_room.learners[0]
    group = cgroups.UserCgroup(ada, support.version)
    before = _oom_kills(group)
    kernel = client.kernel(ada, "greedy.ipynb")
    try:
        try:
            done = kernel.execute("big = b'x' * (1536 * 1024 ** 2)\nprint('survived')",
                                  timeout=20)
        except TimeoutError:  # killed: no reply ever comes
            done = None
    finally:
        kernel.close()
    assert done is None or "survived" not in done.stdout
    assert _oom_kills(group) > before
    assert client.get(f"/user/{ada}/api/status").ok  # the server lives on
    assert client.get("/hub/api/").ok
