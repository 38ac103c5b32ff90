"""The capstone leaderboard: where it lives, rows round-trip, ranking by validation accuracy,
no duplicates on a re-run, rows under another header skipped with a warning, and many processes appending at once."""

import os
import subprocess
import sys
import textwrap
import warnings

import pytest

from cnncourse.recipes import capstone


def record(tmp_path, name, dataset="cifar10", acc=0.8, secs=100.0, params=1000, **kw):
    return capstone.record_run(name, dataset, acc, secs, params, root=tmp_path, **kw)


def test_record_and_read_back_ranked_by_validation(tmp_path):
    record(tmp_path, "slow but good", acc=0.80, secs=500, params=120_000, val_accuracy=0.79)
    record(tmp_path, "fast", acc=0.70, secs=60, params=50_000, synthetic=True,
           val_accuracy=0.71)
    # the best test accuracy, but not the best on validation: validation decides the rank
    record(tmp_path, "lucky on test", acc=0.85, secs=900, params=300_000, val_accuracy=0.75)
    record(tmp_path, "val only", acc=None, secs=50, params=10, val_accuracy=0.90)
    record(tmp_path, "digits", dataset="mnist", acc=0.992, secs=100, params=20_000)
    rows = capstone.leaderboard("cifar10", root=tmp_path)
    assert [r["name"] for r in rows] == ["val only", "slow but good", "lucky on test", "fast"]
    assert [r["meets_target"] for r in rows] == [
        bool(capstone.meets_brief("cifar10", r["val_accuracy"], r["seconds"],
                                  r["synthetic"] == "yes"))
        for r in rows]
    assert rows[0]["accuracy"] is None and rows[0]["val_accuracy"] == 0.90
    assert rows[3]["synthetic"] == "yes" and rows[1]["params"] == 120_000
    assert len(capstone.leaderboard(root=tmp_path)) == 5
    cells = capstone._leaderboard_cells(rows)
    assert cells[1][0] == "2" and cells[1][2:7] == ["slow but good", "cifar10", "79.00%",
                                                    "80.00%", "500"]
    assert cells[0][4:6] == ["90.00%", "—"] and cells[0][-1] == "✅"
    assert [c[-2] for c in cells] == ["real", "real", "real", "stand-in"]  # "fast": stand-in


