"""The ``cnncourse`` command: ``doctor`` and ``data`` (``cnncourse --help``)."""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import platform
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

MIN_PYTHON = (3, 10)
"""The oldest Python the course supports (pyproject's requires-python says the same)."""

DATA_HELP = """\
Where the data lives:
  One folder: $CNNCOURSE_DATA if set, else ~/.cache/cnncourse. A shared (even read-only)
  folder works: `export CNNCOURSE_DATA="/path/to/folder"` before starting Jupyter, or
  `%env CNNCOURSE_DATA=/path/to/folder` (no restart needed) in a cell before the data loads.
  No network? Copy official files obtained elsewhere to the paths `cnncourse data status`
  lists (cifar-10-python.tar.gz into the folder itself); status then checks them.
  Without data or network, the course uses a built-in synthetic stand-in.
"""


# --------------------------------------------------------------------------- doctor


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _doctor(args: argparse.Namespace) -> int:
    """Print the environment report and a verdict; exit 1 when NOT READY."""
    from cnncourse import __version__, env, settings, threads

    problems: list[str] = []   # make the course fail: NOT READY
    warnings: list[str] = []   # the course runs, with a caveat: READY with warnings
    rows: list[tuple[str, str]] = []

    py = sys.version_info
    rows.append(("Python", platform.python_version()))
    if py < MIN_PYTHON:
        problems.append(f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer is needed: install a "
                        f"newer Python.")
    rows.append(("cnncourse", __version__))

    for dist, needed in (("torch", True), ("torchvision", True), ("ipywidgets", False),
                         ("matplotlib", True), ("jupyterlab", False)):
        version = _version(dist)
        rows.append((dist, version or "MISSING"))
        if version is None:
            fix = f"pip install {dist}"
            (problems if needed else warnings).append(f"{dist} is not installed: run `{fix}`.")

    front = [d for d in ("jupyterlab_widgets", "widgetsnbextension") if _version(d)]
    rows.append(("widget front end", ", ".join(f"{d} {_version(d)}" for d in front) or "MISSING"))
    if not front and not settings.in_colab():
        warnings.append("no widget front end (jupyterlab_widgets): quizzes and sliders show "
                        "as static text. Fix: `pip install jupyterlab_widgets` and restart "
                        "JupyterLab.")

    if _version("torch"):
        try:
            dev = settings.device()
            label = str(dev)
            if dev.type == "cuda":
                import torch

                label += f" ({torch.cuda.get_device_name(dev)})"
            elif dev.type == "cpu":
                label += " (no GPU: fine, every notebook is sized for a laptop CPU)"
            rows.append(("device", label))
        except Exception as err:  # noqa: BLE001 - a broken torch install is a finding
            rows.append(("device", f"ERROR: {err}"))
            problems.append(f"torch does not work: {err}. Reinstall it "
                            f"(`pip install --force-reinstall torch`).")

    try:  # the CPU thread policy that settings.start applies in every notebook
        policy = threads.thread_policy()
        busy = threads.overload_line(policy.load_cores, policy.load, policy.threads)
        rows.append(("CPU threads", str(policy) + ("; OVERLOADED right now: training will "
                                                   "be slow" if busy else "")))
    except ValueError as err:  # a bad CNNCOURSE_THREADS stops every notebook's setup cell
        rows.append(("CPU threads", "ERROR (bad CNNCOURSE_THREADS)"))
        problems.append(str(err))

    root = settings.data_dir()
    rows.append(("data folder", f"{root} ({'exists' if root.is_dir() else 'not created yet'})"
                 + ("  [from CNNCOURSE_DATA]" if env.get("CNNCOURSE_DATA") else "")))
    if _version("torch") and _version("torchvision"):
        missing = _doctor_datasets(root, rows, problems)
        if missing:
            how = ("CNNCOURSE_OFFLINE=1 is set, so they will not be downloaded"
                   if settings.is_offline() else "they will be downloaded on first use")
            warnings.append(f"not downloaded yet: {', '.join(missing)} ({how}; without "
                            f"network the notebooks use a synthetic stand-in). Fix: "
                            f"`cnncourse data download` while online, or set CNNCOURSE_DATA "
                            f"to a shared folder.")

    from cnncourse.recipes import capstone

    rows.append(("leaderboard", f"{capstone.leaderboard_path()}"
                 + (f"  [from {capstone.LEADERBOARD_ENV}, shared]"
                    if env.get(capstone.LEADERBOARD_ENV) else
                    "  (your own; set CNNCOURSE_LEADERBOARD to share one)")))
    rows.append(("quick mode", "ON (CNNCOURSE_QUICK=1: tiny data, short runs)"
                 if settings.is_quick() else "off"))
    rows.append(("offline mode", "ON (CNNCOURSE_OFFLINE=1: never downloads)"
                 if settings.is_offline() else "off"))
    if settings.is_quick():
        warnings.append("quick mode is on: results are for testing, not learning. Unset "
                        "CNNCOURSE_QUICK for real runs.")

    for name, meaning in env.ENVIRONMENT.items():   # every variable the package reads
        value = "<set; a secret, not shown>" if name in env.SECRET and env.raw(name) else env.raw(name)
        rows.append((f"${name}", f"{value!r}: {meaning}" if value is not None else f"not set: {meaning}"))

    width = max(len(k) for k, _ in rows)
    print("cnncourse doctor")
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")
    print()
    for text in problems:
        print(f"  PROBLEM: {text}")
    for text in warnings:
        print(f"  warning: {text}")
    if problems:
        print("Verdict: NOT READY - fix the problems above, then run `cnncourse doctor` again.")
        return 1
    if warnings:
        print("Verdict: READY with warnings - the course runs; see the warnings above.")
        return 0
    print("Verdict: READY - open notebooks/00_start_here.ipynb.")
    return 0


