"""``cnncourse-instructor timing``: runs a notebook in a fresh kernel and reports time and peak memory."""

import json
import re
from pathlib import Path

import nbformat
import pytest

from cnncourse_instructor import timing


def _notebook(folder: Path, name: str, cells: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {name[:2]} · Timing test")]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in cells]
    path = folder / name
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    folder = tmp_path_factory.mktemp("timing")
    path = _notebook(folder, "90_memory.ipynb", [
        "import os\nprint(os.environ['CNNCOURSE_QUICK'], os.environ['CNNCOURSE_OFFLINE'])",
        "block = bytearray(400 * 2**20)  # 400 MiB, touched so it is resident\n"
        "block[::4096] = b'x' * len(block[::4096])",
        "import time\ntime.sleep(3.0)  # longer than the 400 MiB cell, even on a busy machine",
    ])
    return timing.time_notebook(path, quick=True)


def test_time_notebook_counts_cells_time_and_peak_memory(measured):
    assert measured.ok, measured.error
    assert measured.cells == 3 and len(measured.cell_seconds) == 3
    assert measured.seconds >= 3.0                      # the sleep is inside the timed span
    assert measured.slowest_cell == 3 and measured.slowest_seconds >= 3.0
    assert measured.peak_bytes >= 400 * 2**20           # the 400 MiB block was resident
    assert measured.peak_bytes < 8 * 2**30


def test_kernel_gets_quick_and_offline_settings(tmp_path):
    path = _notebook(tmp_path, "91_env.ipynb", [
        "import os\nassert os.environ['CNNCOURSE_QUICK'] == '0', os.environ['CNNCOURSE_QUICK']\n"
        "assert os.environ['CNNCOURSE_OFFLINE'] == '1'"])
    result = timing.time_notebook(path, quick=False)
    assert result.ok, result.error


def test_errors_are_recorded_not_raised(tmp_path):
    path = _notebook(tmp_path, "92_broken.ipynb", ["x = 1", "1 / 0", "never = True"])
    result = timing.time_notebook(path, quick=True)
    assert not result.ok
    assert "ZeroDivisionError" in result.error and "code cell 2" in result.error
    table = timing.timing_table([result], quick=True)
    assert "| 92_broken | 3 |" in table and "ZeroDivisionError" in table and "0/1 ok" in table


def test_table_has_machine_line_and_one_row_per_notebook(measured):
    table = timing.timing_table([measured, measured], quick=False)
    lines = table.splitlines()
    assert lines[0].startswith("Measured by `cnncourse-instructor timing --full`")
    machine = next(line for line in lines if line.startswith("Machine: "))
    assert re.search(r"\d+ cores, \d+ GiB RAM", machine) and "torch " in machine
    assert any(line.startswith("Data folder: `") for line in lines)
    assert any(line.startswith("Load: 1-minute load average") for line in lines)
    rows = [line for line in lines if line.startswith("| 90_memory |")]
    assert len(rows) == 2
    assert re.search(r"\| (4\d\d|[5-9]\d\d|\d{4}) MiB \|", rows[0]), rows[0]
    assert lines[-1].startswith("| **all 2** | 6 |") and "2/2 ok" in lines[-1]


def test_cli_writes_the_table_and_the_record(tmp_path, capsys):
    from cnncourse_instructor import cli

    path = _notebook(tmp_path, "93_tiny.ipynb", ["import time\ntime.sleep(0.5)"])
    out, record = tmp_path / "timing.md", tmp_path / "docs" / "timing.json"
    assert cli.main(["timing", "--full", "--out", str(out), "--out", str(record),
                     "--where", "a test box", str(path)]) == 0
    text = out.read_text()
    assert "| 93_tiny | 1 |" in text and "full mode" in text
    assert "93_tiny" in capsys.readouterr().out
    data = json.loads(record.read_text())
    assert data["mode"] == "full" and data["where"] == "a test box"
    entry = data["notebooks"]["93_tiny"]
    assert entry["status"] == "ok" and entry["code_cells"] == 1
    assert 0.5 <= entry["seconds"] < 60


@pytest.mark.parametrize("seconds,phrase", [
    (0, "under 10 s"), (9.9, "under 10 s"), (10, "about 10 s"), (22.4, "about 20 s"),
    (23, "about 25 s"), (77, "about 75 s"), (89, "about 90 s"), (95, "about 1.5 minutes"),
    (130, "about 2 minutes"), (354, "about 6 minutes"), (1300, "about 22 minutes")])
def test_runtime_phrase_rounds_to_what_a_person_would_say(seconds, phrase):
    assert timing.runtime_phrase(seconds, "a 2-core CPU") == f"{phrase} on a 2-core CPU"


def test_runtime_phrase_refuses_negative_seconds():
    with pytest.raises(ValueError, match="seconds >= 0"):
        timing.runtime_phrase(-1, "x")


def _result(name, seconds, error=""):
    return timing.Timing(name, 3, seconds=seconds, peak_bytes=300 * 2**20, error=error)


def test_record_update_keeps_other_notebooks_and_replaces_on_another_mode(tmp_path):
    path = tmp_path / "timing.json"
    timing.write_record(path, [_result("01_a", 12.0), _result("02_b", 40.0)], quick=False,
                        where="a 2-core CPU")
    timing.write_record(path, [_result("02_b", 8.0)], quick=False, where="a 2-core CPU")
    data = timing.read_record(path)
    assert {k: v["seconds"] for k, v in data["notebooks"].items()} == {"01_a": 12.0, "02_b": 8.0}
    timing.write_record(path, [_result("03_c", 5.0, "error in code cell 2: NameError")],
                        quick=True, where="a 2-core CPU")
    data = timing.read_record(path)
    assert data["mode"] == "quick" and list(data["notebooks"]) == ["03_c"]
    assert data["notebooks"]["03_c"]["status"].startswith("error in code cell 2")


def test_read_record_errors_say_how_to_write_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="cnncourse-instructor timing --full --out"):
        timing.read_record(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        timing.read_record(bad)
    bad.write_text('{"rows": []}')
    with pytest.raises(ValueError, match="lacks the 'notebooks'"):
        timing.read_record(bad)


def test_missing_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="do not exist"):
        timing.run_timing([tmp_path / "nope.ipynb"])


def test_cli_says_when_a_busy_cpu_inflated_the_times(monkeypatch, capsys):
    from cnncourse_instructor import cli
    from cnncourse_instructor import timing as timing_module

    busy = timing.Timing("94_busy", 1, seconds=30.0, load=99.0)
    quiet = timing.Timing("95_quiet", 1, seconds=3.0, load=0.0)
    monkeypatch.setattr(timing_module, "run_timing",
                        lambda *a, **k: ("table\n", [busy, quiet]))
    assert cli.main(["timing", "--full"]) == 0
    err = capsys.readouterr().err
    assert "94_busy" in err and "95_quiet" not in err and "quiet machine" in err
