"""A real Jupyter kernel driven the way learners use notebooks (issue 28, item 7).

Every notebook that trains, in quick mode, offline: exercises and their checks skipped, the
first training cell stopped with the kernel's own interrupt on its first run and again on a
re-run, the cells below run anyway. Every exercise of every notebook: its check re-run after
pick() handed out the reference, and a cell from the middle run after a restart.
Notebook 08 (the full CNN) in quick mode, offline: exercises and their check cells skipped,
the training cell stopped with the kernel's own interrupt, the cells below run anyway, the
test cell run twice, a check re-run after pick(), and a restart that carries on from the
middle. No course cell may print a raw traceback or a test score after the interrupt, and no
check may say ✅ for an answer never written. Notebook 12's leaderboard gets nothing from a
stopped run.
"""

from __future__ import annotations

import ast
import json
import os
import re
import time
from pathlib import Path

import pytest

jupyter_client = pytest.importorskip("jupyter_client")
pytestmark = pytest.mark.notebooks   # runs notebooks' cells in kernels: `make test`, not `make check`

ROOT = Path(__file__).resolve().parents[2]
# Holds each training step for a minute, so the interrupt lands mid-training on any machine.
SLOW = """import time as _t, cnncourse.train as _T
_T._Tally._add = getattr(_T._Tally, "_add", _T._Tally.add)
_T._Tally.add = lambda self, *a: (_t.sleep(60), self._add(*a))[1]"""
FAST = "import cnncourse.train as _T; _T._Tally.add = _T._Tally._add"
# The same for any training (fit, a hand-written loop, lr_find, the transfer recipes): every
# optimizer step first says so and waits a minute, while armed.
MARK = "<<optimizer step>>"
ARM = f"""import sys as _s, time as _t
from torch.optim.optimizer import register_optimizer_step_pre_hook as _hook
def _slow(*_, _s=_s, _t=_t):
    if _s.cnncourse_test_armed:
        print("{MARK}", file=_s.stderr, flush=True)
        _t.sleep(60)
if not getattr(_s, "cnncourse_test_hook", None):
    _s.cnncourse_test_hook = _hook(_slow)
_s.cnncourse_test_armed = True"""
DISARM = "import sys as _s; _s.cnncourse_test_armed = False"
# A restart, without the cost of a new kernel: names and the record of a stopped cell cleared.
RESTART = ("%reset -f\nfrom cnncourse.course import directions as _d; _d._stopped.clear()\n"
           + DISARM)
# What a course cell says instead of a traceback: a stop, a refusal, a name to run first.
DIRECTION = re.compile(r"⏹|ℹ️|is made (in|by)|setup cell|earlier cell|is gone|not installed")
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _code_cells(name: str) -> list[dict]:
    cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
    return [{"source": "".join(c["source"]), "tags": c.get("metadata", {}).get("tags", [])}
            for c in cells if c["cell_type"] == "code"]


