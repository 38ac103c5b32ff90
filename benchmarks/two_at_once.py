"""Two notebooks training at once on one machine: each one's time against its time alone.

On a shared CPU (a workshop server, a laptop with a second kernel busy) torch threads can
oversubscribe the cores: each notebook's threads spin waiting for partners that the other
notebook has pushed off the CPU. This runs each notebook alone, then two at once, under a
thread policy (``CNNCOURSE_THREADS`` in the kernels' environment), and prints the ratio.
Target: two at once take at most 2.5x the time alone.

    python benchmarks/two_at_once.py                      # notebook 08 twice, default policy
    python benchmarks/two_at_once.py --policy all auto    # old behaviour (every core) vs new
    python benchmarks/two_at_once.py --policy 1 --rounds 3
    python benchmarks/two_at_once.py notebooks/08_build_a_cnn_in_pytorch.ipynb \\
        notebooks/10_expert_zone.ipynb

Full mode (``CNNCOURSE_QUICK`` off), offline, on the built-in stand-in (a fresh, empty data
folder, unless ``--data DIR``). The notebooks run through ``cnncourse_instructor.timing``,
the same runner as ``cnncourse-instructor timing``. The load average is printed with every figure: on
a machine other people are using, the times are noisy, so run a few rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

try:
    from cnncourse_instructor.timing import Timing, time_notebook
except ImportError:  # older layout
    from cnncourse.timing import Timing, time_notebook  # type: ignore[no-redef]

from cnncourse.threads import THREADS_ENV, core_limit, parse_threads

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "notebooks" / "08_build_a_cnn_in_pytorch.ipynb"
TARGET = 2.5


def _load() -> str:
    try:
        return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "load unknown"


def _run(path: str, policy: str, data: str, timeout: int) -> Timing:
    """One notebook in a fresh kernel, full mode, offline, with ``CNNCOURSE_THREADS=policy``."""
    extra = {THREADS_ENV: policy, "CNNCOURSE_DATA": data}
    return time_notebook(path, quick=False, offline=True, timeout=timeout, env=extra)


def _check(timing: Timing) -> Timing:
    if timing.error:
        sys.exit(f"two_at_once: {timing.notebook} failed ({timing.error}); run it alone with "
                 "`cnncourse-instructor timing --full` to see why.")
    return timing


def measure(paths: list[str], policy: str, data: str, timeout: int
            ) -> tuple[dict[str, float], list[Timing], str]:
    """Solo times (one per distinct notebook), then all ``paths`` at once, one process each."""
    solo = {}
    for path in dict.fromkeys(paths):
        solo[path] = _check(_run(path, policy, data, timeout)).seconds
        print(f"  alone    {Path(path).stem}: {solo[path]:6.1f} s   ({_load()})", flush=True)
    before = _load()
    with ProcessPoolExecutor(len(paths), mp_context=get_context("spawn")) as pool:
        jobs = [pool.submit(_run, p, policy, data, timeout) for p in paths]
        together = [_check(job.result()) for job in jobs]
    for path, t in zip(paths, together):
        print(f"  together {Path(path).stem}: {t.seconds:6.1f} s = "
              f"{t.seconds / solo[path]:.1f}x alone   (before: {before}; after: {_load()})",
              flush=True)
    return solo, together, before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to run together "
                        "(default: notebook 08 twice)")
    parser.add_argument("--policy", nargs="+", default=["auto"], metavar="THREADS",
                        help="CNNCOURSE_THREADS values to compare: auto (the default "
                        "policy), all (every core: the old behaviour) or a number")
    parser.add_argument("--rounds", type=int, default=1, help="repeat each policy (default 1)")
    parser.add_argument("--data", default=None, help="data folder (default: a fresh empty "
                        "folder, so the built-in stand-in is used)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args(argv)
    paths = [str(Path(p).resolve()) for p in args.notebooks] or [str(DEFAULT)] * 2
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        parser.error(f"expected notebook files; these do not exist: {', '.join(missing)}")
    if len(paths) < 2:
        parser.error("give at least two notebooks (or none for notebook 08 twice)")
    for policy in args.policy:
        try:
            parse_threads(policy, core_limit().cores)
        except ValueError as err:
            parser.error(str(err))
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")

    print(f"{len(paths)} notebooks at once on {core_limit().cores} cores (os.cpu_count() "
          f"{os.cpu_count()}), full mode, offline; target: at most {TARGET}x alone.")
    rows = []
    with tempfile.TemporaryDirectory(prefix="cnncourse-two-") as empty:
        data = args.data or empty
        for r in range(args.rounds):
            for policy in args.policy:
                print(f"round {r + 1}, {THREADS_ENV}={policy}:", flush=True)
                solo, together, before = measure(paths, policy, data, args.timeout)
                for path, t in zip(paths, together):
                    rows.append((policy, Path(path).stem, solo[path], t.seconds,
                                 t.seconds / solo[path], before))

    print(f"\n| {THREADS_ENV} | notebook | alone | two at once | ratio | load before |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    for policy, name, alone, both, ratio, before in rows:
        print(f"| {policy} | {name} | {alone:.1f} s | {both:.1f} s | {ratio:.1f}x | "
              f"{before.removeprefix('load ')} |")
    worst = {}
    for policy, *_, ratio, _before in rows:
        worst[policy] = max(worst.get(policy, 0.0), ratio)
    for policy in args.policy:
        ratios = [row[4] for row in rows if row[0] == policy]
        verdict = "MET" if worst[policy] <= TARGET else "MISSED"
        print(f"{THREADS_ENV}={policy}: median {statistics.median(ratios):.1f}x, worst "
              f"{worst[policy]:.1f}x -> target {TARGET}x {verdict}")
    return 0 if all(w <= TARGET for w in worst.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
