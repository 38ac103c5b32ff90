"""The ``cnncourse-instructor`` command: ``notebooks``, ``stamp``, ``timing``, ``hub``,
``data import`` and ``weights download|status|import``.

The learner's ``cnncourse`` command keeps what learners use (``doctor``, ``data``); both run
through :func:`cnncourse.cli.run`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

PROG = "cnncourse-instructor"


def build_parser() -> argparse.ArgumentParser:
    """The ``cnncourse-instructor`` argument parser: notebooks, stamp, timing, hub, data,
    weights."""
    from cnncourse import __version__

    parser = _Parser(
        prog=PROG, description="The instructor's and author's tools for the cnncourse course: "
                               "solved and nbgrader notebooks, Colab stamping, measured run "
                               "times, a workshop room, importing data files obtained "
                               "elsewhere, pre-fetching pretrained weights. Learners use "
                               "`cnncourse` instead.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    _add_notebooks_parser(subparsers)
    _add_stamp_parser(subparsers)
    _add_timing_parser(subparsers)
    _add_hub_parser(subparsers)
    data = subparsers.add_parser("data", help="`data import FILE...`: put dataset files "
                                              "obtained elsewhere in the data folder, verified")
    _add_import_action(data.add_subparsers(title="actions", dest="action", metavar="ACTION",
                                           required=True), "data")
    _add_weights_parser(subparsers)
    return parser


class _Parser(argparse.ArgumentParser):
    """``data import FILE --dir D FILE``: argparse leaves the files after an option over."""

    def parse_args(self, args: Sequence[str] | None = None, namespace: object = None) -> object:
        parsed, extra = self.parse_known_args(args, namespace)
        if extra and isinstance(getattr(parsed, "files", None), list) and \
                not any(item.startswith("-") for item in extra):
            parsed.files += extra
        elif extra:
            self.error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cnncourse-instructor`` console script; returns the exit status."""
    from cnncourse.cli import run

    return run(build_parser(), argv)


IMPORTS = {   # `data import` and `weights import`: the files they import, an example
    "data": ("MNIST and Fashion-MNIST .gz files, cifar-10-python.tar.gz",
             "~/Downloads/cifar-10-python.tar.gz ~/Downloads/*-ubyte.gz"),
    "weights": ("torchvision .pth files, e.g. resnet18-f37072fd.pth",
                "~/Downloads/resnet18-f37072fd.pth"),
}


def _import(args: argparse.Namespace) -> int:
    """Verify official files obtained elsewhere and put each in its place; exit 1 if one fails."""
    from cnncourse.data import TITLES, DataError
    from cnncourse.data.files import resolve_root
    from cnncourse.recipes.pretrained import WeightsError, weights_dir
    from cnncourse_instructor import datafiles

    root = resolve_root(args.dir, must_exist=False)
    if not args.files:
        raise ValueError(f"{args.command} import: name the files to import, e.g. `{PROG} "
                         f"{args.command} import {IMPORTS[args.command][1]}`.")

    def put(file: str) -> str:
        if args.command == "weights":
            return f"verified, now at {datafiles.import_weights_file(file, root)}"
        name, where = datafiles.import_dataset_file(file, root)
        return f"verified {TITLES[name]} file, now at {where}"

    print(f"{args.command} folder: {weights_dir(root) if args.command == 'weights' else root}")
    failed = 0
    for file in args.files:
        try:
            print(f"  {file}: {put(file)}")
        except (DataError, WeightsError) as err:
            print(f"  {file}: FAILED - {err}", file=sys.stderr)
            failed += 1
    if failed:
        print(f"{PROG} {args.command} import: {failed} file(s) not imported (see above).",
              file=sys.stderr)
    return 1 if failed else 0


def _add_import_action(actions: argparse._SubParsersAction, command: str) -> None:
    """``data import`` or ``weights import``."""
    text = (f"import official files obtained elsewhere ({IMPORTS[command][0]}): checksums "
            f"verified (a renamed file is recognised), each put in its place")
    a = actions.add_parser("import", help=text, description=f"I{text[1:]}.")
    a.add_argument("files", nargs="*", metavar="FILE", help="files to import")
    a.add_argument("--dir", default=None, metavar="DIR",
                   help="data folder (default: $CNNCOURSE_DATA or ~/.cache/cnncourse)")
    a.set_defaults(func=_import)


