"""The room's progress view: a JupyterHub service that records learners' work and shows it.

The hub starts it (``c.JupyterHub.services``, see :func:`cnncourse_instructor.hub.write_config`)
at ``/services/progress/``. Learners' kernels send records to it (``cnncourse_instructor.recorder``):
each check's verdict, each quiz's first answer, kernel starts and clean stops, and capstone
runs. Every request carries the kernel's own ``JUPYTERHUB_API_TOKEN``; the hub tells the
service whose token it is, and that name is the only one a record is stored under.

Instructors (hub admins and the names given with ``--instructors``) log in through the hub
and see:

- ``/services/progress/``: the room as tables, refreshed every few seconds without reloading;
- ``/services/progress/api/progress``: the same as JSON, for scripts;
- ``/services/progress/progress.csv``: each learner's latest verdict per exercise and first
  quiz answers, for a spreadsheet.

Learners may only add their own records and runs and read the room's leaderboard
(``GET api/runs``); every other page answers 403. The records live in one SQLite database
(WAL mode) in a folder only the hub's user can open (700; the file 600).
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import json
import math
import os
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

CHECK_STATUSES = ("correct", "wrong", "not attempted")
SYMBOL = {"correct": "✅", "wrong": "❌", "not attempted": "⏳", None: "·"}
WORD = {"correct": "correct", "wrong": "wrong", "not attempted": "not attempted",
        None: "no record"}
MAX_TEXT = 2000      # characters kept of a verdict's message
MAX_BODY = 16_000    # bytes of one request: a record is far smaller
REFRESH_S = 5        # how often the open view fetches the room again


# --------------------------------------------------------------------------- the store


class Store:
    """The room's records in SQLite (WAL: the view reads while kernels write)."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(self.path.parent, 0o700)  # learners must not read each other's verdicts
            self.path.touch(mode=0o600, exist_ok=True)
            os.chmod(self.path, 0o600)
        self.db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None,
                                  check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA busy_timeout=30000")  # another process writing: wait, never lose
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS records (
                id INTEGER PRIMARY KEY, who TEXT NOT NULL, kind TEXT NOT NULL,
                lesson TEXT NOT NULL DEFAULT '', item TEXT NOT NULL DEFAULT '',
                status TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',
                answer TEXT NOT NULL DEFAULT '', correct INTEGER, event TEXT NOT NULL DEFAULT '',
                pid INTEGER, sent REAL, received REAL NOT NULL);
            CREATE INDEX IF NOT EXISTS records_who ON records (who, kind, lesson, item);
            CREATE TABLE IF NOT EXISTS runs (
                id INTEGER PRIMARY KEY, who TEXT NOT NULL, row TEXT NOT NULL,
                received REAL NOT NULL);
        """)

    def add(self, who: str, record: dict[str, Any]) -> int:
        """Store one checked record (:func:`check_record`) under ``who``; returns its id."""
        keys = ("kind", "lesson", "item", "status", "message", "answer", "correct", "event",
                "pid", "sent")
        values = [record.get(k) for k in keys]
        cur = self.db.execute(
            f"INSERT INTO records (who, {', '.join(keys)}, received) VALUES "
            f"(?, {', '.join('?' * len(keys))}, ?)",
            [who, *[("" if v is None and k not in ("correct", "pid", "sent") else v)
                    for k, v in zip(keys, values)], time.time()])
        return cur.lastrowid

    def add_run(self, who: str, row: dict[str, str]) -> None:
        self.db.execute("INSERT INTO runs (who, row, received) VALUES (?, ?, ?)",
                        (who, json.dumps(row), time.time()))

    def records(self) -> list[dict[str, Any]]:
        self.db.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in self.db.execute("SELECT * FROM records ORDER BY id")]
        finally:
            self.db.row_factory = None

    def runs(self) -> list[dict[str, str]]:
        """Every run in the order received (the board keeps the latest per run)."""
        return [json.loads(row) for (row,) in self.db.execute("SELECT row FROM runs ORDER BY id")]

    def count(self, table: str = "records") -> int:
        if table not in ("records", "runs"):
            raise ValueError(f"Store.count: table must be 'records' or 'runs', got {table!r}.")
        return self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


class BadRecord(ValueError):
    """A request body the service refuses (answered with 400 and this message)."""


def _text(body: dict[str, Any], key: str, required: bool = True, limit: int = 200) -> str:
    value = body.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise BadRecord(f"{key!r} must be a non-empty string, got {value!r}")
    return value.strip()[:limit]


def check_record(body: Any) -> dict[str, Any]:
    """The record in ``body`` checked and trimmed; raises :class:`BadRecord` saying why not."""
    if not isinstance(body, dict):
        raise BadRecord(f"expected a JSON object, got {type(body).__name__}")
    if "who" in body or "user" in body:
        raise BadRecord("records may not name a learner: the room takes your name from your "
                        "login (the kernel's JUPYTERHUB_API_TOKEN)")
    kind = body.get("kind")
    sent = body.get("when")
    if isinstance(sent, bool) or not isinstance(sent, (int, float)) or not math.isfinite(sent):
        raise BadRecord(f"'when' must be a time in seconds (time.time()), got {sent!r}")
    out: dict[str, Any] = {"kind": kind, "sent": float(sent)}
    if kind == "check":
        out.update(lesson=_text(body, "lesson"), item=_text(body, "item"),
                   status=_text(body, "status"), message=_text(body, "message", False, MAX_TEXT))
        if out["status"] not in CHECK_STATUSES:
            raise BadRecord(f"'status' must be one of {', '.join(CHECK_STATUSES)}, got "
                            f"{out['status']!r}")
    elif kind == "quiz":
        out.update(lesson=_text(body, "lesson"), item=_text(body, "item"),
                   answer=_text(body, "answer", limit=2))
        if not isinstance(body.get("correct"), bool):
            raise BadRecord(f"'correct' must be true or false, got {body.get('correct')!r}")
        out["correct"] = int(body["correct"])
    elif kind == "kernel":
        out["event"] = _text(body, "event")
        if out["event"] not in ("start", "stop"):
            raise BadRecord(f"'event' must be 'start' or 'stop', got {out['event']!r}")
        pid = body.get("pid")
        if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
            raise BadRecord(f"'pid' must be a process id, got {pid!r}")
        out["pid"] = pid
    else:
        raise BadRecord(f"'kind' must be 'check', 'quiz' or 'kernel', got {kind!r}")
    return out


def check_run(body: Any, who: str) -> dict[str, str]:
    """A capstone row (``capstone.run_row`` without ``who``) checked, recorded under ``who``."""
    from cnncourse.recipes import capstone

    if not isinstance(body, dict):
        raise BadRecord(f"expected a JSON object (a capstone row), got {type(body).__name__}")
    if body.get("who", who) != who:
        raise BadRecord(f"you may only record your own runs: this row names "
                        f"{body.get('who')!r}, you are logged in as {who!r}")
    row = {k: body.get(k) for k in capstone.FIELDS}
    row["who"] = who
    missing = [k for k in capstone.FIELDS if k != "who" and not isinstance(row[k], str)]
    if missing:
        raise BadRecord(f"a capstone row needs every field of capstone.FIELDS as text; missing "
                        f"or not text: {', '.join(missing)}")
    try:
        capstone._parse(row, line=0)
        capstone._one_line("name", row["name"])
    except (KeyError, TypeError, ValueError) as err:
        raise BadRecord(f"not a capstone row from run_row(...): {err}") from None
    if any(len(v) > 500 for v in row.values()):
        raise BadRecord("a field of this row is longer than 500 characters")
    return row


# --------------------------------------------------------------------------- the summary


def summarize(records: list[dict[str, Any]], runs: list[dict[str, str]],
              users: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Everything the view shows, as plain data (the JSON API returns exactly this).

    ``users``: the hub's learners (name -> {"server": bool, "last_activity": str|None}); a
    learner with no record yet still gets a row.
    """
    users = users or {}
    learners = sorted(set(users) | {r["who"] for r in records})
    exercises: list[tuple[str, str]] = []
    quizzes: list[tuple[str, str]] = []
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    first_answer: dict[tuple[str, str, str], dict[str, Any]] = {}
    kernels: dict[str, dict[str, Any]] = {n: {"starts": 0, "died": 0, "running": None,
                                              "last_died": None} for n in learners}
    open_pids: dict[str, list[int]] = {n: [] for n in learners}
    last_record: dict[str, float] = {}
    for r in records:
        who, key = r["who"], (r["lesson"], r["item"])
        last_record[who] = r["received"]
        if r["kind"] == "check":
            if key not in exercises:
                exercises.append(key)
            latest[(who, *key)] = r
        elif r["kind"] == "quiz":
            if key not in quizzes:
                quizzes.append(key)
            first_answer.setdefault((who, *key), r)
        elif r["kind"] == "kernel":
            k = kernels[who]
            if r["event"] == "start":
                k["starts"] += 1
                # a kernel that started while an earlier one never said "stop" means the
                # earlier one died (killed, out of memory) rather than being shut down
                died = [p for p in open_pids[who] if p != r["pid"]]
                k["died"] += len(died)
                if died:
                    k["last_died"] = r["received"]
                open_pids[who] = [r["pid"]]
            elif r["pid"] in open_pids[who]:
                open_pids[who].remove(r["pid"])
            k["running"] = bool(open_pids[who])

    def cell(who: str, key: tuple[str, str]) -> dict[str, Any]:
        r = latest.get((who, *key))
        return {"status": r["status"] if r else None, "message": r["message"] if r else "",
                "when": r["received"] if r else None}

    grid = {who: {f"{lesson}/{item}": cell(who, (lesson, item)) for lesson, item in exercises}
            for who in learners}
    per_exercise = []
    for lesson, item in exercises:
        statuses = [grid[w][f"{lesson}/{item}"]["status"] for w in learners]
        wrong = Counter(latest[(w, lesson, item)]["message"] for w in learners
                        if (w, lesson, item) in latest
                        and latest[(w, lesson, item)]["status"] == "wrong")
        per_exercise.append({
            "lesson": lesson, "exercise": item,
            "correct": statuses.count("correct"), "wrong": statuses.count("wrong"),
            "not attempted": sum(s in (None, "not attempted") for s in statuses),
            "stuck": [{"message": m, "learners": n} for m, n in wrong.most_common(3)]})
    per_quiz = []
    for lesson, item in quizzes:
        answers = [first_answer[(w, lesson, item)] for w in learners
                   if (w, lesson, item) in first_answer]
        chosen = Counter(a["answer"] for a in answers)
        right = sorted({a["answer"] for a in answers if a["correct"]})
        per_quiz.append({"lesson": lesson, "quiz": item, "answered": len(answers),
                         "options": dict(sorted(chosen.items())), "right": right,
                         "right_first_time": sum(bool(a["correct"]) for a in answers)})
    people = []
    for who in learners:
        hub = users.get(who, {})
        k = kernels[who]
        people.append({"learner": who, "server": hub.get("server"),
                       "last_activity": hub.get("last_activity"),
                       "last_record": last_record.get(who),
                       "kernel_starts": k["starts"], "kernels_died": k["died"],
                       "last_kernel_death": k["last_died"], "kernel_running": k["running"]})
    board = _board(runs)
    return {"generated": time.time(), "learners": people,
            "exercises": per_exercise, "grid": grid, "quizzes": per_quiz, "leaderboard": board}


