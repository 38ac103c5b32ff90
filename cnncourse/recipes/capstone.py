"""The capstone's brief and leaderboard: targets per dataset, and a CSV of everyone's runs.

``record_run`` adds a row to your own leaderboard file (:func:`leaderboard_path`), to a file the
workshop shares (``CNNCOURSE_LEADERBOARD``) or, in a workshop room, to the room's board;
``leaderboard`` reads them back, best validation accuracy first, the latest row of each run.
"""

from __future__ import annotations

import csv
import errno
import getpass
import io
import math
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:  # POSIX advisory locks; absent on Windows, where the single O_APPEND write suffices
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from cnncourse import env, settings
from cnncourse.course import room
from cnncourse.validate import positive_number, whole_number


@dataclass(frozen=True)
class Target:
    """The brief for one dataset: validation accuracy to reach within a training-time budget.

    The budget is ``units`` **baseline steps** (steps of the course's SimpleCNN on batches of
    128, timed by :func:`measure_speed`), so it means the same on a laptop, a busy server or a
    GPU; ``seconds`` is used where no speed is known. ``accuracy`` is for the real data,
    ``standin_accuracy`` for the stand-in; ``None``: beat the SimpleCNN baseline.
    """

    dataset: str
    accuracy: float | None
    seconds: float
    note: str
    standin_accuracy: float | None = None
    units: int = 0

    def goal(self, synthetic: bool = False) -> float | None:
        """The validation accuracy to reach on the real data, or on the stand-in."""
        return self.standin_accuracy if synthetic else self.accuracy

    def budget(self, speed: Speed | None = None) -> float:
        """The budget in seconds on a machine of ``speed`` (from :func:`measure_speed`):
        ``units`` baseline steps; without a speed, :attr:`seconds`."""
        if speed is None or not self.units:
            return float(self.seconds)
        if not isinstance(speed, Speed):
            raise TypeError(f"Target.budget: speed must be a Speed from measure_speed(data), "
                            f"got {speed!r}.")
        return self.units * speed.seconds_per_step


@dataclass(frozen=True)
class Speed:
    """How fast this machine trains the baseline: seconds per baseline step (median)."""

    seconds_per_step: float
    steps: int
    seconds: float

    def __str__(self) -> str:
        return (f"{self.seconds_per_step * 1000:.1f} ms per baseline step (median of "
                f"{self.steps} steps in {self.seconds:.1f} s)")


FOLDER = "folder"
"""The leaderboard's dataset name for "your own images" (:func:`load_capstone_data`)."""

TARGETS = {
    "mnist": Target("mnist", 0.987, 30, "handwritten digits: easy to start, hard to perfect",
                    standin_accuracy=0.995, units=300),
    "fashion_mnist": Target("fashion_mnist", 0.90, 30,
                            "clothing: shirts vs T-shirts vs pullovers are the hard part",
                            standin_accuracy=0.943, units=300),
    "cifar10": Target("cifar10", 0.58, 120,
                      "small colour photos: needs BN, augmentation, a deeper model",
                      standin_accuracy=0.82, units=1200),
    FOLDER: Target(FOLDER, None, 60, "your own photos: beat the SimpleCNN baseline on "
                   "validation", units=600),
}
"""Targets: validation accuracy within a budget of baseline steps (see :class:`Target`).

Each target sits between what the SimpleCNN baseline (:data:`BASELINE_RECIPE`) and the
checklist-built reference (``cnncourse.lessons.capstone.build_model``) reach within the budget:
``benchmarks/capstone_reachability.py`` measures both and its docstring gives the figures.
"""

FIELDS = ["when", "who", "name", "dataset", "val_accuracy", "accuracy", "seconds", "params",
          "synthetic", "notes", "budget"]
"""Columns of a leaderboard file. ``accuracy`` is test accuracy (blank until the learner
scores the chosen model on the test split); ``budget`` is the run's budget in seconds on its
machine (blank: the target's nominal seconds). Rows under an older header are skipped
with a warning; the next row recorded brings this header back."""

