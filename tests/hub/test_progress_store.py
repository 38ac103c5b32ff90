"""The room's progress service without a hub: its store, its rules, its web app (with a
token table standing in for the hub's identification), and the learner-side recorder talking
to it. Fast; part of `make check`. The real hub is in test_progress_room.py."""

from __future__ import annotations

import json
import os
import stat
import threading
import urllib.error
import urllib.request

import pytest

from cnncourse_instructor import progress

TOKENS = {"t-ada": {"name": "ada"}, "t-bo": {"name": "bo"},
          "t-teach": {"name": "teach"}, "t-admin": {"name": "root-admin", "admin": True}}


async def _identify(handler):
    # as HubOAuth: a token header, else the login cookie a browser holds
    header = handler.request.headers.get("Authorization", "")
    return TOKENS.get(header.removeprefix("token ").strip()
                      or handler.get_cookie("login", ""))


async def _users():
    return {"ada": {"server": True, "last_activity": "2026-12-07T10:00:00Z"},
            "bo": {"server": False, "last_activity": None},
            "cy": {"server": True, "last_activity": None}}


@pytest.fixture()
def service(tmp_path):
    store = progress.Store(tmp_path / "private" / "progress.sqlite")
    app = progress.make_app(store, instructors=frozenset({"teach"}), identify=_identify,
                            hub_users=_users)
    with progress.InThread(app) as url:
        yield store, url + "/services/progress/"


def _call(url, token=None, body=None, method=None, raw=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def _check(item="conv_output_size", status="wrong", message="off by one", **kw):
    return {"kind": "check", "lesson": "convolution", "item": item, "status": status,
            "message": message, "when": 1.0, **kw}


def test_store_is_private_and_in_wal_mode(tmp_path):
    store = progress.Store(tmp_path / "p" / "progress.sqlite")
    assert stat.S_IMODE(os.stat(tmp_path / "p").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "p" / "progress.sqlite").st_mode) == 0o600
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.add("ada", progress.check_record(_check()))
    assert store.records()[0]["who"] == "ada" and store.count() == 1


@pytest.mark.parametrize("body, says", [
    ([1, 2], "JSON object"),
    ({**_check(), "who": "bo"}, "may not name a learner"),
    (_check(status="great"), "'status' must be one of"),
    ({**_check(), "when": "now"}, "'when' must be a time"),
    ({"kind": "quiz", "lesson": "x", "item": "q", "answer": "B", "when": 1.0}, "'correct'"),
    ({"kind": "kernel", "event": "start", "pid": -3, "when": 1.0}, "'pid'"),
    ({"kind": "hack", "when": 1.0}, "'kind' must be"),
])
def test_bad_records_are_refused_with_the_reason(body, says):
    with pytest.raises(progress.BadRecord, match=says):
        progress.check_record(body)


def test_summary_counts_latest_verdicts_first_quiz_answers_and_dead_kernels():
    now = 100.0
    rows = []

    def rec(who, **r):
        nonlocal now
        now += 1
        base = {"lesson": "", "item": "", "status": "", "message": "", "answer": "",
                "correct": None, "event": "", "pid": None}
        rows.append({**base, "who": who, "received": now, **r})

    rec("ada", kind="kernel", event="start", pid=10)
    rec("ada", kind="check", lesson="conv", item="size", status="wrong", message="off by one")
    rec("ada", kind="check", lesson="conv", item="size", status="correct", message="ok")  # re-run
    rec("bo", kind="check", lesson="conv", item="size", status="wrong", message="off by one")
    rec("cy", kind="check", lesson="conv", item="size", status="wrong", message="shape")
    rec("cy", kind="check", lesson="conv", item="pad", status="not attempted", message="")
    rec("ada", kind="quiz", lesson="conv", item="padding", answer="A", correct=0)
    rec("ada", kind="quiz", lesson="conv", item="padding", answer="C", correct=1)  # 2nd: ignored
    rec("bo", kind="quiz", lesson="conv", item="padding", answer="C", correct=1)
    rec("ada", kind="kernel", event="start", pid=11)  # pid 10 never stopped: it died
    rec("bo", kind="kernel", event="start", pid=20)
    rec("bo", kind="kernel", event="stop", pid=20)
    rec("bo", kind="kernel", event="start", pid=21)   # a clean restart: nothing died
    s = progress.summarize(rows, [], {"dan": {"server": False, "last_activity": None}})
    size = next(x for x in s["exercises"] if x["exercise"] == "size")
    assert (size["correct"], size["wrong"], size["not attempted"]) == (1, 2, 1)  # dan: none
    assert size["stuck"][0] == {"message": "off by one", "learners": 1} or \
        size["stuck"][0]["learners"] == 1
    assert {m["message"] for m in size["stuck"]} == {"off by one", "shape"}
    assert s["grid"]["ada"]["conv/size"]["status"] == "correct"
    assert s["grid"]["dan"]["conv/size"]["status"] is None
    quiz = s["quizzes"][0]
    assert quiz["options"] == {"A": 1, "C": 1} and quiz["right"] == ["C"]
    people = {p["learner"]: p for p in s["learners"]}
    assert people["ada"]["kernels_died"] == 1 and people["bo"]["kernels_died"] == 0
    assert people["bo"]["kernel_running"] is True