def _board(runs: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The room's leaderboard: latest run per (who, name, dataset), ranked as the course does."""
    from cnncourse.recipes import capstone

    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    for i, raw in enumerate(runs, 1):
        row = capstone._parse(raw, line=i)
        key = (row["who"], row["name"], row["dataset"])
        latest.pop(key, None)
        latest[key] = capstone._checked(row)
    return sorted(latest.values(), key=capstone._rank_key)


def latest_runs(runs: list[dict[str, str]]) -> list[dict[str, str]]:
    """The raw rows the board keeps (what learners' ``show_leaderboard`` reads)."""
    latest: dict[tuple[str, str, str], dict[str, str]] = {}
    for row in runs:
        key = (row["who"], row["name"], row["dataset"])
        latest.pop(key, None)
        latest[key] = row
    return list(latest.values())


def to_csv(summary: dict[str, Any]) -> str:
    """Each learner's latest verdict per exercise, then each first quiz answer, as CSV."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["learner", "kind", "lesson", "item", "status", "message", "when"])
    for who, cells in summary["grid"].items():
        for key, c in cells.items():
            lesson, item = key.split("/", 1)
            out.writerow([who, "check", lesson, item, c["status"] or "no record", c["message"],
                          _clock(c["when"], "%Y-%m-%d %H:%M:%S")])
    for q in summary["quizzes"]:
        for letter, n in q["options"].items():
            out.writerow(["(room)", "quiz", q["lesson"], q["quiz"], f"option {letter}",
                          f"{n} learner(s) chose it first"
                          f"{' (right)' if letter in q['right'] else ''}", ""])
    return buf.getvalue()


def _clock(when: float | None, fmt: str = "%H:%M:%S") -> str:
    return time.strftime(fmt, time.localtime(when)) if when else ""


# --------------------------------------------------------------------------- the page


def _table(label: str, columns: list[str], rows: list[str]) -> str:
    """A table named by the heading ``label`` (its id), a header cell per column, ``rows``
    already rendered as ``<tr>`` elements."""
    head = "".join(f"<th scope='col'>{column}</th>" for column in columns)
    return (f"<table aria-labelledby='{label}'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def render(summary: dict[str, Any]) -> str:
    """The view's content (tables with header cells; every status as a symbol and a word)."""
    e = html.escape
    parts = [f"<p id='updated'>Updated {_clock(summary['generated'])}; refreshes every "
             f"{REFRESH_S} seconds.</p>"]
    keys = [f"{x['lesson']}/{x['exercise']}" for x in summary["exercises"]]
    parts.append("<h2 id='grid-title'>Learners and exercises</h2>")
    if keys:
        rows = []
        for who, cells in summary["grid"].items():
            tds = []
            for k in keys:
                c = cells[k]
                title = f" title='{e(c['message'])}'" if c["message"] else ""
                tds.append(f"<td class='s-{(c['status'] or 'none').replace(' ', '-')}'{title}>"
                           f"<span aria-hidden='true'>{SYMBOL[c['status']]}</span> "
                           f"{WORD[c['status']]}</td>")
            rows.append(f"<tr><th scope='row'>{e(who)}</th>{''.join(tds)}</tr>")
        columns = ["learner"] + [f"{e(k.split('/', 1)[0])}: {e(k.split('/', 1)[1])}"
                                 for k in keys]
        parts.append(_table("grid-title", columns, rows))
    else:
        parts.append("<p>No check has run yet.</p>")

    parts.append("<h2 id='stuck-title'>Where the room is stuck</h2>")
    if summary["exercises"]:
        rows = []
        for x in summary["exercises"]:
            stuck = "".join(f"<li>{e(s['message'])} ({s['learners']})</li>" for s in x["stuck"])
            rows.append(f"<tr><th scope='row'>{e(x['lesson'])}: {e(x['exercise'])}</th>"
                        f"<td>{x['correct']}</td><td>{x['wrong']}</td>"
                        f"<td>{x['not attempted']}</td>"
                        f"<td>{f'<ul>{stuck}</ul>' if stuck else '—'}</td></tr>")
        parts.append(_table("stuck-title", ["exercise", "correct", "wrong", "not attempted",
                                            "most common wrong answers (learners)"], rows))
    else:
        parts.append("<p>Nothing yet.</p>")

    parts.append("<h2 id='quiz-title'>Quizzes: first answers</h2>")
    if summary["quizzes"]:
        rows = []
        for q in summary["quizzes"]:
            opts = ", ".join(f"{e(letter)}{' (right)' if letter in q['right'] else ''}: {n}"
                             for letter, n in q["options"].items())
            rows.append(f"<tr><th scope='row'>{e(q['lesson'])}: {e(q['quiz'])}</th>"
                        f"<td>{q['answered']}</td><td>{q['right_first_time']}</td>"
                        f"<td>{opts}</td></tr>")
        parts.append(_table("quiz-title", ["quiz", "answered", "right first time",
                                           "learners per option"], rows))
    else:
        parts.append("<p>No quiz answered yet.</p>")

    parts.append("<h2 id='people-title'>Learners' servers and kernels</h2>")
    rows = []
    for p in summary["learners"]:
        server = {True: "running", False: "stopped", None: "unknown"}[p["server"]]
        died = (f"⚠️ {p['kernels_died']} died (last at {_clock(p['last_kernel_death'])})"
                if p["kernels_died"] else "none died")
        rows.append(f"<tr><th scope='row'>{e(p['learner'])}</th><td>{server}</td>"
                    f"<td>{e(str(p['last_activity'] or '—'))}</td>"
                    f"<td>{_clock(p['last_record']) or '—'}</td><td>{died}</td></tr>")
    parts.append(_table("people-title", ["learner", "server", "last activity (hub)",
                                         "last record", "kernels"], rows))

    parts.append("<h2 id='board-title'>Leaderboard</h2>")
    if summary["leaderboard"]:
        from cnncourse.recipes import capstone

        rows = ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>"
                for cells in capstone._leaderboard_cells(summary["leaderboard"])]
        parts.append(_table("board-title", [e(c) for c in capstone.LEADERBOARD_COLUMNS],
                            rows))
    else:
        parts.append("<p>No capstone run recorded yet.</p>")
    return "\n".join(parts)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Room progress</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1rem 2rem; color: #1a1a1a; background: #fff; }}