LEADERBOARD_ENV = "CNNCOURSE_LEADERBOARD"
USER_ENV = "CNNCOURSE_USER"
FILE_NAME = "leaderboard.csv"


def leaderboard_path(root: str | Path | None = None) -> Path:
    """The leaderboard file: ``root/leaderboard.csv`` when ``root`` (a folder) is given, else
    ``CNNCOURSE_LEADERBOARD`` (a file, or a folder to hold ``leaderboard.csv``), else the
    per-user ``settings.user_dir("state")/leaderboard.csv``."""
    if root is not None:
        return Path(root).expanduser() / FILE_NAME
    shared = env.get(LEADERBOARD_ENV)
    if shared:
        path = Path(shared).expanduser()
        return path / FILE_NAME if path.is_dir() or shared.endswith(("/", os.sep)) else path
    return settings.user_dir("state") / FILE_NAME


def default_who() -> str:
    """Who is recording: ``CNNCOURSE_USER``, else the login name, else "anonymous"."""
    who = env.get(USER_ENV)
    if who:
        return who
    try:
        return getpass.getuser() or "anonymous"
    except Exception:  # noqa: BLE001 - containers without a passwd entry raise KeyError/OSError
        return "anonymous"


def _dataset(name: Any) -> str:
    """The canonical dataset name ("CIFAR-10" -> "cifar10", "fmnist" -> "fashion_mnist"), or
    :data:`FOLDER` for your own images."""
    from cnncourse.data.catalog import canonical_name

    if isinstance(name, str) and name.strip().lower() == FOLDER:
        return FOLDER
    try:
        return canonical_name(name)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{err} For your own images use dataset={FOLDER!r}.") from None