def test_records_are_stored_under_the_token_s_name_only(service):
    store, url = service
    assert _call(url + "api/records", "t-ada", _check())[0] == 200
    code, text = _call(url + "api/records", "t-ada", {**_check(), "who": "bo"})
    assert code == 400 and "may not name a learner" in text
    assert _call(url + "api/records", None, _check())[0] == 403           # no token
    assert _call(url + "api/records", "t-forged", _check())[0] == 403     # unknown token
    code, text = _call(url + "api/records", "t-ada", raw=b'{"kind": "check", "less')
    assert code == 400 and "expected a JSON object" in text               # truncated
    assert _call(url + "api/records", "t-ada", raw=b"\xff\xfe garbage")[0] == 400
    assert _call(url + "api/records", "t-ada", raw=b"x" * 20_000)[0] == 413
    assert [r["who"] for r in store.records()] == ["ada"]


def _row(**kw):
    from cnncourse.recipes import capstone

    row = capstone.run_row("mine", "cifar10", None, 30, 1000, True, val_accuracy=0.5, who="x")
    row.pop("who")
    return {**row, **kw}


def test_the_board_cannot_be_forged_changed_or_emptied(service):
    store, url = service
    code, text = _call(url + "api/runs", "t-ada", _row())
    assert code == 200 and json.loads(text)["who"] == "ada"
    code, text = _call(url + "api/runs", "t-bo", _row(who="ada", val_accuracy="0.9900"))
    assert code == 400 and "only record your own runs" in text
    assert _call(url + "api/runs", "t-bo", _row(val_accuracy="1.5"))[0] == 400
    assert _call(url + "api/runs", "t-bo", _row(name="a\nb"))[0] == 400
    assert _call(url + "api/runs", "t-bo", {"name": "x"})[0] == 400       # fields missing
    assert _call(url + "api/runs", "t-bo", raw=b'{"when": "2026')[0] == 400
    assert _call(url + "api/runs", "t-bo", method="DELETE")[0] == 405
    assert _call(url + "api/runs", "t-bo", _row(), method="PUT")[0] == 405
    code, text = _call(url + "api/runs", "t-bo")
    assert code == 200 and [r["who"] for r in json.loads(text)] == ["ada"]
    assert store.count("runs") == 1


def test_only_instructors_see_the_view(service):
    store, url = service
    _call(url + "api/records", "t-ada", _check(message="off <b>by</b> one"))
    for path in ("", "fragment", "api/progress", "progress.csv"):
        assert _call(url + path, "t-ada")[0] == 403, path
    for token in ("t-teach", "t-admin"):
        code, text = _call(url + "api/progress", token)
        assert code == 200 and json.loads(text)["grid"]["ada"]["convolution/conv_output_size"][
            "status"] == "wrong"
    code, page = _call(url, "t-teach")
    assert code == 200 and "<th scope='row'>ada</th>" in page and "❌</span> wrong" in page
    assert "off &lt;b&gt;by&lt;/b&gt; one" in page and "<b>by</b>" not in page
    code, text = _call(url + "progress.csv", "t-teach")
    assert code == 200 and "ada,check,convolution,conv_output_size,wrong" in text
    assert "teach" not in json.loads(_call(url + "api/progress", "t-teach")[1])["grid"]


