"""A real Jupyter kernel driven the way learners use notebooks (issue 28, item 7).

Notebook 08 (the full CNN) in quick mode, offline: exercises and their check cells skipped,
the training cell stopped with the kernel's own interrupt, the cells below run anyway, the
test cell run twice, a check re-run after pick(), and a restart that carries on from the
middle. No course cell may print a raw traceback or a test score after the interrupt, and no
check may say ✅ for an answer never written. Notebook 12's leaderboard gets nothing from a
stopped run.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

jupyter_client = pytest.importorskip("jupyter_client")

ROOT = Path(__file__).resolve().parents[2]
# Holds each training step for a minute, so the interrupt lands mid-training on any machine.
SLOW = """import time as _t, cnncourse.train as _T
_T._Tally._add = getattr(_T._Tally, "_add", _T._Tally.add)
_T._Tally.add = lambda self, *a: (_t.sleep(60), self._add(*a))[1]"""
FAST = "import cnncourse.train as _T; _T._Tally.add = _T._Tally._add"


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


@pytest.fixture
def kernel(tmp_path):
    k = Kernel({"CNNCOURSE_QUICK": "1", "CNNCOURSE_OFFLINE": "1", "CNNCOURSE_THREADS": "1",
                "CNNCOURSE_LEADERBOARD": str(tmp_path / "leaderboard.csv"),
                "MPLBACKEND": "agg"})
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