def _one_line(label: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or "\n" in value or "\r" in value:
        raise ValueError(f"record_run: {label} must be a non-empty one-line string, got "
                         f"{value!r}.")
    return value.strip()


def _fraction(label: str, value: Any) -> str:
    """A validated accuracy as CSV text ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) \
            or not 0 <= value <= 1:
        hint = " (pass a fraction: 0.91, not 91)" if isinstance(value, (int, float)) \
            and not isinstance(value, bool) and 1 < value <= 100 else ""
        raise ValueError(f"record_run: {label} must be a number in [0, 1], got "
                         f"{value!r}{hint}.")
    return f"{float(value):.4f}"


def run_row(name: str, dataset: str, accuracy: float | None, seconds: float, params: int,
            synthetic: bool = False, notes: str = "", *, val_accuracy: float | None = None,
            who: str | None = None, budget_s: float | None = None) -> dict[str, str]:
    """Check one run and return it as a leaderboard row (strings), without recording it.

    The arguments are those of :func:`record_run`; ``show_leaderboard(extra=[...])`` can show
    such a row beside the recorded ones, e.g. the course's baseline.
    """
    name = _one_line("name", name)
    who = _one_line("who", default_who() if who is None else who)
    dataset = _dataset(dataset)
    test, val = _fraction("accuracy", accuracy), _fraction("val_accuracy", val_accuracy)
    if not test and not val:
        raise ValueError("record_run: give val_accuracy (validation accuracy, used for the "
                         "ranking) and/or accuracy (test accuracy, once for your chosen "
                         "model); both were None.")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0 \
            or math.isnan(seconds) or math.isinf(seconds):
        raise ValueError(f"record_run: seconds must be a non-negative number, got {seconds!r}.")
    if budget_s is not None:
        positive_number(budget_s, "budget_s", "record_run", hint="seconds: the budget on your "
                        "machine, target.budget(speed), or None")
    whole_number(params, "params", "record_run", minimum=0, hint="use count_parameters(model)")
    return {"when": time.strftime("%Y-%m-%d %H:%M"), "who": who, "name": name,
            "dataset": dataset, "val_accuracy": val, "accuracy": test,
            "seconds": f"{float(seconds):.1f}", "params": str(params),
            "synthetic": "yes" if synthetic else "no",
            "notes": " ".join(str(notes).split()),
            "budget": "" if budget_s is None else f"{float(budget_s):.1f}"}


def _csv_line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()


def _last_header(fd: int) -> list[str] | None:
    """The column names in force at the end of the file (its last header line), or None."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    text = os.pread(fd, size, 0).decode("utf-8", errors="replace")
    header = None
    for record in csv.reader(io.StringIO(text)):
        if record and record[0] == "when":
            header = record
    return header


def _roll_back(fd: int, size: int) -> None:
    """Cut a failed append back to ``size`` so no partial row is left for the next writer.

    Without this, a row cut short on a full disk has no newline and the next learner's row
    is appended to it: the merged line is malformed and their run is lost.
    """
    try:
        if os.fstat(fd).st_size > size:
            os.ftruncate(fd, size)
    except OSError:  # cannot even truncate: the error already raised says what went wrong
        pass


def _append(path: Path, row: dict[str, str]) -> None:
    """Append ``row`` as one whole line: one ``write`` on an ``O_APPEND`` file, under a lock
    that closing the file releases."""
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)  # read: its header
    try:
        if fcntl is not None:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX)  # blocks until other writers are done
            except OSError:  # a share without lock support: the O_APPEND write still holds
                pass
        # A new file, or one in an older layout, gets the current header first (in the
        # same write), so every row is read with the columns it was written with.
        chunk = _csv_line([row[k] for k in FIELDS])
        if _last_header(fd) != FIELDS:
            chunk = _csv_line(FIELDS) + chunk
        data = chunk.encode("utf-8")
        before = os.fstat(fd).st_size  # under the lock: no other writer moves it
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(errno.ENOSPC, f"only {written} of {len(data)} bytes of the "
                                            f"row could be written (disk full?)")
        except OSError:
            _roll_back(fd, before)
            raise
    finally:
        os.close(fd)


def record_run(name: str, dataset: str, accuracy: float | None, seconds: float, params: int,
               synthetic: bool = False, notes: str = "", root: str | Path | None = None, *,
               val_accuracy: float | None = None, who: str | None = None,
               budget_s: float | None = None) -> dict[str, str]:
    """Record one run on the leaderboard (:func:`leaderboard_path`) and return the row.

    Recording again under the same ``who``, ``name`` and dataset replaces that run on the
    leaderboard (the latest row counts), so re-running a notebook adds no duplicates.

    Args:
        name: a label for the run, e.g. "resnet + aug".
        accuracy: test accuracy as a fraction in [0, 1] (0.91, not 91), or None: score the
            test split once, for the model you choose.
        seconds: training time in seconds.
        params: the model's parameter count (``cnncourse.models.count_parameters``).
        synthetic: True when the data was the built-in stand-in (``data.synthetic``).
        root: a folder to keep ``leaderboard.csv`` in, instead of the default place.
        val_accuracy: validation accuracy in [0, 1]; the leaderboard ranks by it.
        who: your name on the leaderboard (default: ``CNNCOURSE_USER``, else your login name).
        budget_s: the budget in seconds on your machine (``target.budget(speed)``); the
            leaderboard's ✅ compares ``seconds`` with it (default: the target's seconds).
    """
    return record(run_row(name, dataset, accuracy, seconds, params, synthetic, notes,
                          val_accuracy=val_accuracy, who=who, budget_s=budget_s), root)


