"""The progress view in a real room: a JupyterHub with two throwaway learners whose kernels
work through notebook 03's exercises (right and wrong answers, a re-run, a skipped
exercise, a quiz click, a killed kernel, a capstone run), an instructor who reads the view
(JSON, CSV, and the page in headless Chromium, checked by axe-core), a learner refused.

Runs as root (CI does): it creates throwaway users and removes them afterwards. Everything
listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ._room import why_no_room

E2E = Path(__file__).resolve().parents[1] / "e2e"


pytestmark = [pytest.mark.hub,
              pytest.mark.skipif(why_no_room() is not None, reason=str(why_no_room()))]


@pytest.fixture(scope="module")
def room(shared_room):
    """The room tests/hub/conftest.py starts (shared with the access tests), both learners'
    servers running (the access tests may have stopped bo's), and a token of the instructor,
    the room's admin: the one who may open the view."""
    the_room, client, running, _ = shared_room
    teach = the_room.instructor
    try:
        for name in the_room.learners:
            client.start_server(name)
        got = client.http.post(f"{the_room.url}/hub/api/users/{teach}", timeout=30)
        assert got.status_code in (201, 409), got.text  # 409: its role created it already
        got = client.http.post(f"{the_room.url}/hub/api/users/{teach}/tokens", timeout=30,
                               json={"note": "progress test", "expires_in": 3600})
        assert got.status_code == 201, got.text
    except Exception:
        print(f"--- the hub's log ---\n{running.log_tail(80)}")
        raise
    return the_room, client, running, got.json()["token"]


WRONG = """
from cnncourse.lessons.convolution import check, quiz
def conv_output_size(size, kernel_size, padding=0, stride=1):
    return size - kernel_size          # forgot the + 1 (and padding, stride)
check.conv_output_size()
"""
RIGHT = """
def conv_output_size(size, kernel_size, padding=0, stride=1):
    return (size + 2 * padding - kernel_size) // stride + 1
check.conv_output_size()
conv_output_size = check.conv_output_size.pick()
"""
SKIPPED = "check.conv_param_count()   # the exercise cell above was never run\n"
QUIZ = """
box = quiz.output_size.widget()
box.buttons[1].click()   # 27 x 27: the learner's first answer
box.buttons[3].click()   # then the right one: only the first is recorded
"""
FLUSH = ("from cnncourse_instructor import recorder\nimport json, os\n"
         "print(json.dumps([recorder.flush(20), os.getpid(), os.environ['JUPYTERHUB_API_TOKEN']]))")


def _run(kernel, code):
    done = kernel.execute(code, timeout=300)
    assert done.status == "ok", done.error
    return done


def _flush(kernel):
    sent, pid, token = json.loads(_run(kernel, FLUSH).stdout.strip().splitlines()[-1])
    assert sent
    return pid, token


def _view(the_room, token, path="api/progress"):
    import requests

    return requests.get(f"{the_room.url}/services/progress/{path}", timeout=30,
                        headers={"Authorization": f"token {token}"})


@pytest.fixture(scope="module")
def worked(room):
    """The learners' session: what each did, recorded through their own kernels."""
    from cnncourse_instructor import hub

    the_room, client, _, _ = room
    ada, bo = the_room.learners
    tokens = {}
    kernel = client.kernel(ada, "03_convolution.ipynb")
    try:
        first = _run(kernel, WRONG)
        assert "Workshop room" in first.stdout      # told once what the room records
        _run(kernel, RIGHT)                          # the re-run, now right
        _run(kernel, SKIPPED)
        _run(kernel, QUIZ)
        _run(kernel, "from cnncourse.recipes import capstone\n"
                     "capstone.record_run('room run', 'cifar10', None, 12.0, 1234, True, "
                     "val_accuracy=0.42)")
        _, tokens[ada] = _flush(kernel)
        again = _run(kernel, "check.conv_output_size()")
        assert "Workshop room" not in again.stdout  # once per kernel, not per check
    finally:
        kernel.close()
    kernel = client.kernel(bo, "03_convolution.ipynb")
    try:
        # bo runs the course's notebook 03 as handed out (Run All, exercises left as stubs)
        notebook = json.loads((hub.REPO_ROOT / "notebooks" / "03_convolution.ipynb").read_text())
        results = kernel.run_notebook(notebook)
        assert all(r.status == "ok" for r in results), results[-1]
        _run(kernel, WRONG)
        pid, tokens[bo] = _flush(kernel)
        os.kill(pid, signal.SIGKILL)                 # the kernel dies (as out of memory would)
    finally:
        kernel.close()
    time.sleep(1)
    kernel = client.kernel(bo, "03_convolution.ipynb")
    try:
        _run(kernel, WRONG)                          # a fresh kernel: Run All again
        _flush(kernel)
    finally:
        kernel.close()
    return tokens


def test_kernels_get_the_room_url_and_their_own_token(room, worked):
    the_room, _, _, _ = room
    ada, bo = the_room.learners
    assert worked[ada] and worked[bo] and worked[ada] != worked[bo]


def test_the_instructor_sees_each_learners_latest_verdicts(room, worked):
    the_room, _, running, teach = room
    ada, bo = the_room.learners
    got = _view(the_room, teach)
    assert got.status_code == 200, f"{got.text}\n--- the hub's log ---\n{running.log_tail(60)}"
    s = got.json()
    assert s["grid"][ada]["convolution/conv_output_size"]["status"] == "correct"  # re-run
    assert s["grid"][ada]["convolution/conv_param_count"]["status"] == "not attempted"
    assert s["grid"][bo]["convolution/conv_output_size"]["status"] == "wrong"
    assert s["grid"][bo]["convolution/conv2d_multi"]["status"] == "not attempted"  # a stub
    size = next(x for x in s["exercises"] if x["exercise"] == "conv_output_size")
    assert (size["correct"], size["wrong"]) == (1, 1) and size["stuck"][0]["learners"] == 1
    quiz = next(q for q in s["quizzes"] if q["quiz"] == "output_size")
    assert quiz["options"] == {"B": 1} and quiz["right_first_time"] == 0
    people = {p["learner"]: p for p in s["learners"]}
    assert people[bo]["kernels_died"] == 1 and people[ada]["kernels_died"] == 0
    assert people[ada]["server"] is True and people[ada]["last_activity"]
    assert [(r["who"], r["name"]) for r in s["leaderboard"]] == [(ada, "room run")]
    csv_text = _view(the_room, teach, "progress.csv").text
    assert f"{bo},check,convolution,conv_output_size,wrong" in csv_text


def test_learners_get_403_and_cannot_forge_or_empty_the_board(room, worked):
    import requests

    the_room, _, _, _ = room
    ada, bo = the_room.learners
    for path in ("", "api/progress", "progress.csv", "fragment"):
        assert _view(the_room, worked[bo], path).status_code == 403, path
    runs = f"{the_room.url}/services/progress/api/runs"
    as_bo = {"Authorization": f"token {worked[bo]}"}
    got = requests.get(runs, headers=as_bo, timeout=30)
    assert got.status_code == 200 and [r["who"] for r in got.json()] == [ada]
    row = dict(got.json()[0], val_accuracy="0.9900")
    forged = requests.post(runs, headers=as_bo, json=row, timeout=30)   # who: ada
    assert forged.status_code == 400 and "only record your own" in forged.text
    cut = requests.post(runs, headers=as_bo, data=json.dumps(row)[:40], timeout=30)
    assert cut.status_code == 400
    assert requests.delete(runs, headers=as_bo, timeout=30).status_code == 405
    record = {"kind": "check", "lesson": "convolution", "item": "conv_output_size",
              "status": "correct", "message": "", "when": time.time(), "who": ada}
    got = requests.post(f"{the_room.url}/services/progress/api/records", headers=as_bo,
                        json=record, timeout=30)
    assert got.status_code == 400
    got = requests.post(runs, json=row, timeout=30)                     # no token at all
    assert got.status_code in (302, 403)
    board = requests.get(runs, headers=as_bo, timeout=30).json()
    assert [(r["who"], r["val_accuracy"]) for r in board] == [(ada, "0.4200")]


def test_the_view_in_chromium_reads_as_tables_and_passes_axe(room, worked):
    sys.path[:0] = [str(E2E), str(E2E / "site")]
    from browser.conftest import CHROMIUM_ARGS, find_chromium, unavailable_reason

    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    from sitecheck import axe_report, axe_violations

    the_room, _, _, teach = room
    ada, bo = the_room.learners

    # Playwright's sync API refuses to run where an asyncio loop runs (the JupyterLab tests'
    # pytest-playwright leaves one in this thread when they run first): a thread of its own.
    def check_the_view():
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS,
                                         headless=True)
            try:
                context = browser.new_context(extra_http_headers={"Authorization": f"token {teach}"})
                page = context.new_page()
                page.goto(f"{the_room.url}/services/progress/")
                row = page.locator("table").first.locator("tr", has=page.locator(f"th:text-is('{bo}')"))
                assert "❌ wrong" in row.inner_text()
                header = page.locator("table").first.locator("thead th").all_inner_texts()
                assert "convolution: conv_output_size" in header
                ada_row = page.locator("table").first.locator(
                    "tr", has=page.locator(f"th:text-is('{ada}')")).inner_text()
                assert "✅ correct" in ada_row and "⏳ not attempted" in ada_row
                assert "1 died" in page.locator("body").inner_text()
                # live: a verdict sent now shows up without reloading the page
                import requests

                got = requests.post(f"{the_room.url}/services/progress/api/records", timeout=30,
                                    headers={"Authorization": f"token {worked[ada]}"},
                                    json={"kind": "check", "lesson": "convolution",
                                          "item": "conv2d_single", "status": "wrong",
                                          "message": "the kernel is flipped", "when": time.time()})
                assert got.status_code == 200, got.text
                page.wait_for_function("document.body.innerText.includes('the kernel is flipped')",
                                       timeout=20_000)
                assert "convolution: conv2d_single" in page.locator("table").first.locator(
                    "thead th").all_inner_texts()
                found = axe_violations(page)
                assert not found["violations"], "\n".join(axe_report("progress view",
                                                                      found["violations"]))
            finally:
                browser.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(check_the_view).result()
