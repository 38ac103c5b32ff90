"""Colab: every notebook opens with its own badge and the one setup cell; stamping keeps them so.

The setup cell is never run against the network: it is exec'd with a fake ``google.colab``
module and a ``subprocess.run`` that records the command and stops.
"""

import json
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest

from cnncourse.course import colab
from cnncourse_instructor import notebooks as nbs
from cnncourse_instructor import stamp as stamping

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]


class Stop(Exception):
    """Raised by the fake subprocess.run once the install command is recorded."""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_badge_points_at_the_notebooks_own_path(path):
    first = nbs.read_notebook(path).cells[0]
    assert first.cell_type == "markdown"
    assert first.source.startswith(f"# {path.name[:2]} · "), "title must be '# NN · Title'"
    links = re.findall(r"\(https://colab\.research\.google\.com/github/([^)]*)\)", first.source)
    assert links == [f"{colab.REPO}/blob/{colab.BRANCH}/notebooks/{path.name}"], (
        f"{path.name}: the badge must link to its own path; run `cnncourse-instructor stamp`")
    assert nbs.badge_markdown(path.name) in first.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_setup_cell_is_the_shared_template(path):
    cells = nbs.read_notebook(path).cells
    setup = cells[1]
    assert setup.cell_type == "code" and "setup" in nbs.cell_tags(setup)
    assert setup.source == nbs.setup_cell_source(), (
        f"{path.name}: setup cell differs from cnncourse.course.nbs.setup_cell_source(); "
        "run `cnncourse-instructor stamp`")
    assert sum("setup" in nbs.cell_tags(c) for c in cells) == 1


def test_setup_cells_are_identical_across_notebooks():
    sources = {nbs.read_notebook(p).cells[1].source for p in NOTEBOOKS}
    assert len(sources) <= 1


def _exec_setup(source, monkeypatch, colab_present):
    calls = []

    def fake_run(cmd, *args, **kwargs):
        calls.append(list(cmd))
        raise Stop

    monkeypatch.setattr(subprocess, "run", fake_run)
    if colab_present:
        google = types.ModuleType("google")
        fake = types.ModuleType("google.colab")
        google.colab = fake
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", fake)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    namespace = {}
    try:
        exec(compile(source, "<setup cell>", "exec"), namespace)
    except Stop:
        namespace["stopped"] = True
    return calls, namespace


def _setup_sources():
    # The template plus every distinct setup cell found in the notebooks.
    found = {nbs.read_notebook(p).cells[1].source for p in NOTEBOOKS}
    return sorted(found | {nbs.setup_cell_source()})


@pytest.mark.parametrize("source", _setup_sources())
def test_setup_cell_installs_from_the_repository_in_colab(source, monkeypatch):
    calls, namespace = _exec_setup(source, monkeypatch, colab_present=True)
    assert namespace.get("stopped"), "the install must run before anything else is imported"
    assert len(calls) == 1
    cmd = calls[0]
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    assert all(flag.startswith("-") for flag in cmd[4:-1]), cmd
    assert cmd[-1] == f"cnncourse @ git+https://github.com/{colab.REPO}@{colab.BRANCH}"


def test_setup_cell_follows_repo_and_branch(monkeypatch):
    source = nbs.setup_cell_source(repo="someone/fork", branch="dev")
    calls, _ = _exec_setup(source, monkeypatch, colab_present=True)
    assert calls[0][-1] == "cnncourse @ git+https://github.com/someone/fork@dev"


def test_setup_cell_installs_nothing_outside_colab(monkeypatch, capsys):
    calls, namespace = _exec_setup(nbs.setup_cell_source(), monkeypatch, colab_present=False)
    assert calls == []
    assert "stopped" not in namespace
    assert str(namespace["device"]) == "cpu"          # the rest of the cell ran
    assert callable(namespace["pick"]) and "cnncourse ready" in capsys.readouterr().out


# Stamping ------------------------------------------------------------------------------------

def _make_notebook(folder, name, repo="old/place", branch="old", setup=None, tag=True):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    title = (f"# {name[:2]} · Test\n\n{nbs.badge_markdown(name, repo, branch)}\n\n"
             "A promise.\n\nRun the setup cell below first.")
    meta = {"tags": ["setup"]} if tag else {}
    nb.cells = [nbformat.v4.new_markdown_cell(title),
                nbformat.v4.new_code_cell(setup or nbs.setup_cell_source(repo, branch),
                                          metadata=meta),
                nbformat.v4.new_markdown_cell("## 1. Something"),
                nbformat.v4.new_code_cell("x = 1")]
    path = Path(folder) / name
    nbformat.write(nb, path)
    return path