def _models(args: argparse.Namespace) -> tuple[Path, Path, tuple[str, ...]]:
    """The data folder (``--dir``, else ``$CNNCOURSE_DATA``, else ``~/.cache/cnncourse``), its
    weights folder and the models ``--model`` names."""
    from cnncourse.data.files import resolve_root
    from cnncourse.recipes import pretrained

    root = resolve_root(args.dir, must_exist=False)
    names = pretrained.MODELS if args.model == "all" else (pretrained.canonical(args.model),)
    return root, pretrained.weights_dir(root), names


def _weights_download(args: argparse.Namespace) -> int:
    """Download the chosen models' weights once; verified files are left alone."""
    from cnncourse.cli import download_each
    from cnncourse.recipes.pretrained import WeightsError, download_weights
    from cnncourse_instructor.datafiles import weights_status

    def ready(name: str) -> bool:   # a copy in torch's hub cache is not in the folder to share
        path, state = weights_status(name, root)
        return state == "present" and path.parent == folder

    root, folder, names = _models(args)
    return download_each(f"{PROG} weights download", "model", {n: n for n in names}, ready,
                         lambda name: download_weights(name, root), WeightsError, folder, root)


WEIGHTS_STATES = {"present": "present, SHA-256 verified", "missing": "not downloaded",
                  "corrupt": "CORRUPT: fails its SHA-256 checksum - delete it, then download "
                             "or copy it again"}


def _weights_status(args: argparse.Namespace) -> int:
    """List every model's weights file: present, missing or corrupt; exit 1 if one is corrupt."""
    from cnncourse_instructor.datafiles import weights_status

    root, folder, names = _models(args)
    print(f"weights folder: {folder}")
    bad = 0
    for name in names:
        path, state = weights_status(name, root)
        bad += state == "corrupt"
        print(f"  {name}: {WEIGHTS_STATES[state]}")
        print(f"    {state:<8} {path}")
    return 1 if bad else 0


def _add_weights_parser(subparsers: argparse._SubParsersAction) -> None:
    """``weights download|status|import``."""
    p = subparsers.add_parser(
        "weights", help="pre-fetch, check or import notebook 11's pretrained ImageNet weights",
        description="Download torchvision's ImageNet weights (ResNet-18, MobileNetV3-Small, "
                    "EfficientNet-B0) into <data folder>/weights, where notebook 11 loads them, "
                    "list them (status), checked by SHA-256, or import copies obtained "
                    "elsewhere. Files already in torch's hub cache are used too.")
    actions = p.add_subparsers(title="actions", dest="action", metavar="ACTION", required=True)
    for action, func, text in (
            ("download", _weights_download,
             "download once and verify checksums (safe to repeat: verified files are kept)"),
            ("status", _weights_status, "list every expected file: present, missing or corrupt")):
        a = actions.add_parser(action, help=text, description=text.capitalize() + ".")
        a.add_argument("--model", default="all", metavar="NAME",
                       help="resnet18, mobilenet_v3_small, efficientnet_b0 or all (default: all)")
        a.add_argument("--dir", default=None, metavar="DIR",
                       help="data folder (default: $CNNCOURSE_DATA or ~/.cache/cnncourse)")
        a.set_defaults(func=func)
    _add_import_action(actions, "weights")


def _hub(args: argparse.Namespace) -> int:
    from cnncourse_instructor import hub

    if args.action == "start" and not args.learners:
        print(f"{PROG} hub: expected --learners NAMES, e.g. --learners ada,bo,cy (or the "
              "action publish or teardown).", file=sys.stderr)
        return 2
    return hub.main(args)


