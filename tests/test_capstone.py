"""The capstone leaderboard: rows round-trip through the CSV, sorted, checked against the brief."""

import pytest

from cnncourse import capstone


def test_record_and_read_back_sorted(tmp_path):
    capstone.record_run("slow but good", "cifar10", 0.80, 500, 120_000, root=tmp_path)
    capstone.record_run("fast", "cifar10", 0.70, 60, 50_000, synthetic=True, root=tmp_path)
    capstone.record_run("best, over budget", "cifar10", 0.85, 900, 300_000, root=tmp_path)
    capstone.record_run("digits", "mnist", 0.992, 100, 20_000, root=tmp_path)
    rows = capstone.leaderboard("cifar10", root=tmp_path)
    assert [r["name"] for r in rows] == ["best, over budget", "slow but good", "fast"]
    assert [r["meets_target"] for r in rows] == [False, True, False]
    assert rows[2]["synthetic"] == "yes" and rows[1]["params"] == 120_000
    assert len(capstone.leaderboard(root=tmp_path)) == 4
    table = capstone.format_leaderboard(rows)
    assert "| 2 | slow but good | cifar10 | 80.00% |" in table and "✅" in table
    assert (tmp_path / "leaderboard.csv").read_text().startswith("when,name,dataset")


def test_empty_and_default_location(monkeypatch, tmp_path):
    monkeypatch.setenv("CNNCOURSE_DATA", str(tmp_path))
    assert capstone.leaderboard_path() == tmp_path / "leaderboard.csv"
    assert capstone.leaderboard() == []
    assert "no runs" in capstone.format_leaderboard([])


@pytest.mark.parametrize("kwargs, words", [
    (dict(accuracy=91), "not 91"),
    (dict(accuracy=-0.1), "[0, 1]"),
    (dict(dataset="imagenet"), "one of"),
    (dict(seconds=-1), "seconds"),
    (dict(params=1.5), "count_parameters"),
    (dict(name=""), "name"),
])
def test_bad_input(tmp_path, kwargs, words):
    args = dict(name="run", dataset="mnist", accuracy=0.9, seconds=10, params=100)
    args.update(kwargs)
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        capstone.record_run(**args, root=tmp_path)


def test_malformed_csv_names_the_line(tmp_path):
    capstone.record_run("ok", "mnist", 0.9, 10, 100, root=tmp_path)
    with open(tmp_path / "leaderboard.csv", "a") as f:
        f.write("2026-01-01 00:00,bad,mnist,ninety,10,100,no,\n")
    with pytest.raises(ValueError, match="line 3"):
        capstone.leaderboard(root=tmp_path)