def test_stamp_check_reports_then_stamp_fixes(tmp_path):
    stale = _make_notebook(tmp_path, "01_a.ipynb")
    fresh = _make_notebook(tmp_path, "02_b.ipynb", repo=colab.REPO, branch=colab.BRANCH)
    before, untouched = stale.read_bytes(), fresh.read_bytes()
    report = stamping.stamp(tmp_path, check=True)
    assert list(report) == [str(stale)] and set(report[str(stale)]) == {"badge", "setup cell"}
    assert stale.read_bytes() == before                       # --check writes nothing
    stamping.stamp(tmp_path)
    nb = nbs.read_notebook(stale)
    assert nbs.badge_markdown("01_a.ipynb") in nb.cells[0].source
    assert "old/place" not in nb.cells[0].source
    assert nb.cells[1].source == nbs.setup_cell_source()
    assert stamping.stamp(tmp_path, check=True) == {}              # idempotent
    assert all(c.get("outputs", []) == [] for c in nb.cells)  # never adds outputs
    assert fresh.read_bytes() == untouched                   # up-to-date files left alone


def test_stamp_to_a_new_repository_and_readme_links(tmp_path):
    _make_notebook(tmp_path, "03_c.ipynb", repo=colab.REPO, branch=colab.BRANCH)
    readme = tmp_path / "README.md"
    readme.write_text(f"| 03 | {nbs.badge_markdown('03_c.ipynb')} |\n", encoding="utf-8")
    report = stamping.stamp(tmp_path, repo="new/home", branch="trunk", extra_files=[readme])
    assert set(report) == {str(tmp_path / "03_c.ipynb"), str(readme)}
    nb = nbs.read_notebook(tmp_path / "03_c.ipynb")
    assert "github/new/home/blob/trunk/notebooks/03_c.ipynb" in nb.cells[0].source
    assert 'COURSE_REPO = "https://github.com/new/home"' in nb.cells[1].source
    assert "@trunk" in nb.cells[1].source
    assert "github/new/home/blob/trunk/notebooks/03_c.ipynb" in readme.read_text()


def test_stamp_adds_a_missing_badge_and_setup_tag(tmp_path):
    path = _make_notebook(tmp_path, "04_d.ipynb", repo=colab.REPO, branch=colab.BRANCH,
                          tag=False)
    nb = nbs.read_notebook(path)
    nb.cells[0].source = "# 04 · Test\n\nA promise."
    nbformat.write(nb, path)
    report = stamping.stamp(tmp_path)
    assert set(report[str(path)]) == {"badge", "setup tag"}
    nb = nbs.read_notebook(path)
    assert nb.cells[0].source.splitlines()[:3] == ["# 04 · Test", "",
                                                   nbs.badge_markdown("04_d.ipynb")]
    assert nbs.cell_tags(nb.cells[1]) == ["setup"]


def test_stamp_config_rewrites_the_one_place(tmp_path):
    copy = tmp_path / "colab.py"
    shutil.copy(Path(colab.__file__), copy)
    assert stamping.stamp_config(copy, "new/home", "trunk")
    text = copy.read_text()
    assert 'REPO = "new/home"' in text and 'BRANCH = "trunk"' in text
    assert not stamping.stamp_config(copy, "new/home", "trunk")


@pytest.mark.parametrize("repo,branch", [("no-slash", "main"), ("a/b", ""), ("a b/c", "main")])
def test_stamp_rejects_bad_addresses(tmp_path, repo, branch):
    _make_notebook(tmp_path, "05_e.ipynb")
    with pytest.raises(ValueError, match="OWNER/NAME|branch name"):
        stamping.stamp(tmp_path, repo=repo, branch=branch)


def test_the_repository_is_stamped():
    if not NOTEBOOKS:
        pytest.skip("no notebooks yet")
    report = stamping.stamp(ROOT / "notebooks", check=True, extra_files=[ROOT / "README.md"])
    assert report == {}, f"out of date, run `cnncourse-instructor stamp`: {json.dumps(report, indent=1)}"


def test_cli_stamp_check_exit_codes(tmp_path, capsys):
    from cnncourse_instructor import cli

    stale = _make_notebook(tmp_path, "06_f.ipynb")
    assert cli.main(["stamp", "--check", "--dir", str(tmp_path)]) == 1
    assert "06_f.ipynb" in capsys.readouterr().out
    assert cli.main(["stamp", "--dir", str(tmp_path)]) == 0
    assert cli.main(["stamp", "--check", "--dir", str(tmp_path)]) == 0
    assert nbs.read_notebook(stale).cells[1].source == nbs.setup_cell_source()