def _add_hub_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "hub", help="run a local JupyterHub for a workshop room (as root)",
        description="A JupyterHub for a named list of learners on this machine: each learner "
                    "a system user with their own password and their own server (a cgroup "
                    "with a CPU quota and memory limit where the host allows it), one "
                    "instructor admin account, one read-only shared data folder, a progress "
                    "view with the room's leaderboard, and the course delivered by an nbgitpuller link. `hub "
                    "publish` hands out a fix while the room runs; `hub teardown` stops it "
                    "and removes its users, homes and cgroups. Needs configurable-http-proxy "
                    "(make hub-setup).")
    p.add_argument("action", nargs="?", default="start", choices=["start", "publish", "teardown"],
                   help="start (default): prepare and run the room; publish: push the "
                   "checkout's current commit to the mirror learners pull from; teardown: "
                   "stop the room, remove its users, homes, cgroups and passwords")
    p.add_argument("--learners", metavar="NAMES",
                   help="comma-separated login names, e.g. ada,bo,cy (start)")
    p.add_argument("--instructor", default="instructor", metavar="NAME",
                   help="the instructor's login, the hub's admin (default instructor)")
    p.add_argument("--create-users", action="store_true",
                   help="create missing system users (useradd -m); teardown removes them")
    p.add_argument("--new-passwords", action="store_true",
                   help="make new passwords for everyone (default: reuse the room's own, "
                   "kept in STATE/private/passwords.csv)")
    p.add_argument("--keep-users", action="store_true",
                   help="teardown: keep the system users and their homes")
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; the proxy API "
                   "and the hub API use the next two)")
    p.add_argument("--data", default="/srv/data", help="shared data folder, read-only for "
                   "learners (CNNCOURSE_DATA; default /srv/data)")
    p.add_argument("--cpu-limit", type=float, default=1.0,
                   help="cores per learner: a CPU quota where the host allows it, and "
                   "CPU_LIMIT (default 1; 0: none)")
    p.add_argument("--mem-limit", default="2G", help="memory per learner: a memory limit "
                   "where the host allows it, and MEM_LIMIT (default 2G)")
    p.add_argument("--state", default="build/hub", help="the room's own folder (default "
                   "build/hub): public/ for learners, private/ for root only")
    p.add_argument("--quick", action="store_true", help="CNNCOURSE_QUICK=1 for every learner")
    p.add_argument("--offline", action="store_true",
                   help="CNNCOURSE_OFFLINE=1 for every learner")
    p.set_defaults(func=_hub)


def _notebooks(args: argparse.Namespace) -> int:
    """List notebooks and exercises, or write solved / nbgrader copies of every notebook."""
    from cnncourse_instructor import notebooks as nbs
    from cnncourse_instructor.solved import write_solved

    try:
        if args.solved or args.nbgrader:
            out = args.solved or args.nbgrader
            written = write_solved(out, args.dir, nbgrader=bool(args.nbgrader))
            kind = "nbgrader source" if args.nbgrader else "solved"
            print(f"wrote {len(written)} {kind} notebooks to {out}")
            return 0
        for path in nbs.notebook_paths(args.dir):
            names = [ex.name for ex in nbs.exercises(nbs.read_notebook(path), path.name)]
            print(f"{path.name}: {len(names)} exercise(s) {', '.join(names)}".rstrip())
        return 0
    except LookupError as err:
        print(f"cnncourse-instructor notebooks: {err}", file=sys.stderr)
        return 2


def _add_notebooks_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "notebooks", help="list exercises; write solved or nbgrader copies of the notebooks",
        description="Instructor copies from one source: each cell tagged 'exercise' gets the "
                    "source of its reference, cnncourse.lessons.<concept>.NAME. Without an option, list the "
                    "notebooks and their exercises.")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--solved", metavar="OUT_DIR", help="write solved notebooks to OUT_DIR")
    group.add_argument("--nbgrader", metavar="OUT_DIR",
                       help="write nbgrader source notebooks (### BEGIN/END SOLUTION)")
    p.add_argument("--dir", default=None, metavar="DIR",
                   help="folder of NN_name.ipynb notebooks (default: ./notebooks)")
    p.set_defaults(func=_notebooks)


