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
                    leaderboard=tmp_path / "room" / "lb.csv", port=18000, cpu_limit=1,
                    quick=True, proxy=Path("/usr/bin/true"))
    config = hub.write_config(room)
    settings = json.loads((room.state / "room.json").read_text())
    assert (room.state / "room.json").stat().st_mode & 0o077 == 0  # password and token
    env = settings["env"]
    assert env["CNNCOURSE_DATA"] == str(room.data)
    assert env["CNNCOURSE_LEADERBOARD"] == str(room.leaderboard)
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
    assert c.Authenticator.allowed_users == {"ada", "bo"}
    assert c.JupyterHub.spawner_class == "localprocess"


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