def test_readme_has_a_colab_section_and_a_badge_per_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Google Colab" in readme and "cnncourse-instructor stamp" in readme
    for path in NOTEBOOKS:
        assert nbs.badge_markdown(path.name) in readme, f"README lacks the badge of {path.name}"


def test_stamp_refuses_to_write_outside_a_checkout(tmp_path, monkeypatch):
    # An installed (non-editable) package lives in site-packages: stamp must not edit it.
    fake = tmp_path / "lib" / "site-packages" / "cnncourse" / "colab.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("REPO = 'a/b'\n")
    monkeypatch.setattr(colab, "__file__", str(fake))
    assert "installed as a package" in stamping.not_a_checkout()
    from cnncourse_instructor import cli

    assert cli.main(["stamp", "--dir", str(ROOT / "notebooks"), "--repo", "x/y"]) == 2
    assert "a/b" in fake.read_text()  # untouched
    # a plain folder that is no git checkout is refused too
    plain = tmp_path / "plain" / "cnncourse" / "colab.py"
    plain.parent.mkdir(parents=True)
    plain.write_text("")
    monkeypatch.setattr(colab, "__file__", str(plain))
    assert "not inside a git checkout" in stamping.not_a_checkout()


def test_stamp_accepts_this_checkout():
    assert stamping.not_a_checkout() is None


# Stated run times ----------------------------------------------------------------------------

def _timed_checkout(tmp_path, seconds, time_line="**Time:** about 20 minutes on a laptop CPU "
                    "(the code itself runs in\nabout a minute).", status="ok"):
    # A checkout-like tree: notebooks/NN_x.ipynb and docs/timing.json beside it.
    folder = tmp_path / "notebooks"
    folder.mkdir()
    path = _make_notebook(folder, "07_g.ipynb", repo=colab.REPO, branch=colab.BRANCH)
    nb = nbs.read_notebook(path)
    nb.cells[0].source = nb.cells[0].source.replace("A promise.", f"A promise.\n\n{time_line}")
    nbformat.write(nb, path)
    record = tmp_path / "docs" / "timing.json"
    from cnncourse_instructor import timing

    timing.write_record(record, [timing.Timing("07_g", 4, seconds=seconds, error=status
                                               if status != "ok" else "")],
                        quick=False, where="a 2-core CPU")
    return folder, path, record


def test_stamp_writes_the_measured_run_time_and_check_catches_a_stale_one(tmp_path):
    folder, path, record = _timed_checkout(tmp_path, 22.4)
    report = stamping.stamp(folder, check=True)        # finds docs/timing.json by itself
    assert report == {str(path): ["run time"]}
    stamping.stamp(folder)
    first = nbs.read_notebook(path).cells[0].source
    assert ("**Time:** about 20 minutes; the code as shipped runs in <!-- runtime -->about 20 s "
            "on a 2-core CPU<!-- /runtime -->.") in first
    assert "about a minute" not in first and "laptop CPU" not in first
    assert first.endswith("Run the setup cell below first.")   # the rest of the cell is kept
    assert stamping.stamp(folder, check=True) == {}
    assert stamping.stated_runtime(nbs.read_notebook(path)) == "about 20 s on a 2-core CPU"
    # The notebook got slower and was timed again: the stated time is now out of date.
    from cnncourse_instructor import timing

    timing.write_record(record, [timing.Timing("07_g", 4, seconds=140.0)], quick=False,
                        where="a 2-core CPU")
    assert stamping.stamp(folder, check=True) == {str(path): ["run time"]}
    stamping.stamp(folder)
    assert stamping.stated_runtime(nbs.read_notebook(path)) == "about 2.5 minutes on a 2-core CPU"
    assert "about 20 minutes" in nbs.read_notebook(path).cells[0].source  # learner time kept


def test_a_hand_edited_run_time_fails_the_check(tmp_path):
    folder, path, _ = _timed_checkout(tmp_path, 8.0)
    stamping.stamp(folder)
    nb = nbs.read_notebook(path)
    nb.cells[0].source = nb.cells[0].source.replace("under 10 s", "about a minute")
    nbformat.write(nb, path)
    assert stamping.stamp(folder, check=True) == {str(path): ["run time"]}
    assert stamping.stamp(folder, check=True, record=False) == {}   # run times not checked