def _stamp(args: argparse.Namespace) -> int:
    """Rewrite (or with --check, verify) every badge and setup cell from cnncourse.course.colab."""
    from cnncourse.course import colab
    from cnncourse_instructor import stamp as stamping
    from cnncourse_instructor.notebooks import default_notebook_dir

    folder = Path(args.dir) if args.dir else default_notebook_dir()
    if not args.check:
        problem = stamping.not_a_checkout()
        if problem:
            print(f"cnncourse-instructor stamp: {problem}", file=sys.stderr)
            return 2
    readme = folder.parent / "README.md"
    record = Path(args.record) if args.record else folder.resolve().parent / "docs" / "timing.json"
    if args.record and not record.is_file():
        print(f"cnncourse-instructor stamp: no timing record at {record}; write it with "
              f"`cnncourse-instructor timing --full --out {record}`.", file=sys.stderr)
        return 2
    try:
        report = stamping.stamp(folder, args.repo, args.branch, check=args.check,
                                extra_files=[readme], record=record if record.is_file() else False)
    except ValueError as err:
        print(f"cnncourse-instructor stamp: {err}", file=sys.stderr)
        return 2
    repo, branch = args.repo or colab.REPO, args.branch or colab.BRANCH
    for path, what in report.items():
        print(f"{'out of date' if args.check else 'stamped'}: {path} ({', '.join(what)})")
    times = f" and state the run times in {record}" if record.is_file() else ""
    if args.check:
        if report:
            print(f"{len(report)} file(s) out of date: run `cnncourse-instructor stamp`.", file=sys.stderr)
            return 1
        print(f"all notebooks point at {repo}@{branch}{times}.")
        return 0
    unfixable = [p for p, what in report.items() if any("timing record" in w for w in what)]
    if (repo, branch) != (colab.REPO, colab.BRANCH):
        config = Path(colab.__file__)
        stamping.stamp_config(config, repo, branch)
        print(f"set REPO = {repo!r}, BRANCH = {branch!r} in {config}")
    print(f"{len(report)} file(s) changed; every notebook points at {repo}@{branch}{times}.")
    if unfixable:
        print(f"{len(unfixable)} notebook(s) need timing first (see above).", file=sys.stderr)
        return 1
    return 0


def _add_stamp_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "stamp", help="re-stamp the Colab badge, setup cell and stated run time of every notebook",
        description="Rewrite the badge line in each notebook's first cell, its setup cell and "
                    "the README's Colab links from cnncourse/course/colab.py (REPO, BRANCH), and the "
                    "run time each notebook states (<!-- runtime -->...<!-- /runtime -->) from "
                    "the timing record docs/timing.json when it exists. With --repo/--branch "
                    "the repository moved: colab.py is updated too. Never adds outputs.")
    p.add_argument("--repo", default=None, metavar="OWNER/NAME", help="GitHub repository")
    p.add_argument("--branch", default=None, metavar="B", help="branch (default: colab.BRANCH)")
    p.add_argument("--check", action="store_true",
                   help="change nothing; exit 1 listing the files that are out of date")
    p.add_argument("--dir", default=None, metavar="DIR", help="notebook folder")
    p.add_argument("--record", default=None, metavar="FILE",
                   help="timing record the run times come from (default: docs/timing.json "
                        "beside the notebook folder, skipped when it does not exist)")
    p.set_defaults(func=_stamp)


def _timing(args: argparse.Namespace) -> int:
    """Run notebooks headlessly and print a Markdown table of time and peak memory."""
    from cnncourse_instructor.timing import run_timing

    table, results = run_timing(args.notebooks or None, quick=args.quick, out=args.out,
                                timeout=args.timeout, where=args.where)
    print()
    print(table)
    for out in args.out or []:
        print(f"(written to {out})")
    cores = os.cpu_count() or 1
    busy = [r.notebook for r in results if r.load > cores]
    if busy:
        print(f"note: the load average was above the {cores} cores after {', '.join(busy)}: "
              f"other work shared the CPU, so those times are too high. Time them again on a "
              f"quiet machine before `cnncourse-instructor stamp` writes them into the notebooks.",
              file=sys.stderr)
    return 0 if all(r.ok for r in results) else 1


def _add_timing_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "timing", help="measure each notebook's run time and peak memory (offline)",
        description="Execute notebooks top to bottom in fresh kernels with CNNCOURSE_OFFLINE=1 "
                    "and write a Markdown table: code cells, run time, peak kernel memory, "
                    "slowest cell, plus a line describing this machine.")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="quick mode (CNNCOURSE_QUICK=1)")
    mode.add_argument("--full", dest="quick", action="store_false",
                      help="full mode, the default (CNNCOURSE_QUICK unset)")
    p.add_argument("--out", action="append", default=None, metavar="FILE",
                   help="also write the table to FILE; a FILE.json gets the record that "
                        "`cnncourse-instructor stamp` writes the notebooks' stated run times from "
                        "(entries of notebooks not timed now are kept); repeatable")
    p.add_argument("--where", default=None, metavar="TEXT",
                   help="how the stated run times name this machine (default: 'a N-core CPU')")
    p.add_argument("--timeout", type=int, default=3600, metavar="S",
                   help="seconds one cell may run (default: 3600)")
    p.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                   help="notebooks to time (default: all in ./notebooks)")
    p.set_defaults(func=_timing)