def test_rerun_replaces_instead_of_duplicating(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNCOURSE_USER", "ada")
    record(tmp_path, "my model", acc=0.6, val_accuracy=0.6)
    record(tmp_path, "my model", acc=0.7, val_accuracy=0.72)          # the re-run
    record(tmp_path, "my model", acc=0.5, val_accuracy=0.5, who="bo")  # someone else
    record(tmp_path, "my model", dataset="mnist", acc=0.9)            # another dataset
    rows = capstone.leaderboard("cifar10", root=tmp_path)
    assert [(r["who"], r["val_accuracy"]) for r in rows] == [("ada", 0.72), ("bo", 0.5)]
    assert len(capstone.leaderboard(root=tmp_path)) == 3
    lines = (tmp_path / "leaderboard.csv").read_text().splitlines()
    assert len(lines) == 1 + 4 and lines[0] == ",".join(capstone.FIELDS)  # one header


def test_who_defaults_to_env_then_login(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNCOURSE_USER", "  grace ")
    assert record(tmp_path, "a")["who"] == "grace"
    monkeypatch.delenv("CNNCOURSE_USER")
    monkeypatch.setattr(capstone.getpass, "getuser", lambda: "login-name")
    assert record(tmp_path, "b")["who"] == "login-name"

    def no_user():
        raise KeyError("uid not found")

    monkeypatch.setattr(capstone.getpass, "getuser", no_user)
    assert record(tmp_path, "c")["who"] == "anonymous"
    assert record(tmp_path, "d", who="me")["who"] == "me"


def test_default_location_is_per_user_not_the_data_folder(monkeypatch, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("CNNCOURSE_DATA", str(data))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("CNNCOURSE_LEADERBOARD", raising=False)
    expected = tmp_path / "state" / "cnncourse" / "leaderboard.csv"
    assert capstone.leaderboard_path() == expected
    assert capstone.leaderboard() == []
    capstone.record_run("run", "mnist", 0.9, 10, 100)
    assert expected.is_file() and list(data.iterdir()) == []
    monkeypatch.delenv("XDG_STATE_HOME")
    assert capstone.leaderboard_path() == (capstone.Path.home() / ".local" / "state"
                                           / "cnncourse" / "leaderboard.csv")


def test_one_setting_points_everyone_at_a_shared_file(monkeypatch, tmp_path):
    shared = tmp_path / "room" / "board.csv"
    monkeypatch.setenv("CNNCOURSE_LEADERBOARD", str(shared))
    assert capstone.leaderboard_path() == shared
    capstone.record_run("run", "mnist", 0.9, 10, 100, who="ada")
    capstone.record_run("run", "mnist", 0.95, 10, 100, who="bo")
    assert [r["who"] for r in capstone.leaderboard()] == ["bo", "ada"]
    monkeypatch.setenv("CNNCOURSE_LEADERBOARD", str(tmp_path / "room"))  # a folder works too
    assert capstone.leaderboard_path() == tmp_path / "room" / "leaderboard.csv"


def test_unwritable_location_says_how_to_fix(monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder is expected")
    monkeypatch.setenv("CNNCOURSE_LEADERBOARD", str(blocker / "leaderboard.csv"))
    with pytest.raises(OSError, match="cannot write the leaderboard .*unset CNNCOURSE_LEAD"):
        capstone.record_run("run", "mnist", 0.9, 10, 100)


@pytest.mark.parametrize("kwargs, words", [
    (dict(accuracy=91), "not 91"),
    (dict(accuracy=-0.1), "[0, 1]"),
    (dict(accuracy=float("nan")), "[0, 1]"),
    (dict(val_accuracy=72), "val_accuracy must be a number in [0, 1], got 72 (pass a fraction"),
    (dict(accuracy=None), "give val_accuracy"),
    (dict(dataset="imagenet"), "one of"),
    (dict(seconds=-1), "seconds"),
    (dict(params=1.5), "count_parameters"),
    (dict(name=""), "name"),
    (dict(name="two\nlines"), "one-line"),
    (dict(who=""), "who must be"),
])
def test_bad_input(tmp_path, kwargs, words):
    args = dict(name="run", dataset="mnist", accuracy=0.9, seconds=10, params=100)
    args.update(kwargs)
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")
                       .replace("(", r"\(")):
        capstone.record_run(**args, root=tmp_path)
    assert not (tmp_path / "leaderboard.csv").exists()  # nothing half-recorded


def test_rows_under_another_header_are_skipped_with_a_warning(tmp_path):
    other = ("when,name,dataset,accuracy,seconds,params,synthetic,notes\n"
             "2026-01-01 10:00,odd run,cifar10,0.7000,100.0,5000,yes,another layout\n")
    (tmp_path / "leaderboard.csv").write_text(other)
    with pytest.warns(UserWarning, match="line 2 .its header is not when,who,name"):
        assert capstone.leaderboard(root=tmp_path) == []
    record(tmp_path, "new run", acc=0.65, val_accuracy=0.66, who="ada")
    with pytest.warns(UserWarning, match="skipped 1 malformed"):
        rows = capstone.leaderboard(root=tmp_path)
    assert [(r["name"], r["who"], r["val_accuracy"]) for r in rows] == [("new run", "ada", 0.66)]


def test_malformed_lines_are_skipped_with_a_warning_naming_them(tmp_path):
    record(tmp_path, "ok", acc=0.9)
    with open(tmp_path / "leaderboard.csv", "a") as f:
        f.write("2026-01-01 00:00,x,bad,cifar10,,ninety,10,100,no,\n")
        f.write("truncated,row\n")
    with pytest.warns(UserWarning, match=r"skipped 2 malformed line\(s\).*line 3.*line 4"):
        rows = capstone.leaderboard(root=tmp_path)
    assert [r["name"] for r in rows] == ["ok"]


def test_show_leaderboard_with_an_unrecorded_reference_row(tmp_path, capsys):
    assert capstone.show_leaderboard(root=tmp_path) == []
    assert "no runs recorded yet" in capsys.readouterr().out
    record(tmp_path, "mine", acc=0.6, val_accuracy=0.61, who="ada")
    base = capstone.run_row("SimpleCNN baseline", "cifar10", None, 30, 1000, synthetic=True,
                            val_accuracy=0.55, who="course")
    rows = capstone.show_leaderboard("cifar10", root=tmp_path, extra=[base])
    assert [r["name"] for r in rows] == ["mine", "SimpleCNN baseline (not recorded)"]
    shown = capsys.readouterr().out  # outside a notebook: the table's text
    assert "Leaderboard, ranked by validation accuracy" in shown
    assert "SimpleCNN baseline (not recorded)" in shown
    assert len(capstone.leaderboard(root=tmp_path)) == 1  # the reference row was not written


APPENDER = textwrap.dedent("""
    import sys
    from cnncourse.recipes import capstone
    if sys.argv[3] == "nolock":
        capstone.fcntl = None  # the fallback: one O_APPEND write, no lock
    p = int(sys.argv[2])
    for r in range(int(sys.argv[4])):
        capstone.record_run(f"run {r}, with a comma", "cifar10", None, r, p * 1000 + r,
                            notes="x" * (r * 37 % 300), val_accuracy=(r % 100) / 100,
                            who=f"proc-{p}", root=sys.argv[1])
""")


@pytest.mark.parametrize("mode", ["lock", "nolock"])
def test_many_processes_append_at_once_without_losing_or_mixing_rows(tmp_path, mode):
    procs, rows_each = 8, 50
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    running = [subprocess.Popen([sys.executable, "-c", APPENDER, str(tmp_path), str(p), mode,
                                 str(rows_each)], env=env, stderr=subprocess.PIPE, text=True)
               for p in range(procs)]
    errors = [p.communicate(timeout=120)[1] for p in running]
    assert all(p.returncode == 0 for p in running), errors
    text = (tmp_path / "leaderboard.csv").read_text()
    lines = text.splitlines()
    assert text.endswith("\n") and len(lines) == 1 + procs * rows_each
    assert sum(line.startswith("when,") for line in lines) == 1  # one header, written once
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a mixed-up line would warn as malformed
        rows = capstone.leaderboard(root=tmp_path)
    assert len(rows) == procs * rows_each
    seen = {(r["who"], r["params"]) for r in rows}
    assert seen == {(f"proc-{p}", p * 1000 + r) for p in range(procs) for r in range(rows_each)}
    assert all(len(r["notes"]) == r["params"] % 1000 * 37 % 300 for r in rows)


def test_dataset_names_are_the_ones_load_data_accepts(tmp_path):
    assert record(tmp_path, "a", dataset="CIFAR-10")["dataset"] == "cifar10"
    assert record(tmp_path, "b", dataset="fmnist")["dataset"] == "fashion_mnist"
    assert record(tmp_path, "c", dataset="Fashion-MNIST")["dataset"] == "fashion_mnist"
    assert record(tmp_path, "d", dataset="folder")["dataset"] == capstone.FOLDER
    assert {r["dataset"] for r in capstone.leaderboard("CIFAR-10", root=tmp_path)} == {"cifar10"}
    with pytest.raises(ValueError, match="Did you mean 'mnist'.*dataset='folder'"):
        record(tmp_path, "e", dataset="mnsit")


def test_brief_has_a_real_and_a_stand_in_target_and_none_for_your_own_images():
    for name in ("mnist", "fashion_mnist", "cifar10"):
        t = capstone.TARGETS[name]
        assert 0 < t.accuracy < 1 and 0 < t.standin_accuracy < 1 and t.seconds > 0
        speed = capstone.Speed(seconds_per_step=0.1, steps=5, seconds=0.5)
        assert t.units > 0 and t.budget(speed) == pytest.approx(t.units * 0.1)
        assert t.goal(False) == t.accuracy and t.goal(True) == t.standin_accuracy
    own = capstone.TARGETS[capstone.FOLDER]
    assert own.goal(False) is None and own.goal(True) is None


def test_meets_brief_judges_validation_accuracy_against_the_right_target(monkeypatch, tmp_path):
    monkeypatch.setitem(capstone.TARGETS, "cifar10",
                        capstone.Target("cifar10", 0.60, 100, "", standin_accuracy=0.80))
    assert capstone.meets_brief("cifar10", 0.61, 99)
    assert not capstone.meets_brief("cifar10", 0.61, 101)        # over the budget
    assert not capstone.meets_brief("cifar10", 0.61, 99, synthetic=True)  # stand-in: 0.80
    assert capstone.meets_brief("CIFAR-10", 0.81, 99, synthetic=True)
    assert not capstone.meets_brief("folder", 0.99, 1)            # no fixed target
    record(tmp_path, "high test, low val", acc=0.9, val_accuracy=0.5, secs=50)
    record(tmp_path, "val meets", acc=None, val_accuracy=0.65, secs=50)
    rows = capstone.leaderboard("cifar10", root=tmp_path)
    assert [(r["name"], r["meets_target"]) for r in rows] == [
        ("val meets", True), ("high test, low val", False)]


def test_record_takes_a_run_row_and_rejects_anything_else(tmp_path):
    row = capstone.run_row("mine", "mnist", None, 12, 100, val_accuracy=0.9, who="ada")
    assert capstone.record(row, root=tmp_path) == row
    assert [r["name"] for r in capstone.leaderboard(root=tmp_path)] == ["mine"]
    with pytest.raises(ValueError, match="expected a row from run_row"):
        capstone.record({"name": "x"}, root=tmp_path)
    assert len(capstone.leaderboard(root=tmp_path)) == 1


def _image_folder(root, sizes=((40, 30), (32, 32), (20, 50)), per_class=6):
    """Two classes of PNGs in mixed sizes and modes; class 'bright' is lighter than 'dark'."""
    from PIL import Image

    for label, level in (("dark", 40), ("bright", 210)):
        folder = root / label
        folder.mkdir(parents=True)
        for i in range(per_class):
            w, h = sizes[i % len(sizes)]
            mode = ("RGB", "L", "RGBA")[i % 3]
            colour = (level, level // 2, 255 - level, 255)[: len(mode)] if mode != "L" else level
            Image.new(mode, (w, h), colour).save(folder / f"{i}.png")


def test_capstone_loads_a_folder_of_your_own_images_and_trains_on_it(tmp_path, monkeypatch):
    import torch

    from cnncourse.models import SimpleCNN

    root = tmp_path / "my photos"
    _image_folder(root)
    assert capstone.is_folder_choice(str(root)) and capstone.is_folder_choice("./photos")
    assert not capstone.is_folder_choice("cifar10") and not capstone.is_folder_choice("CIFAR-10")
    (tmp_path / "photos").mkdir()
    (tmp_path / "mnist").mkdir()
    monkeypatch.chdir(tmp_path)
    assert capstone.is_folder_choice("photos") and not capstone.is_folder_choice("mnist")
    data, key = capstone.load_capstone_data(str(root), progress=False)
    assert key == capstone.FOLDER and data.classes == ["bright", "dark"]
    assert data.info.shape == (3, 32, 32)
    assert len(data.train) + len(data.val) + len(data.test) == 12
    assert len(data.val) >= 1 and len(data.test) >= 1
    torch.manual_seed(0)
    model = SimpleCNN(in_channels=3, num_classes=2, image_size=32)
    run = capstone.train_within_budget(model, data, seconds=0.01, max_epochs=1)
    assert run.steps == 1 and run.seconds > 0   # the first step runs even on a tiny budget
    row = capstone.run_row("mine", key, None, run.seconds, 10, val_accuracy=run.val_accuracy)
    assert row["dataset"] == "folder"
    with pytest.raises(FileNotFoundError, match="not a folder"):
        capstone.load_capstone_data(str(tmp_path / "missing"))


def test_capstone_loads_a_course_dataset_by_any_spelling(monkeypatch):
    seen = []
    monkeypatch.setattr("cnncourse.data.load_data", lambda name: seen.append(name) or "data")
    assert capstone.load_capstone_data("CIFAR-10") == ("data", "cifar10")
    assert seen == ["cifar10"]


def test_recording_the_same_run_row_twice_keeps_one_row(tmp_path):
    """The notebook's RECORD = True path, re-run: the leaderboard still shows one row."""
    row = capstone.run_row("my model", "cifar10", 0.5, 40, 100, val_accuracy=0.5, who="ada")
    capstone.record(row, root=tmp_path)
    capstone.record(dict(row, val_accuracy="0.5500"), root=tmp_path)
    rows = capstone.leaderboard(root=tmp_path)
    assert [(r["who"], r["name"], r["val_accuracy"]) for r in rows] == [("ada", "my model", 0.55)]