def test_thirty_writers_at_once_lose_nothing(service):
    store, url = service
    tokens = list(TOKENS)[:2]

    def write(i):
        for j in range(10):
            assert _call(url + "api/records", tokens[i % 2], _check(item=f"e{j}"))[0] == 200

    threads = [threading.Thread(target=write, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count() == 300


def test_the_recorder_sends_only_in_a_room(service, monkeypatch, capsys):
    from cnncourse.lessons import convolution
    from cnncourse_instructor import recorder

    store, url = service
    monkeypatch.delenv(recorder.URL_ENV, raising=False)
    monkeypatch.setenv(recorder.TOKEN_ENV, "t-ada")
    convolution.check.conv_output_size.verdict(None)
    convolution.check.conv_output_size.passed(lambda *a, **k: 0)
    assert not recorder.active() and store.count() == 0   # outside a room: nothing at all

    monkeypatch.setenv(recorder.URL_ENV, url)
    monkeypatch.setattr(recorder, "_state", {})
    convolution.check.conv_output_size.passed(lambda *a, **k: 0)   # wrong
    convolution.check.conv_output_size.passed(convolution.conv_output_size)  # the reference
    assert recorder.flush(10)
    out = capsys.readouterr().out
    assert out.count("Workshop room") == 1
    kinds = [(r["who"], r["kind"], r["status"] or r["event"]) for r in store.records()]
    assert kinds == [("ada", "kernel", "start"), ("ada", "check", "wrong")]  # pick: not graded


def test_a_quiz_sends_its_first_answer_only(service, monkeypatch):
    from cnncourse.course.quiz import Quizzes
    from cnncourse_instructor import recorder

    store, url = service
    monkeypatch.setenv(recorder.URL_ENV, url)
    monkeypatch.setenv(recorder.TOKEN_ENV, "t-bo")
    monkeypatch.setattr(recorder, "_state", {})
    q = Quizzes("pooling").adds_information  # a fresh copy of the lesson's quiz, from its file
    wrong = next(i for i, o in enumerate(q.options) if not o.correct)
    right = next(i for i, o in enumerate(q.options) if o.correct)
    q._pick(wrong, [], type("F", (), {"value": ""})())
    q._pick(right, [], type("F", (), {"value": ""})())
    assert recorder.flush(10)
    quiz = [r for r in store.records() if r["kind"] == "quiz"]
    assert [(r["who"], r["lesson"], r["item"], r["answer"], r["correct"]) for r in quiz] == \
        [("bo", "pooling", "adds_information", chr(65 + wrong), 0)]


def test_an_unreachable_room_costs_one_line_and_no_time(monkeypatch, capsys):
    import time

    from cnncourse_instructor import recorder

    monkeypatch.setenv(recorder.URL_ENV, "http://127.0.0.1:9/services/progress/")  # nothing there
    monkeypatch.setenv(recorder.TOKEN_ENV, "t-ada")
    monkeypatch.setattr(recorder, "_state", {})
    t0 = time.perf_counter()
    for _ in range(20):
        recorder.record("check", lesson="l", item="i", status="wrong", message="m")
    assert time.perf_counter() - t0 < 0.5   # queued: the cell never waits for the network
    assert recorder.flush(20)
    assert capsys.readouterr().out.count("could not reach the progress view") == 1


def test_capstone_uses_the_room_board_in_a_room(service, monkeypatch, tmp_path):
    from cnncourse.recipes import capstone
    from cnncourse_instructor import recorder

    store, url = service
    monkeypatch.setenv(recorder.URL_ENV, url)
    monkeypatch.setenv(recorder.TOKEN_ENV, "t-bo")
    row = capstone.record_run("room run", "cifar10", None, 20, 500, True, val_accuracy=0.4)
    assert row["who"] == "bo" and store.count("runs") == 1
    assert [r["who"] for r in capstone.leaderboard()] == ["bo"]
    assert capstone.leaderboard(root=tmp_path) == []       # an explicit root: the own file


def test_show_leaderboard_in_a_plain_terminal_prints_the_room_board_as_text(service):
    import subprocess
    import sys

    from cnncourse_instructor import recorder

    store, url = service
    assert _call(url + "api/runs", "t-ada", _row(name="ada's run"))[0] == 200
    env = {**os.environ, recorder.URL_ENV: url, recorder.TOKEN_ENV: "t-bo"}
    done = subprocess.run([sys.executable, "-c", "from cnncourse.recipes import capstone\n"
                           "capstone.show_leaderboard()"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "<IPython" not in done.stdout and "object at 0x" not in done.stdout
    assert "ada's run" in done.stdout and "val accuracy" in done.stdout


def test_a_browser_cookie_alone_cannot_post_records(service):
    store, url = service
    for path, body in (("api/records", _check()), ("api/runs", _row())):
        request = urllib.request.Request(url + path, data=json.dumps(body).encode(),
                                         headers={"Cookie": "login=t-teach"}, method="POST")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(request, timeout=10)
        assert err.value.code == 403 and "Authorization" in err.value.read().decode()
    request = urllib.request.Request(url + "api/progress", headers={"Cookie": "login=t-teach"})
    with urllib.request.urlopen(request, timeout=10) as reply:   # reading the view: fine
        assert reply.status == 200
    assert store.count() == 0 and store.count("runs") == 0


def test_a_room_that_cannot_be_reached_falls_back_to_the_file(monkeypatch, tmp_path, capsys):
    from cnncourse.recipes import capstone
    from cnncourse_instructor import recorder

    monkeypatch.setenv(recorder.URL_ENV, "http://127.0.0.1:9/services/progress")  # nothing there
    monkeypatch.setenv(recorder.TOKEN_ENV, "t-ada")
    monkeypatch.setenv(capstone.LEADERBOARD_ENV, str(tmp_path / "board.csv"))
    row = capstone.record_run("offline run", "cifar10", None, 5, 10, True, val_accuracy=0.2)
    assert "did not take this run" in capsys.readouterr().out
    assert [r["name"] for r in capstone.leaderboard()] == ["offline run"] and row["who"]
    assert "cannot be read" in capsys.readouterr().out


@pytest.fixture()
def hook(monkeypatch):
    """cnncourse's side of the room (cnncourse.course.room), its recorder looked up afresh."""
    from cnncourse.course import room

    room._load.cache_clear()
    yield room
    room._load.cache_clear()


def test_outside_a_room_no_recorder_is_looked_up(hook, monkeypatch):
    from cnncourse.lessons import convolution

    monkeypatch.delenv(hook.URL_ENV, raising=False)
    convolution.check.conv_output_size.passed(lambda *a, **k: 0)
    assert hook.recorder() is None and hook._load.cache_info().misses == 0


def test_in_a_room_the_hook_finds_the_instructor_s_recorder(hook, monkeypatch):
    from cnncourse_instructor import recorder

    monkeypatch.setenv(hook.URL_ENV, "http://127.0.0.1:9/services/progress/")
    monkeypatch.delenv(recorder.TOKEN_ENV, raising=False)
    assert hook.recorder() is None            # no kernel token: it records nothing
    monkeypatch.setenv(recorder.TOKEN_ENV, "t-ada")
    assert hook.recorder() is recorder        # through the entry point group cnncourse.room


@pytest.mark.parametrize("points, says", [
    ([], "(none is installed)"),
    ([("recorder", "no_such_recorder_module")], "(ModuleNotFoundError: "),
])
def test_a_room_without_a_recorder_says_so_once_and_the_work_goes_on(
        hook, monkeypatch, tmp_path, capsys, points, says):
    import importlib.metadata

    from cnncourse.lessons import convolution
    from cnncourse.recipes import capstone

    found = [importlib.metadata.EntryPoint(name, value, hook.GROUP) for name, value in points]
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: found)
    monkeypatch.setenv(hook.URL_ENV, "http://127.0.0.1:9/services/progress/")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "t-ada")
    monkeypatch.setenv(capstone.LEADERBOARD_ENV, str(tmp_path / "board.csv"))
    for _ in range(2):  # checks work as ever, and the line comes once
        assert not convolution.check.conv_output_size.passed(lambda *a, **k: 0)
    capstone.record_run("own run", "cifar10", None, 5, 10, True, val_accuracy=0.2)
    assert [r["name"] for r in capstone.leaderboard()] == ["own run"]  # the learner's file
    out = capsys.readouterr().out
    assert out.count("no room recorder could be loaded") == 1 and says in out
    assert "did not take this run" not in out and "Workshop room: your" not in out


def test_doctor_never_prints_the_kernels_token(monkeypatch, capsys):
    from cnncourse import cli

    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "s3cr3t-token-value")
    cli.main(["doctor"])
    out = capsys.readouterr().out
    assert "s3cr3t-token-value" not in out and "a secret, not shown" in out
