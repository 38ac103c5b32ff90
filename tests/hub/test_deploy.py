"""The Zero to JupyterHub values hold what the guide says a room needs (no cluster needed)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

yaml = pytest.importorskip("yaml")

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "z2jh"


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load((DEPLOY / "values.yaml").read_text())


def test_each_person_has_their_own_login_approved_by_the_instructor(values):
    config = values["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] == "nativeauthenticator.NativeAuthenticator"
    assert config["NativeAuthenticator"]["open_signup"] is False  # the admin approves each name
    assert config["Authenticator"]["admin_users"] and config["Authenticator"]["allowed_users"]
    assert "SharedPasswordAuthenticator" not in config


def test_limits_per_learner(values):
    single = values["singleuser"]
    assert single["cpu"]["limit"] == 1 and single["cpu"]["guarantee"] <= 1
    assert single["memory"]["limit"] == "2G"


def test_shared_data_is_read_only_and_named_in_the_environment(values):
    single = values["singleuser"]
    mounts = {m["name"]: m for m in single["storage"]["extraVolumeMounts"]}
    volumes = {v["name"]: v for v in single["storage"]["extraVolumes"]}
    data = mounts["course-data"]
    assert data["readOnly"] is True and volumes["course-data"]["persistentVolumeClaim"][
        "readOnly"] is True
    assert single["extraEnv"]["CNNCOURSE_DATA"] == data["mountPath"]
    board = Path(single["extraEnv"]["CNNCOURSE_LEADERBOARD"])
    assert str(board.parent) == mounts["room"]["mountPath"] and not mounts["room"].get(
        "readOnly")
    claims = {d["metadata"]["name"]: d for d in yaml.safe_load_all(
        (DEPLOY / "volumes.yaml").read_text())}
    for name in ("course-data", "room"):
        claim = volumes[name]["persistentVolumeClaim"]["claimName"]
        assert claims[claim]["spec"]["accessModes"] == ["ReadWriteMany"]


def test_a_larger_dev_shm_for_dataloader_workers(values):
    single = values["singleuser"]
    shm = next(m for m in single["storage"]["extraVolumeMounts"] if m["mountPath"] == "/dev/shm")
    volume = next(v for v in single["storage"]["extraVolumes"] if v["name"] == shm["name"])
    assert volume["emptyDir"]["medium"] == "Memory"
    assert volume["emptyDir"]["sizeLimit"] in {"1Gi", "2Gi"}


def test_the_image_installs_the_course_and_nbgitpuller(values):
    image = values["singleuser"]["image"]["name"]
    assert "cnncourse" in image
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "cnncourse @ git+https://github.com/cnncourse/cnncourse" in dockerfile
    assert "nbgitpuller" in dockerfile and "torch" in dockerfile


def test_the_nbgitpuller_link_in_the_values_is_what_pull_link_makes(values):
    from cnncourse_instructor.hub import pull_link

    text = (DEPLOY / "values.yaml").read_text()
    link = next(line.strip("# \n") for line in text.splitlines() if "git-pull?" in line)
    made = pull_link("https://HUB", "https://github.com/cnncourse/cnncourse", "main",
                     "notebooks/00_start_here.ipynb")
    assert link == made
    query = parse_qs(urlsplit(link).query)
    assert query["repo"] == ["https://github.com/cnncourse/cnncourse"]
    assert query["urlpath"] == ["lab/tree/cnncourse/notebooks/00_start_here.ipynb"]