table {{ border-collapse: collapse; margin: 0.5rem 0 1.5rem; }}
th, td {{ border: 1px solid #888; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }}
thead th {{ background: #eee; }}
td.s-correct {{ background: #e3f4e3; }} td.s-wrong {{ background: #fbe4e4; }}
td.s-not-attempted {{ background: #fff6dc; }}
a {{ color: #0645ad; }}
</style></head>
<body><header><h1>Room progress</h1>
<p>Each learner's latest check verdict, first quiz answers, kernels and capstone runs.
<a href="api/progress">JSON</a> · <a href="progress.csv">CSV</a></p></header>
<main id="room">{content}</main>
<script>
async function refresh() {{
  try {{
    const got = await fetch("fragment", {{credentials: "same-origin"}});
    if (got.ok) document.getElementById("room").innerHTML = await got.text();
  }} catch (err) {{ /* the next try will do */ }}
}}
setInterval(refresh, {refresh_ms});
</script></body></html>
"""


# --------------------------------------------------------------------------- in the hub


def hub_service(room: Any, python_bin: Path | None = None) -> dict[str, Any]:
    """What :func:`cnncourse_instructor.hub.write_config` adds for the progress view: the
    managed service (``service``), its roles (``roles``) and the URL learners' kernels send
    to (``room_url``, exported to them as ``CNNCOURSE_ROOM_URL``).

    The database goes to ``<private>/progress/progress.sqlite`` (the room's private folder;
    folder 700, file 600). The room's instructor, the hub's admin, may open the view
    (``--instructors`` names more, for a hub run by other means).
    """
    port = room.port + 3  # after the hub, its proxy's API and the hub's API
    host = "127.0.0.1" if room.ip in ("0.0.0.0", "::", "") else room.ip
    command = [str((python_bin or Path(sys.executable).parent) / "python"), "-m",
               "cnncourse_instructor.progress",
               "--db", str(room.private / "progress" / "progress.sqlite")]
    roles = [{"name": "progress-view", "services": ["progress"],
              "scopes": ["list:users", "read:users", "read:servers",
                         "read:users:activity"]}]
    return {"service": {"name": "progress", "url": f"http://127.0.0.1:{port}",
                        "command": command, "oauth_no_confirm": True,
                        "display": True},
            "roles": roles, "room_url": f"http://{host}:{room.port}/services/progress"}


# --------------------------------------------------------------------------- the web app


def make_app(store: Store, prefix: str = "/services/progress/",
             instructors: set[str] | frozenset[str] = frozenset(),
             identify: Any = None, hub_users: Any = None) -> Any:
    """The tornado application.

    ``identify(handler)`` returns the request's user model (``{"name": ..., "admin": ...}``)
    or None; by default the hub decides (``HubOAuth``: the login cookie, or an
    ``Authorization: token ...`` header). ``hub_users()`` returns the hub's learners for the
    view (by default from the hub's REST API with the service's own token).
    """
    from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
    from tornado import web

    hub_auth = HubOAuth.instance() if identify is None else None
    admins: dict[str, tuple[float, bool]] = {}

    class Base(HubOAuthenticated, web.RequestHandler):
        @property
        def hub_scopes(self) -> None:
            return None  # any hub user may be identified; each handler decides what they may do

        async def prepare(self) -> None:
            if identify is not None:
                model = await identify(self)
            else:
                self.hub_auth = hub_auth
                model = await hub_auth.get_user(self, sync=False)
            self._hub_auth_user_cache = model if model and model.get("kind", "user") == "user" \
                else None

        def get_login_url(self) -> str:
            return super().get_login_url() if identify is None else "/hub/login"

        def check_xsrf_cookie(self) -> None:  # POSTs come with a token header, not a form
            pass

        def write_error(self, status: int, **kw: Any) -> None:
            reason = kw.get("exc_info", (None, None))[1]
            self.finish({"error": getattr(reason, "log_message", None) or self._reason})

        def who(self, token_only: bool = False) -> str:
            if not self.current_user:
                raise web.HTTPError(403, "log in to the hub (a learner's kernel sends its "
                                         "JUPYTERHUB_API_TOKEN)")
            if token_only and not self.request.headers.get("Authorization"):
                # records come from kernels with their token, never from a browser's cookie:
                # another web page cannot make a logged-in browser post records
                raise web.HTTPError(403, "send records with an 'Authorization: token ...' "
                                         "header (the kernel's JUPYTERHUB_API_TOKEN)")
            return self.current_user["name"]

        async def instructor(self) -> str:
            name = self.who()
            if name in instructors or await is_admin(name, self.current_user):
                return name
            raise web.HTTPError(403, f"{name} is not an instructor of this room: the progress "
                                     "view is for the room's instructors (hub admins and "
                                     "--instructors) only")

        def body(self) -> Any:
            raw = self.request.body
            if len(raw) > MAX_BODY:
                raise web.HTTPError(413, f"a record is at most {MAX_BODY} bytes")
            try:
                return json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as err:
                raise web.HTTPError(400, f"expected a JSON object: {err}") from None

    async def is_admin(name: str, model: dict[str, Any]) -> bool:
        if "admin" in model:
            return bool(model["admin"])
        seen = admins.get(name)
        if seen and time.monotonic() - seen[0] < 30:
            return seen[1]
        users = await get_users()
        admin = bool(users.get(name, {}).get("admin"))
        admins[name] = (time.monotonic(), admin)
        return admin

    async def get_users() -> dict[str, dict[str, Any]]:
        if hub_users is not None:
            return await hub_users()
        try:
            return await _hub_users(hub_auth)
        except Exception as err:  # noqa: BLE001 - the hub busy or restarting: show the records
            from tornado.log import app_log

            app_log.warning("progress: could not list the hub's users (%s)", err)
            return {}

    async def summary() -> dict[str, Any]:
        users = {n: u for n, u in (await get_users()).items()
                 if n not in instructors and not u.get("admin")}
        return summarize(store.records(), store.runs(), users)

    class Records(Base):
        def post(self) -> None:
            who = self.who(token_only=True)
            try:
                record = check_record(self.body())
            except BadRecord as err:
                raise web.HTTPError(400, str(err)) from None
            self.finish({"id": store.add(who, record), "who": who})

    class Runs(Base):
        def get(self) -> None:
            self.who()  # any room user may read the board
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(latest_runs(store.runs())))

        def post(self) -> None:
            who = self.who(token_only=True)
            try:
                row = check_run(self.body(), who)
            except BadRecord as err:
                raise web.HTTPError(400, str(err)) from None
            store.add_run(who, row)
            self.finish(row)

        def put(self) -> None:
            raise web.HTTPError(405, "runs are only ever added (POST); nothing is changed")

        delete = put

    class Progress(Base):
        async def get(self) -> None:
            await self.instructor()
            self.finish(await summary())

    class Csv(Base):
        async def get(self) -> None:
            await self.instructor()
            self.set_header("Content-Type", "text/csv; charset=utf-8")
            self.set_header("Content-Disposition", "attachment; filename=progress.csv")
            self.finish(to_csv(await summary()))

    class Fragment(Base):
        async def get(self) -> None:
            await self.instructor()
            self.finish(render(await summary()))

    class Page(Base):
        @web.authenticated
        async def get(self) -> None:
            await self.instructor()
            self.finish(PAGE.format(content=render(await summary()),
                                    refresh_ms=REFRESH_S * 1000))

    routes = [(prefix, Page), (prefix + "fragment", Fragment),
              (prefix + "api/progress", Progress), (prefix + "progress.csv", Csv),
              (prefix + "api/records", Records), (prefix + "api/runs", Runs)]
    if identify is None:
        routes.append((prefix + "oauth_callback", HubOAuthCallbackHandler))
    return web.Application(routes, cookie_secret=os.urandom(32),
                           login_url=(hub_auth.login_url if hub_auth else "/"))


async def _hub_users(hub_auth: Any) -> dict[str, dict[str, Any]]:
    """The hub's users: ``{name: {"admin", "server", "last_activity"}}`` (service token)."""
    from tornado.httpclient import AsyncHTTPClient

    got = await AsyncHTTPClient().fetch(
        hub_auth.api_url.rstrip("/") + "/users",
        headers={"Authorization": f"token {hub_auth.api_token}"}, request_timeout=10)
    out = {}
    for u in json.loads(got.body):
        server = (u.get("servers") or {}).get("")
        out[u["name"]] = {"admin": u.get("admin", False),
                          "server": bool(server and server.get("ready")),
                          "last_activity": u.get("last_activity")}
    return out


class InThread:
    """Serve ``app`` on 127.0.0.1 from a background thread (tests, benchmarks/room_progress.py):
    ``with InThread(app) as url: ...``."""

    def __init__(self, app: Any):
        self.app, self.url = app, ""

    def __enter__(self) -> str:
        import asyncio
        import socket
        import threading

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        ready = threading.Event()

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            self.server = self.app.listen(port, "127.0.0.1")
            self.loop.call_soon(ready.set)
            self.loop.run_forever()
            self.server.stop()
            self.loop.close()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        ready.wait(10)
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def __exit__(self, *exc: Any) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def main(argv: list[str] | None = None) -> int:
    """Run the service (the hub starts it with the URL and token in its environment)."""
    import asyncio
    from urllib.parse import urlparse

    parser = argparse.ArgumentParser(prog="python -m cnncourse_instructor.progress",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True,
                        help="the SQLite file, in a folder only the hub's user may open")
    parser.add_argument("--instructors", default="",
                        help="comma-separated hub users who may open the view (admins may too)")
    args = parser.parse_args(argv)
    url = os.environ.get("JUPYTERHUB_SERVICE_URL")
    if not url or not os.environ.get("JUPYTERHUB_API_TOKEN"):
        print("progress: run by JupyterHub as a managed service (JUPYTERHUB_SERVICE_URL and "
              "JUPYTERHUB_API_TOKEN are unset); `cnncourse-instructor hub` configures it.",
              file=sys.stderr)
        return 2
    store = Store(args.db)
    instructors = {n.strip() for n in args.instructors.split(",") if n.strip()}
    app = make_app(store, os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/progress/"),
                   frozenset(instructors))
    where = urlparse(url)

    async def serve() -> None:
        app.listen(where.port or 80, where.hostname or "127.0.0.1", xheaders=True)
        await asyncio.Event().wait()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