def test_run_time_problems_stamp_cannot_fix_are_reported(tmp_path):
    folder, path, record = _timed_checkout(tmp_path, 5.0, status="error in code cell 3: Boom")
    report = stamping.stamp(folder, check=True)
    assert "failed (error in code cell 3: Boom)" in report[str(path)][0]
    # a notebook that states a run time but is missing from the record
    from cnncourse_instructor import timing

    timing.write_record(record, [timing.Timing("07_g", 4, seconds=5.0)], quick=False,
                        where="a 2-core CPU")
    stamping.stamp(folder)
    record.write_text(record.read_text().replace('"07_g"', '"99_other"'))
    assert "not in the timing record" in stamping.stamp(folder, check=True)[str(path)][0]


def test_a_quick_mode_record_is_refused(tmp_path):
    folder, _, record = _timed_checkout(tmp_path, 5.0)
    from cnncourse_instructor import timing

    timing.write_record(record, [timing.Timing("07_g", 4, seconds=1.0)], quick=True,
                        where="a 2-core CPU")
    with pytest.raises(ValueError, match="--full"):
        stamping.stamp(folder, check=True)


def test_a_first_cell_without_a_time_paragraph_is_a_clear_error(tmp_path):
    folder, _, _ = _timed_checkout(tmp_path, 5.0, time_line="No time stated here.")
    with pytest.raises(ValueError, match=r"\*\*Time:\*\* about N minutes"):
        stamping.stamp(folder, check=True)


def test_cli_stamp_check_fails_on_a_stale_run_time(tmp_path, capsys):
    from cnncourse_instructor import cli

    folder, path, record = _timed_checkout(tmp_path, 33.0)
    assert cli.main(["stamp", "--check", "--dir", str(folder)]) == 1
    assert "run time" in capsys.readouterr().out
    assert cli.main(["stamp", "--dir", str(folder)]) == 0
    assert cli.main(["stamp", "--check", "--dir", str(folder)]) == 0
    assert "state the run times in" in capsys.readouterr().out
    assert stamping.stated_runtime(nbs.read_notebook(path)) == "about 35 s on a 2-core CPU"
    assert cli.main(["stamp", "--check", "--dir", str(folder),
                     "--record", str(tmp_path / "none.json")]) == 2


# The runtime line: in Colab the setup cell says whether there is a GPU -------------------------

def _fake_colab(monkeypatch):
    google = types.ModuleType("google")
    google.colab = types.ModuleType("google.colab")
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", google.colab)


def test_colab_on_a_cpu_says_so_how_to_switch_and_how_long_training_takes(monkeypatch, capsys):
    import torch

    from cnncourse import settings

    _fake_colab(monkeypatch)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    settings.start(seed=0)
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("cnncourse: Colab"))
    assert "on a CPU, with no GPU" in line
    assert "Runtime > Change runtime type" in line and "run this notebook again" in line
    record = json.loads((ROOT / "docs" / "timing.json").read_text(encoding="utf-8"))
    slow = {k: v["seconds"] for k, v in record["notebooks"].items()
            if v["seconds"] >= colab.TRAINING_SECONDS}
    assert slow, "the timing record lists no training notebook"
    for name, seconds in slow.items():                  # each one, as the record states it
        assert f"{name[:2]} {colab.about(seconds)}" in line, (name, line)
    assert f"on {record['where']}" in line
    fast = [k for k, v in record["notebooks"].items() if v["seconds"] < colab.TRAINING_SECONDS]
    assert not any(f" {k[:2]} about" in line or f" {k[:2]} under" in line for k in fast), line


def test_colab_with_a_gpu_names_it(monkeypatch):

    _fake_colab(monkeypatch)
    monkeypatch.setattr(colab, "gpu_name", lambda: "Tesla T4, 15 GiB")
    line = colab.runtime_line()
    assert line.startswith("cnncourse: Colab runs this notebook on a GPU (Tesla T4, 15 GiB).")
    assert "Change runtime type" not in line and "2-core CPU" in line


def test_outside_colab_there_is_no_runtime_line(monkeypatch, capsys):
    from cnncourse import settings

    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert colab.runtime_line() is None
    settings.start(seed=0)
    assert "Colab" not in capsys.readouterr().out


def test_the_package_ships_the_timing_record(monkeypatch):
    # Colab installs the package, not the repository: the line reads the package's copy.

    docs = json.loads((ROOT / "docs" / "timing.json").read_text(encoding="utf-8"))
    assert colab.run_times() == docs, "run `cnncourse-instructor stamp` to copy docs/timing.json"
    assert colab.training_times(None) is None and colab.training_times({"notebooks": {}}) is None
    with pytest.raises(ValueError, match="seconds >= 0"):
        colab.about(-1)