class Kernel:
    """A kernel we send cells to, collecting what each prints (and its error messages)."""

    def __init__(self, env: dict[str, str]):
        self.km, self.kc = jupyter_client.manager.start_new_kernel(
            kernel_name="python3", env={**os.environ, **env}, cwd=str(ROOT / "notebooks"))

    def run(self, source: str, interrupt_on: str | None = None, interrupt_after: float = 0,
            timeout: float = 240) -> dict:
        msg_id = self.kc.execute(source)
        text, errors, sent, start = [], [], False, time.monotonic()
        while time.monotonic() - start < timeout:
            waited = interrupt_after and time.monotonic() - start > interrupt_after
            if (interrupt_on and interrupt_on in "".join(text) or waited) and not sent:
                self.km.interrupt_kernel()
                sent = True
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
            except Exception:  # queue.Empty: nothing new yet
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                text.append(content["text"])
            elif kind in ("display_data", "execute_result", "update_display_data"):
                text.append(str(content["data"].get("text/plain", "")))
            elif kind == "error":
                errors.append(content)
            elif kind == "status" and content["execution_state"] == "idle":
                break
        else:
            raise AssertionError(f"cell did not finish in {timeout} s: {source[:80]!r}")
        reply = self.kc.get_shell_msg(timeout=30)
        while reply["parent_header"].get("msg_id") != msg_id:    # skip earlier replies
            reply = self.kc.get_shell_msg(timeout=30)
        return {"text": "".join(text), "errors": errors, "ok": reply["content"]["status"] == "ok",
                "interrupted": sent}

    def restart(self) -> None:
        self.km.restart_kernel(now=True)
        self.kc.wait_for_ready(timeout=60)

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def _start(tmp_path) -> Kernel:
    return Kernel({"CNNCOURSE_QUICK": "1", "CNNCOURSE_OFFLINE": "1", "CNNCOURSE_THREADS": "1",
                   "CNNCOURSE_LEADERBOARD": str(tmp_path / "leaderboard.csv"),
                   "CNNCOURSE_CACHE": str(tmp_path / "cache"),   # never the tester's own cache
                   "MPLBACKEND": "agg"})


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One kernel for the notebooks below, restarted between them by RESTART (CPU time)."""
    k = _start(tmp_path_factory.mktemp("shared"))
    yield k
    k.close()


@pytest.fixture
def kernel(tmp_path):
    k = _start(tmp_path)
    yield k
    k.close()


def _assert_no_raw_traceback(result: dict, source: str) -> None:
    # The course speaks in one line; Python's traceback only for a learner's own mistake.
    assert not result["errors"], f"raw traceback from {source[:60]!r}: {result['errors']}"


def test_notebook_08_skipped_exercises_interrupt_rerun_and_restart(kernel):
    cells = _code_cells("08_build_a_cnn_in_pytorch.ipynb")
    train = next(i for i, c in enumerate(cells) if "history = fit(" in c["source"])
    test = next(i for i, c in enumerate(cells) if "score_test(" in c["source"])
    # Run up to training as a learner who skips every exercise and its check cell.
    for cell in cells[:train]:
        if "exercise" in cell["tags"] or cell["source"].lstrip().startswith("check."):
            continue
        result = kernel.run(cell["source"])
        assert result["ok"], (cell["source"][:80], result)
        assert "✅" not in result["text"]
    # Stop training halfway with the kernel's interrupt: one line, no traceback.
    kernel.run(SLOW)
    stopped = kernel.run(cells[train]["source"], interrupt_on="epoch 1/")
    assert stopped["interrupted"] and not stopped["ok"], stopped
    assert "⏹ Stopped: training did not finish" in stopped["text"]
    _assert_no_raw_traceback(stopped, "the training cell")
    # The cells below never print a test score, and the course's refusals are one line.
    for cell in cells[train + 1:test + 1]:
        result = kernel.run(cell["source"])
        assert "test accuracy:" not in result["text"], result["text"]
        if not result["ok"]:
            assert "section 5" in result["text"] or "⏹" in result["text"], result
            _assert_no_raw_traceback(result, cell["source"])
    # Stopped again on a re-run: the cells below see the old history with a half-trained
    # model; each says so in one line, and none prints a test score.
    stopped = kernel.run(cells[train]["source"], interrupt_on="epoch 1/")
    assert stopped["interrupted"] and not stopped["ok"], stopped
    for cell in cells[train + 1:]:
        result = kernel.run(cell["source"])
        assert "test accuracy:" not in result["text"], result["text"]
        _assert_no_raw_traceback(result, cell["source"])
        if "model" in cell["source"] and "quiz." not in cell["source"]:
            assert "section 5" in result["text"] or "⏹" in result["text"], result
    # Re-run training to the end: the test split is scored once, a repeat says so.
    kernel.run(FAST)
    assert kernel.run(cells[train]["source"])["ok"]
    for cell in cells[train + 1:test]:
        assert kernel.run(cell["source"])["ok"], cell["source"][:80]
    first = kernel.run(cells[test]["source"])
    assert first["ok"] and "test accuracy:" in first["text"]
    again = kernel.run(cells[test]["source"])
    assert "already scored on the test split" in again["text"]
    # A check re-run after pick() handed out the reference never says ✅.
    picked = kernel.run("check.accuracy()")
    assert "✅" not in picked["text"] and "reference" in picked["text"]
    # After a restart, the setup cell, then a cell from the middle: one line of direction.
    kernel.restart()
    assert kernel.run(cells[0]["source"])["ok"]
    middle = kernel.run(cells[test]["source"])
    assert not middle["ok"] and "run the sections above first" in middle["text"]
    _assert_no_raw_traceback(middle, "the test cell after a restart")
    # A typo of the learner's own still gets Python's error.
    typo = kernel.run("histroy")
    assert typo["errors"] and typo["errors"][0]["ename"] == "NameError"


def test_notebook_12_puts_nothing_from_a_stopped_run_on_the_leaderboard(kernel, tmp_path):
    cells = _code_cells("12_capstone.ipynb")
    mine = next(i for i, c in enumerate(cells) if "my_run = train(mine)" in c["source"])
    record = next(i for i, c in enumerate(cells) if "RECORD = False" in c["source"])
    for cell in cells[:mine + 1]:                       # exercise and check skipped
        if "exercise" in cell["tags"] or cell["source"].lstrip().startswith("check."):
            continue
        assert kernel.run(cell["source"])["ok"], cell["source"][:80]
    recording = cells[record]["source"].replace("RECORD = False", "RECORD = True")
    for source in [c["source"] for c in cells[mine + 1:record]] + [recording]:
        assert kernel.run(source)["ok"], source[:80]
    board = tmp_path / "leaderboard.csv"
    before = board.read_text()
    assert "my model" in before
    # The learner trains again and stops it halfway; the old run's numbers are still there.
    kernel.run(SLOW)
    stopped = kernel.run(cells[mine]["source"], interrupt_after=2)
    assert stopped["interrupted"] and not stopped["ok"], stopped
    for source in [c["source"] for c in cells[mine + 1:record]] + [recording]:
        result = kernel.run(source)
        assert not result["ok"] and "⏹" in result["text"], result
        assert "test accuracy, measured once" not in result["text"]
        _assert_no_raw_traceback(result, source)
    assert board.read_text() == before                  # nothing recorded from the stopped run


def _checked(cells: list[dict]) -> set[str]:
    # The names a check cell checks: `check.relu()` -> relu.
    return {m for c in cells for m in re.findall(r"^check\.(\w+)\(\)", c["source"], re.M)}


def _skipped(cell: dict, checked: set[str]) -> bool:
    # An exercise (tagged, or defining a name a check checks) or a check cell: what a learner
    # who skips the exercises leaves out.
    if "exercise" in cell["tags"] or re.search(r"^check\.", cell["source"], re.M):
        return True
    try:
        body = ast.parse(cell["source"]).body
    except SyntaxError:
        return False
    return any(getattr(node, "name", None) in checked for node in body)


def _stopped_and_run_below(kernel: Kernel, cells: list[dict], at: int, checked: set[str],
                           stopped: dict, first_run: bool) -> None:
    assert stopped["interrupted"] and not stopped["ok"], (at, stopped)
    assert "⏹ Stopped" in stopped["text"], stopped["text"][-300:]
    _assert_no_raw_traceback(stopped, cells[at]["source"])
    kernel.run(DISARM)
    said = _run_below(kernel, cells, at, checked)
    if not first_run:       # the old run's names are still there: the cells below say so
        assert any(re.search("⏹|ℹ️", text) for text in said), said


def _run_below(kernel: Kernel, cells: list[dict], at: int, checked: set[str]) -> list[str]:
    # The two cells below a stopped one: no traceback, no score as if training had finished.
    said = []
    for cell in [c for c in cells[at + 1:] if not _skipped(c, checked)][:2]:
        result = kernel.run(cell["source"])
        _assert_no_raw_traceback(result, cell["source"])
        if not result["ok"]:                    # a refusal or a name to make first, one line
            assert DIRECTION.search(result["text"]), (cell["source"][:80], result["text"][-300:])
        if "accuracy" in result["text"]:        # never a score as if training had finished
            assert re.search("⏹|ℹ️", result["text"]), result["text"][-300:]
        assert "accuracy" not in result["text"].split("⏹")[0] or "⏹" not in result["text"], (
            "a score printed before the cell's refusal", result["text"][-300:])
        said.append(result["text"])
    return said


# The notebooks with a cell that trains (08 and 12 have their own tests above).
TRAINING = [n for n in NOTEBOOKS if n[:2] in ("00", "02", "05", "06", "09", "10", "11")]


@pytest.mark.parametrize("name", TRAINING)
def test_an_interrupted_training_cell_is_never_scored_below(shared, name):
    # Skip every exercise and its check, run to the first cell that trains, stop it with the
    # kernel's interrupt; then run it to the end, stop it again on a re-run, and each time run
    # the two cells below it. A cell whose re-run trains nothing (notebook 11's backbone then
    # comes from its cache) cannot be stopped again: the next cell that trains is taken.
    kernel = shared
    assert kernel.run(RESTART)["ok"]
    cells = _code_cells(name)
    checked = _checked(cells)
    start = 0
    while True:
        kernel.run(ARM)
        at = None
        for i in range(start, len(cells)):
            if _skipped(cells[i], checked):
                continue
            result = kernel.run(cells[i]["source"], interrupt_on=MARK)
            if result["interrupted"]:
                at = i
                break
            assert result["ok"], (cells[i]["source"][:80], result["text"][-300:],
                                  result["errors"])
            assert "✅" not in result["text"]
        assert at is not None, f"{name}: no cell trained (optimizer.step) before the end"
        # The first run, stopped: what it makes does not exist yet.
        _stopped_and_run_below(kernel, cells, at, checked, result, first_run=True)
        # Trained to the end, then stopped again on a re-run: the old names remain, and the
        # cells below say they come from a stopped cell.
        finished = kernel.run(cells[at]["source"])
        assert finished["ok"], finished["text"][-300:]
        kernel.run(ARM)
        again = kernel.run(cells[at]["source"], interrupt_on=MARK)
        if again["interrupted"]:
            _stopped_and_run_below(kernel, cells, at, checked, again, first_run=False)
            return
        assert again["ok"], again["text"][-300:]
        start = at + 1


def test_a_check_rerun_after_pick_and_a_cell_after_a_restart_get_no_tick_or_traceback(shared):
    # One kernel for every notebook: RESTART stands in for a restart. Per notebook: the
    # setup cell, a cell from the middle (it works, or says what to run first), then each
    # exercise's pick() line and its check cell, which must not grade the reference.
    picked = 0
    for name in NOTEBOOKS:
        cells = _code_cells(name)
        assert shared.run(RESTART)["ok"]
        kernel = shared
        assert kernel.run(cells[0]["source"])["ok"]
        middle = kernel.run(cells[len(cells) // 2]["source"])
        _assert_no_raw_traceback(middle, f"{name}, the middle cell after a restart")
        if not middle["ok"]:
            assert DIRECTION.search(middle["text"]), (name, middle["text"][-300:])
        lesson = re.search(r"from (cnncourse\.lessons\.\w+) import", "".join(
            c["source"] for c in cells))
        if lesson is None:
            continue
        assert kernel.run(f"from {lesson.group(1)} import check, quiz")["ok"]
        for line in (ln for c in cells for ln in c["source"].splitlines()):
            if not re.match(r"^[\w, ]+ = check\.\w+\.pick\(\)", line):
                continue
            assert kernel.run(line)["ok"], (name, line)
            for exercise in re.findall(r"check\.(\w+)\.pick\(\)", line):
                again = kernel.run(f"check.{exercise}()")
                _assert_no_raw_traceback(again, f"{name}: check.{exercise}() after pick()")
                assert "✅" not in again["text"], (name, exercise, again["text"])
                assert "reference" in again["text"], (name, exercise, again["text"])
                picked += 1
    assert picked >= 25, picked          # every exercise with a pick() in the course
