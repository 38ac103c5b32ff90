"""The room's configuration, without starting anything: learner names, the config JupyterHub
reads, the nbgitpuller link, and clear errors (no root needed)."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from cnncourse_instructor import hub


def test_learner_names_must_be_login_names():
    assert hub.check_learner_names(["ada", " bo ", "", "learner-07"]) == ["ada", "bo",
                                                                         "learner-07"]
    for bad in (["Ada"], ["7up"], ["a b"], ["x" * 33], ["ada", "ada"], [""]):
        with pytest.raises(ValueError, match="hub: "):
            hub.check_learner_names(bad)


def test_the_config_binds_localhost_and_sets_the_room_environment(tmp_path):
    room = hub.Room(learners=["ada", "bo"], state=tmp_path / "hub", data=tmp_path / "data",
                    port=18000, cpu_limit=1,
                    quick=True, proxy=Path("/usr/bin/true"))
    config = hub.write_config(room)
    assert config.parent == room.private
    settings = json.loads((room.private / "room.json").read_text())
    assert (room.private / "room.json").stat().st_mode & 0o077 == 0  # the API token
    assert room.private.stat().st_mode & 0o777 == 0o700          # the hub's secrets
    assert room.public.stat().st_mode & 0o777 == 0o755           # the course mirror
    assert room.state.stat().st_mode & 0o777 == 0o711            # enter, not list
    assert Path(room.course_url).parent == room.public
    env = settings["env"]
    assert env["CNNCOURSE_DATA"] == str(room.data)
    # the room's board is the progress view's: no file learners could write, forge or empty
    assert "CNNCOURSE_LEADERBOARD" not in env
    assert env["CNNCOURSE_QUICK"] == "1" and "CNNCOURSE_OFFLINE" not in env
    assert settings["cpu_limit"] == 1 and settings["learners"] == ["ada", "bo"]

    class Config(dict):  # what JupyterHub's get_config() returns, enough for this file
        def __getattr__(self, name):
            return self.setdefault(name, Config())

        def __setattr__(self, name, value):
            self[name] = value

    c = Config()
    exec(compile(config.read_text(), str(config), "exec"),
         {"get_config": lambda: c, "__file__": str(config)})
    assert c.JupyterHub.bind_url == "http://127.0.0.1:18000"
    assert c.JupyterHub.hub_ip == "127.0.0.1" and c.Spawner.ip == "127.0.0.1"
    assert c.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:18001"
    assert c.Spawner.cpu_limit == 1 and c.Spawner.environment == env
    assert c.Authenticator.allowed_users == {"ada", "bo", "instructor"}
    assert c.Authenticator.admin_users == {"instructor"}
    assert c.JupyterHub.authenticator_class == "pam"  # each their own system password
    assert c.JupyterHub.spawner_class == "cnncourse_instructor.spawner.RoomSpawner"
    assert c.RoomSpawner.room_users == ["ada", "bo", "instructor"]
    assert c.JupyterHub.db_url == f"sqlite:///{room.private}/jupyterhub.sqlite"
    assert c.JupyterHub.cookie_secret_file.startswith(str(room.private))


def test_an_earlier_rooms_open_files_move_into_the_private_folder(tmp_path):
    state = tmp_path / "hub"
    state.mkdir()
    (state / "jupyterhub.sqlite").write_text("db")
    (state / "course.git").mkdir()
    room = hub.Room(learners=["ada"], state=state, data=tmp_path)
    hub.prepare_state(room)
    assert (room.private / "jupyterhub.sqlite").read_text() == "db"
    assert not (state / "jupyterhub.sqlite").exists()
    assert (room.public / "course.git").is_dir()


def test_passwords_are_made_once_kept_private_and_reused(tmp_path):
    room = hub.Room(learners=["ada", "bo"], state=tmp_path / "hub", data=tmp_path,
                    instructor="teach")
    first = hub.room_passwords(room)
    assert set(first) == {"ada", "bo", "teach"} and len(set(first.values())) == 3
    assert all(len(p) == 12 and set(p) <= set(hub._PASSWORD_ALPHABET) for p in first.values())
    assert room.passwords_file.stat().st_mode & 0o777 == 0o600
    assert hub.room_passwords(room) == first                 # a restart: the same
    room.learners.append("cy")
    again = hub.room_passwords(room)                          # a late learner: only cy new
    assert {k: again[k] for k in first} == first and "cy" in again
    rotated = hub.room_passwords(room, rotate=True)           # --new-passwords
    assert all(rotated[k] != again[k] for k in again)
    slips = hub.write_slips(room, rotated, "http://hub", "http://hub/link")
    assert slips.stat().st_mode & 0o777 == 0o600
    assert rotated["cy"] in (room.private / "slips" / "cy.txt").read_text()


def test_solved_notebooks_in_the_checkout_are_closed_to_learners(tmp_path):
    from cnncourse_instructor.solved import write_solved

    repo = tmp_path / "course"
    (repo / "notebooks").mkdir(parents=True)
    shutil.copy(hub.full_cnn_notebook(), repo / "notebooks")
    write_solved(repo / "build" / "solved", repo / "notebooks")
    (repo / "build" / "solved").chmod(0o755)
    assert hub.solved_folders(repo) == [repo / "build" / "solved"]  # not notebooks/
    assert hub.close_solved(repo) == [repo / "build" / "solved"]
    assert (repo / "build" / "solved").stat().st_mode & 0o077 == 0
    assert (repo / "notebooks").stat().st_mode & 0o005 == 0o005
    assert hub.close_solved(repo) == []  # already closed


def test_the_data_check_names_what_learners_cannot_read_and_changes_nothing():
    top = Path(tempfile.mkdtemp())
    try:
        top.chmod(0o755)
        (top / "sub").mkdir()
        (top / "sub" / "a.bin").write_bytes(b"a")
        (top / "sub" / "a.bin").chmod(0o644)
        (top / "secret.bin").write_bytes(b"s")
        (top / "secret.bin").chmod(0o600)
        (top / "closed").mkdir()
        (top / "closed" / "b.bin").write_bytes(b"b")
        (top / "closed").chmod(0o700)
        readable, closed = hub.check_data(top)
        assert readable == 1 and sorted(closed) == [top / "closed", top / "secret.bin"]
        assert (top / "secret.bin").stat().st_mode & 0o777 == 0o600  # reported, not chmod-ed
    finally:
        (top / "closed").chmod(0o700 | 0o055)
        shutil.rmtree(top)


def test_sizing_warns_when_learners_outnumber_the_machine():
    gib = 1 << 30
    assert hub.sizing_warnings(8, 1, "2G", cores=8, memory=16 * gib) == []
    cpu, = hub.sizing_warnings(4, 1, "2G", cores=2, memory=64 * gib)
    assert "4 learners at 1 core each need 4 cores; this machine has 2, enough for 2" in cpu
    mem, = hub.sizing_warnings(8, 1, "1G", cores=32, memory=8 * gib)
    assert "2.0 GiB each need 16 GiB" in mem and "enough for 4" in mem  # the guide's 2 GB
    assert len(hub.sizing_warnings(30, 1, "4G", cores=2, memory=8 * gib)) == 2
    assert hub.mem_bytes("2G") == 2 * gib and hub.mem_bytes("1500M") == 1500 << 20
    with pytest.raises(ValueError, match="use e.g. 2G"):
        hub.mem_bytes("lots")


def test_cgroup_paths_and_cpu_shares():
    from cnncourse_instructor import cgroups

    paths = cgroups.own_paths("4:memory:/process_api/x\n2:cpu,cpuacct:/\n0::/user.slice\n")
    assert paths == {"memory": "/process_api/x", "cpu": "/", "cpuacct": "/",
                     "": "/user.slice"}
    assert cgroups.pick_cpus(0, 1, [0, 1]) == [0] and cgroups.pick_cpus(1, 1, [0, 1]) == [1]
    assert cgroups.pick_cpus(2, 1, [0, 1]) == [0]                 # round robin
    assert cgroups.pick_cpus(1, 2, [0, 1, 2, 3]) == [2, 3]
    assert cgroups.pick_cpus(0, 1.5, [0, 1, 2, 3]) == [0, 1]      # a part core: a whole CPU
    assert cgroups.pick_cpus(0, None, [0, 1]) == [0, 1]
    assert cgroups.pick_cpus(0, 8, [0, 1]) == [0, 1]


def test_pull_link_opens_the_notebook_in_the_cloned_course():
    link = hub.pull_link("http://127.0.0.1:8000/", "https://github.com/cnncourse/cnncourse",
                         "main", "notebooks/08_build_a_cnn_in_pytorch.ipynb")
    parts = urlsplit(link)
    assert parts.path == "/hub/user-redirect/git-pull"
    query = parse_qs(parts.query)
    assert query["targetPath"] == ["cnncourse"] and query["branch"] == ["main"]
    assert query["urlpath"] == ["lab/tree/cnncourse/notebooks/08_build_a_cnn_in_pytorch.ipynb"]


def test_the_full_cnn_notebook_is_found_by_name():
    assert hub.full_cnn_notebook().name.endswith("_build_a_cnn_in_pytorch.ipynb")


def test_a_missing_proxy_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="make hub-setup"):
        hub.find_proxy(tmp_path)


def test_closed_folders_are_named_with_the_fix():
    top = Path(tempfile.mkdtemp())  # under /tmp, which everyone may enter
    try:
        top.chmod(0o755)
        closed = top / "closed"
        (closed / "inner").mkdir(parents=True)
        hub.check_reachable(closed / "inner")  # open: no error
        closed.chmod(0o700)
        with pytest.raises(PermissionError,
                           match=r"closed is closed to other users.*chmod o\+x"):
            hub.check_reachable(closed / "inner")
    finally:
        shutil.rmtree(top)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_the_command_refuses_bad_names_clearly(capsys):
    from cnncourse_instructor import cli

    assert cli.main(["hub", "--learners", "Ada Lovelace"]) == 2
    assert "not a valid login name" in capsys.readouterr().err
    assert cli.main(["hub"]) == 2
    assert "expected --learners NAMES" in capsys.readouterr().err
    assert cli.main(["hub", "--learners", "ada", "--instructor", "ada"]) == 2
    assert "both a learner and the instructor" in capsys.readouterr().err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_publish_and_teardown_without_a_room_say_which_state_to_give(tmp_path, capsys):
    import os

    from cnncourse_instructor import cli

    for action in ("publish", "teardown"):
        code = cli.main(["hub", action, "--state", str(tmp_path)])
        err = capsys.readouterr().err
        if os.geteuid() != 0:
            assert code == 2 and "run it as root" in err
        else:
            assert code == 2 and "no room in" in err and "--state" in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")
def test_a_host_without_cgroups_is_advisory_with_the_reason(tmp_path):
    import os

    from cnncourse_instructor import cgroups

    support = cgroups.host_support(tmp_path)  # an empty folder: no cgroup file system
    assert support.enforced is False and support.version is None
    if os.geteuid() != 0:
        assert "does not run as root" in support.reason
    else:
        assert "no cgroup v1 cpu controller" in support.reason
        (tmp_path / "cgroup.controllers").write_text("cpuset io\n")  # v2 without cpu, memory
        assert "without the cpu and memory controller" in cgroups.host_support(tmp_path).reason


def test_a_cgroup_v2_group_gets_its_quota_memory_and_cpus_written(tmp_path):
    """The v2 files on a stand-in tree (this project's test machine has cgroup v1, where the
    room's tests check real groups)."""
    from cnncourse_instructor import cgroups

    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (tmp_path / "cgroup.subtree_control").write_text("")
    group = cgroups.UserCgroup("ada", 2, root=tmp_path)
    assert group.dirs == {"": tmp_path / cgroups.GROUP / "ada"}
    (tmp_path / cgroups.GROUP / "ada").mkdir(parents=True)
    (tmp_path / cgroups.GROUP / "ada" / "cpuset.cpus").write_text("")
    group.create(1.5, 2 << 30, [1, 3])
    d = tmp_path / cgroups.GROUP / "ada"
    assert (d / "cpu.max").read_text() == "150000 100000"
    assert (d / "memory.max").read_text() == str(2 << 30)
    assert (d / "cpuset.cpus").read_text() == "1,3"
    enabled = "+cpu +memory +cpuset"
    assert (tmp_path / "cgroup.subtree_control").read_text() == enabled
    assert (tmp_path / cgroups.GROUP / "cgroup.subtree_control").read_text() == enabled
    assert group.procs_files() == [str(d / "cgroup.procs")]
    group.create(None, None, [])  # no limits: the maximum
    assert (d / "cpu.max").read_text() == "max 100000"
    assert (d / "memory.max").read_text() == "max"