def _doctor_datasets(root: Path, rows: list[tuple[str, str]], problems: list[str]) -> list[str]:
    """Add one row per dataset; return the names of those not downloaded."""
    from cnncourse.data import DATASETS, TITLES, dataset_status

    missing_names = []
    for name in DATASETS:
        state, summary, paths = dataset_status(name, root)
        rows.append((f"  {TITLES[name]}", summary))
        if state == "corrupt":
            bad = ", ".join(str(path) for path, found in paths if found == "corrupt")
            problems.append(f"{TITLES[name]}: {summary}: {bad or 'the archive'}. "
                            f"`cnncourse data status` lists every file.")
        elif state not in ("ready", "archive"):
            missing_names.append(name)
    return missing_names


# --------------------------------------------------------------------------- data


def _datasets(args: argparse.Namespace) -> tuple[Path, tuple[str, ...]]:
    """The data folder (``--dir``, else ``$CNNCOURSE_DATA``, else ``~/.cache/cnncourse``) and
    the datasets ``--dataset`` names."""
    from cnncourse.data import DATASETS, canonical_name
    from cnncourse.data.files import resolve_root

    names = DATASETS if args.dataset == "all" else (canonical_name(args.dataset),)
    return resolve_root(args.dir, must_exist=False), names


def _download(args: argparse.Namespace) -> int:
    """Download the chosen datasets once; verified files are left alone."""
    from cnncourse.data import TITLES, DataError, dataset_status, download_dataset

    root, names = _datasets(args)
    return download_each("cnncourse data download", "dataset", {n: TITLES[n] for n in names},
                         lambda name: dataset_status(name, root)[0] == "ready",
                         lambda name: download_dataset(name, root), DataError, root, root)


def download_each(command: str, noun: str, titles: dict[str, str], ready: Callable[[str], bool],
                  download: Callable[[str], object], error: type[Exception], folder: Path,
                  root: Path) -> int:
    """Download each of ``titles`` (name: title) into ``folder`` unless ``ready``; report each,
    and exit 1 if one failed. ``cnncourse-instructor weights download`` runs it too."""
    from cnncourse import settings

    failed = 0
    for name, title in titles.items():
        try:
            if ready(name):
                print(f"{title}: already downloaded and verified in {folder} (nothing to do).")
                continue
            if not settings.is_offline():
                print(f"{title}: downloading into {folder} ...", flush=True)
            download(name)
            print(f"{title}: done, checksums verified.")
        except error as err:
            print(f"{title}: FAILED - {err}", file=sys.stderr)
            failed += 1
    if failed:
        print(f"{command}: {failed} {noun}(s) not downloaded (see above).", file=sys.stderr)
        return 1
    print(f"All set. Share {root} and set CNNCOURSE_DATA to it on other machines.")
    return 0


def _status(args: argparse.Namespace) -> int:
    """List every expected file: present, missing or corrupt; exit 1 if one is corrupt."""
    from cnncourse.data import TITLES, dataset_status

    root, names = _datasets(args)
    print(f"data folder: {root}")
    bad = 0
    for name in names:
        state, summary, paths = dataset_status(name, root)
        bad += state == "corrupt"
        print(f"  {TITLES[name]}: {summary}")
        for path, path_state in paths:
            print(f"    {path_state:<8} {path}")
    return 1 if bad else 0


def _add_data_parser(subparsers: argparse._SubParsersAction) -> None:
    """``cnncourse data download|status``."""
    p = subparsers.add_parser(
        "data", help="download or check the datasets (MNIST, Fashion-MNIST, CIFAR-10)",
        description="Manage the course datasets.", epilog=DATA_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(title="actions", dest="action", metavar="ACTION")
    p.set_defaults(func=lambda _args: (p.print_help(), 2)[1])
    for action, func, text in (
            ("download", _download,
             "download once and verify checksums (safe to repeat: verified files are kept)"),
            ("status", _status, "list every expected file: present, missing or corrupt")):
        a = actions.add_parser(action, help=text, description=text.capitalize() + ".",
                               epilog=DATA_HELP,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        a.add_argument("--dataset", default="all", metavar="NAME",
                       help="mnist, fashion_mnist, cifar10 or all (default: all)")
        a.add_argument("--dir", default=None, metavar="DIR",
                       help="data folder (default: $CNNCOURSE_DATA or ~/.cache/cnncourse)")
        a.set_defaults(func=func)


# --------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    """The ``cnncourse`` argument parser: ``doctor`` and ``data``."""
    from cnncourse import __version__

    parser = argparse.ArgumentParser(
        prog="cnncourse", description="Tools for the cnncourse CNN course. The instructor's "
        "tools (solved notebooks, stamp, timing, a workshop room, importing data files, "
        "pre-fetching pretrained weights) are `cnncourse-instructor`, in the repository's "
        "instructor/ folder.",
        epilog=DATA_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"cnncourse {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    doctor = subparsers.add_parser(
        "doctor", help="check this machine is ready for the course",
        description="Print Python/torch/torchvision/ipywidgets versions, the device, the "
                    "data folder and its datasets, the widget front end and the quick/offline "
                    "settings, then a verdict: READY, READY with warnings, or NOT READY.",
        epilog=DATA_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    doctor.set_defaults(func=_doctor)
    _add_data_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cnncourse`` console script; returns the exit status."""
    return run(build_parser(), argv)


def run(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen subcommand's ``func``: the one runner of both CLIs.

    ``cnncourse-instructor`` (the instructor's tools, ``instructor/`` in the repository) runs
    its own parser through this too. Bad input exits 2 with one line, Ctrl+C 130.
    """
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (ValueError, TypeError, FileNotFoundError) as err:
        print(f"{parser.prog} {args.command}: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