def record(row: dict[str, str], root: str | Path | None = None) -> dict[str, str]:
    """Record a row built by :func:`run_row` (checked again first) and return it."""
    try:
        _parse(row, line=0)
        row = {k: row[k] for k in FIELDS}
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"record: expected a row from run_row(...), got {row!r} ({err}).") \
            from None
    if root is None and (board := room.recorder()) is not None:  # a room: its service keeps it
        try:
            return board.post_run(row)
        except Exception as err:  # noqa: BLE001 - keep the run: record it in your own file
            print(f"ℹ️  record_run: the room's leaderboard did not take this run ({err}); "
                  f"it is kept in {leaderboard_path(root)} instead.")
    path = leaderboard_path(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _append(path, row)
    except OSError as err:
        shared = root is None and env.get(LEADERBOARD_ENV)
        where = (f"unset {LEADERBOARD_ENV} to use your own leaderboard, or point it at a "
                 "writable file" if shared else
                 f"pass root= a writable folder, or set {LEADERBOARD_ENV} to a writable file")
        raise OSError(f"record_run: cannot write the leaderboard {path} "
                      f"({err.strerror or err}). Fix: {where}.") from err
    return row


def _parse(raw: dict[str, str], line: int) -> dict[str, Any]:
    def fraction(key: str) -> float | None:
        text = (raw.get(key) or "").strip()
        if not text:
            return None
        value = float(text)
        if not 0 <= value <= 1:
            raise ValueError(f"{key} {text} is outside [0, 1]")
        return value

    row: dict[str, Any] = {k: (raw.get(k) or "") for k in FIELDS}
    budget = (raw.get("budget") or "").strip()
    row.update(accuracy=fraction("accuracy"), val_accuracy=fraction("val_accuracy"),
               seconds=float(raw["seconds"]), params=int(raw["params"]), line=line,
               budget=float(budget) if budget else None)
    if row["accuracy"] is None and row["val_accuracy"] is None:
        raise ValueError("no accuracy")
    return row


def _read(path: Path) -> list[dict[str, Any]]:
    """Every well-formed row in file order; malformed lines are skipped with one warning."""
    rows, bad, header = [], [], None
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        reader = csv.reader(f)
        for record in reader:
            if not record:
                continue
            if record[0] == "when":
                header = record
                continue
            try:
                if header != FIELDS:
                    raise ValueError("no header line before it" if header is None else
                                     f"its header is not {','.join(FIELDS)}")
                if len(record) != len(header):
                    raise ValueError(f"{len(record)} fields, expected {len(header)}")
                rows.append(_parse(dict(zip(header, record)), reader.line_num))
            except (KeyError, TypeError, ValueError) as err:
                bad.append(f"line {reader.line_num} ({err})")
    if bad:
        warnings.warn(f"leaderboard: skipped {len(bad)} malformed line(s) of {path}: "
                      f"{'; '.join(bad[:5])}{' ...' if len(bad) > 5 else ''}. Fix or delete "
                      "those lines.", stacklevel=3)
    return rows


def leaderboard(dataset: str | None = None, root: str | Path | None = None
                ) -> list[dict[str, Any]]:
    """Recorded runs (optionally of one dataset), best validation accuracy first, then fastest.

    Only the latest row of each (who, name, dataset) counts. Rows recorded without a
    validation accuracy rank by their test accuracy. Each row gets
    ``meets_target``: validation accuracy and time within the brief (:func:`meets_brief`).
    """
    path, found = leaderboard_path(root), None
    if root is None and (board := room.recorder()) is not None:  # a workshop room's board
        try:
            found = [_parse(r, line=i) for i, r in enumerate(board.runs(), 1)]
        except Exception as err:  # noqa: BLE001 - the room's view is down: read the file
            print(f"ℹ️  leaderboard: the room's board cannot be read ({err}); showing {path}.")
    if found is None and not path.exists():
        return []
    if found is None and path.is_dir():
        raise ValueError(f"leaderboard: {path} is a folder; expected a CSV file. Point "
                         f"{LEADERBOARD_ENV} at a file such as {path / FILE_NAME}.")
    want = _dataset(dataset) if dataset is not None else None
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in _read(path) if found is None else found:
        key = (row["who"], row["name"], row["dataset"])
        latest.pop(key, None)  # re-insert: dict order then follows the latest rows
        latest[key] = row
    rows = [_checked(r) for r in latest.values() if want is None or r["dataset"] == want]
    return sorted(rows, key=_rank_key)


@dataclass(frozen=True)
class Verdict:
    """Whether a run meets the brief, and if not, why: ``bool(verdict)`` and ``str(verdict)``."""

    met: bool
    reason: str

    def __bool__(self) -> bool:
        return self.met

    def __str__(self) -> str:
        return self.reason


def meets_brief(dataset: str, val_accuracy: float | None, seconds: float,
                synthetic: bool = False, budget_s: float | None = None) -> Verdict:
    """Does the run meet the brief? A :class:`Verdict`: true when ``val_accuracy`` reaches
    the dataset's target (the stand-in's when ``synthetic``) within the budget, and when not,
    why: the accuracy, the time, or both. Never met where there is no fixed target.

    ``budget_s``: the budget in seconds on the machine that ran it (``target.budget(speed)``);
    default the target's nominal :attr:`Target.seconds`.
    """
    target = TARGETS.get(_dataset(dataset))
    goal = target.goal(synthetic) if target else None
    if goal is None:
        return Verdict(False, "no fixed target for your own images: beat the SimpleCNN "
                              "baseline on validation")
    budget = float(target.seconds if budget_s is None else budget_s)
    acc_ok = val_accuracy is not None and val_accuracy >= goal
    time_ok = seconds <= budget
    got = "no validation accuracy" if val_accuracy is None else f"{val_accuracy:.1%}"
    acc = f"validation accuracy {got} {'reaches' if acc_ok else 'is below'} the {goal:.1%} " \
          "target"
    took = f"training took {seconds:.0f} s {'within' if time_ok else 'over'} the " \
           f"{budget:.0f} s budget"
    if acc_ok and time_ok:
        return Verdict(True, f"yes: {acc}, and {took}")
    why = "accuracy and time" if not (acc_ok or time_ok) else "accuracy" if not acc_ok \
        else "time"
    return Verdict(False, f"not yet ({why}): {acc}; {took}")


def _checked(row: dict[str, Any]) -> dict[str, Any]:
    row["meets_target"] = bool(meets_brief(row["dataset"], row["val_accuracy"], row["seconds"],
                                           row.get("synthetic") == "yes", row["budget"]))
    return row


def _rank_key(row: dict[str, Any]) -> tuple[float, float]:
    score = row["val_accuracy"] if row["val_accuracy"] is not None else row["accuracy"]
    return (-score, row["seconds"])


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"


LEADERBOARD_COLUMNS = ["#", "who", "name", "dataset", "val accuracy", "test accuracy", "seconds",
                       "parameters", "data", "brief"]


def _leaderboard_cells(rows: list[dict[str, Any]]) -> list[list[str]]:
    """One list of cells per row, in the order of ``LEADERBOARD_COLUMNS``."""
    out = []
    for i, r in enumerate(rows, 1):
        data = "stand-in" if r.get("synthetic") == "yes" else "real"
        out.append([str(i), r.get("who") or "—", r["name"], r["dataset"],
                    _pct(r.get("val_accuracy")), _pct(r.get("accuracy")),
                    f"{r['seconds']:.0f}", f"{r['params']:,}", data,
                    "✅" if r.get("meets_target") else "—"])
    return out


def show_leaderboard(dataset: str | None = None, root: str | Path | None = None,
                     extra: list[dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """Display the leaderboard as a table (HTML in a notebook, text elsewhere); return the rows.

    ``extra``: rows from :func:`run_row` to show beside the recorded ones without recording
    them (e.g. the course's baseline); their name is marked "(not recorded)".
    """
    from IPython.display import display  # ipywidgets brings IPython

    from cnncourse.viz.table import Table

    rows = leaderboard(dataset, root)
    for raw in extra or []:
        row = _checked(_parse(raw, line=0))
        row["name"] += " (not recorded)"
        if dataset is None or row["dataset"] == _dataset(dataset):
            rows.append(row)
    rows.sort(key=_rank_key)
    if not rows:
        print("(no runs recorded yet: call record_run(...) after training)")
        return rows
    table = Table(LEADERBOARD_COLUMNS, _leaderboard_cells(rows),
                  caption="Leaderboard, ranked by validation accuracy (✅: meets the brief)")
    display(table)  # HTML in a notebook; plain Python prints the table's text
    return rows


# Data and training for the capstone notebook ------------------------------------------------------

def is_folder_choice(dataset: Any) -> bool:
    """True when ``dataset`` names a folder of your own images rather than a course dataset."""
    if isinstance(dataset, os.PathLike):
        return True
    if not isinstance(dataset, str):
        raise TypeError(f"DATASET must be a dataset name such as 'cifar10' or a folder path, "
                        f"got {type(dataset).__name__}.")
    text = dataset.strip()
    if os.sep in text or "/" in text or text.startswith(("~", ".")):
        return True
    try:  # a course dataset's name wins over a folder of that name in the current directory
        _dataset(text)
        return False
    except ValueError:
        return Path(text).is_dir()


def load_capstone_data(dataset: str | os.PathLike, image_size: int = 32,
                       **folder_options: Any) -> tuple[Any, str]:
    """Load the capstone's data: ``(Data, leaderboard dataset name)``.

    ``dataset`` is a course dataset (any spelling ``load_data`` accepts) or a folder of your
    own images for ``cnncourse.data.load_folder`` (at most 600 images in quick mode).
    """
    from cnncourse import data as course_data
    from cnncourse.settings import is_quick

    if isinstance(dataset, str) and dataset.strip().lower() == FOLDER:
        raise ValueError(f"DATASET = {dataset!r} is how the leaderboard names your own images; "
                         f"set DATASET to the path of your folder instead, e.g. "
                         f"DATASET = 'my_photos' (one sub-folder per class; a relative path "
                         f"starts from the notebook's folder, {Path.cwd()}).")
    if is_folder_choice(dataset):
        if is_quick():
            folder_options.setdefault("max_images", 600)
        return course_data.load_folder(dataset, image_size=image_size, **folder_options), FOLDER
    try:
        key = _dataset(dataset)
    except ValueError:
        raise ValueError(f"DATASET = {dataset!r} is neither a course dataset nor a folder: "
                         f"there is no folder {Path.cwd() / Path(dataset).expanduser()}. Set "
                         f"DATASET to 'cifar10', 'mnist' or 'fashion_mnist', or to the path of "
                         f"a folder of your images with one sub-folder per class (a relative "
                         f"path starts from the notebook's folder, {Path.cwd()}).") from None
    return course_data.load_data(key), key


BATCH_SIZE = 128
"""Batch size of the capstone's trainer and of a baseline step."""


def measure_speed(data: Any, seconds: float = 3.0, *, device: Any = None,
                  clock: Any = None) -> Speed:
    """Time this machine's baseline step: train a throwaway SimpleCNN on batches of 128 of
    ``data.train`` for about ``seconds`` (at least 7 steps) and return the median step after
    2 warm-up steps, so a cold first step or one slow moment does not set the budget.

    Run it when the machine is as busy as it will be while you train.
    """
    import torch

    from cnncourse.models import SimpleCNN

    positive_number(seconds, "seconds", "measure_speed")
    clock = clock or time.perf_counter
    C, H, _ = data.info["shape"]
    gen = torch.Generator().manual_seed(0)
    device = torch.device(device) if device is not None else torch.device("cpu")
    model = SimpleCNN(in_channels=C, num_classes=len(data.classes), image_size=H).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    times: list[float] = []
    start = clock()
    while (len(times) < 7 or clock() - start < seconds) and len(times) < 10_000:
        idx = torch.randint(0, len(data.train), (BATCH_SIZE,), generator=gen)
        X, y = data.train.X[idx].to(device), data.train.y[idx].to(device)
        t = clock()
        loss = loss_fn(model(X), y)         # the five steps of notebook 08, timed one by one
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(clock() - t)
    counted = sorted(times[2:])
    return Speed(seconds_per_step=counted[len(counted) // 2], steps=len(counted),
                 seconds=clock() - start)


def score_test_once(model: Any, data: Any, name: str = "the chosen model") -> float:
    """Score ``model`` on ``data.test`` once and return its accuracy (a re-run returns the
    first score: scoring, changing and scoring again would choose by test accuracy)."""
    from cnncourse.train import score_test

    if getattr(data, "test", None) is None:
        raise ValueError("score_test_once: data has no test split (data.test).")
    return score_test(model, data.test.loader(512), name, split=data.test)["accuracy"]


BASELINE_RECIPE = {"optimizer": "adam", "lr": 1e-3, "weight_decay": 0.0, "schedule": None,
                   "augment": False, "label_smoothing": 0.0}
"""How the course trains its SimpleCNN baseline: notebook 08's recipe (Adam at a constant
1e-3, no augmentation), within the same budget:
``train_within_budget(SimpleCNN(...), data, seconds, **BASELINE_RECIPE)``."""


@dataclass(frozen=True)
class BudgetRun:
    """One capstone training run: validation accuracy, training seconds, epochs (passes over
    the training data, the last one possibly partial), steps, and the budget it kept."""

    val_accuracy: float
    seconds: float
    epochs: float
    steps: int = 0
    budget_s: float | None = None
    stopped: str = ""


def train_within_budget(model: Any, data: Any, seconds: float, *, lr: float = 5e-3,
                        optimizer: Any = "adamw", weight_decay: float = 0.05,
                        schedule: str | None = "one_cycle", augment: bool = True,
                        flip: bool = True, label_smoothing: float = 0.1, max_epochs: int = 100,
                        device: Any = None, clock: Any = None) -> BudgetRun:
    """Train ``model`` on ``data.train`` within ``seconds``, then score ``data.val`` once.

    ``cnncourse.train.fit(..., budget_s=seconds)`` with batch 128, AdamW (weight decay 0.05:
    AdamW shrinks each weight by lr x weight_decay per step, so 5e-4 would do almost nothing),
    one-cycle over the budget's time, label smoothing 0.1 and, with ``augment``, random crops
    (and flips when ``flip``). The course's baseline is :data:`BASELINE_RECIPE`.
    """
    from functools import partial

    from torch import nn

    from cnncourse.augment import AugmentedLoader, augment_batch
    from cnncourse.train import evaluate, fit

    if getattr(data, "val", None) is None:
        raise ValueError("train_within_budget: data has no validation split (data.val); load "
                         "it with cnncourse.data.load_data or load_folder.")
    positive_number(seconds, "seconds", "train_within_budget",
                    hint="the budget, e.g. target.budget(speed)")
    train = data.train.loader(BATCH_SIZE, shuffle=True)
    if augment:
        train = AugmentedLoader(train, partial(augment_batch, padding=2, flip=flip))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=label_smoothing)
    history = fit(model, train, epochs=max_epochs, lr=lr, optimizer=optimizer,
                  weight_decay=weight_decay, schedule=schedule, budget_s=seconds,
                  loss_fn=loss_fn, progress=False, device=device, clock=clock)
    val = evaluate(model, data.val.loader(512))["accuracy"]
    return BudgetRun(val_accuracy=val, seconds=history.seconds,
                     epochs=history.steps / max(1, len(train)), steps=history.steps,
                     budget_s=float(seconds), stopped=history.stopped)
