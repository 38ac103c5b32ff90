"""Do the notebooks' claims hold in every run? Run notebooks several times and report each claim.

Runs each notebook in full mode, offline, once per seed (``CNNCOURSE_SEED=0, 1, ...`` shifts
every seed the notebook sets, see ``across_runs_kernel.py``), on the built-in stand-in
and, when ``--real DIR`` names a folder of real data in torchvision's layout, on that data
too. Every ``claim()`` and ``compare()`` a run makes is logged (``CNNCOURSE_CLAIMS_LOG``);
the report lists them per run, and a notebook that stops on a false claim shows its error.

    python benchmarks/across_runs.py notebooks/05_*.ipynb notebooks/08_*.ipynb \\
        --seeds 3 [--real DIR] [--out docs/across-runs.md] [--work build/across-runs]

A real-data folder may need its own checksums: ``--real-env KEY=VALUE`` (repeatable) and
``--real-pythonpath DIR`` are passed to the real-data runs only. Results are kept in
``WORK/results.json`` after every run, so an interrupted sweep resumes where it stopped and
``--report-only`` rewrites the report from what has run so far.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNEL_STARTUP = Path(__file__).with_name("across_runs_kernel.py")  # seeds and the claims log


def run_one(notebook: Path, seed: int, data: str, real: Path | None, work: Path,
            real_env: dict[str, str], real_pythonpath: str | None, timeout: int) -> dict:
    """Execute one notebook once; return its claims, comparisons, status and seconds."""
    tag = f"{notebook.stem}-{data}-seed{seed}"
    log = work / f"{tag}.claims.jsonl"
    log.unlink(missing_ok=True)
    startup = work / "ipython" / "profile_default" / "startup"   # the kernel runs it first
    startup.mkdir(parents=True, exist_ok=True)
    shutil.copy(KERNEL_STARTUP, startup / "00-across-runs.py")
    env = dict(os.environ, CNNCOURSE_SEED=str(seed), CNNCOURSE_CLAIMS_LOG=str(log),
               IPYTHONDIR=str(work / "ipython"), CNNCOURSE_OFFLINE="1", CNNCOURSE_QUICK="0",
               MPLBACKEND="agg")
    with tempfile.TemporaryDirectory() as tmp:
        if real is not None:
            shutil.copytree(real, Path(tmp) / "data")
            for path in (Path(tmp) / "data").rglob("*"):
                path.chmod(0o755 if path.is_dir() else 0o644)
            env["CNNCOURSE_DATA"] = str(Path(tmp) / "data")
            env.update(real_env)
            if real_pythonpath:
                env["PYTHONPATH"] = os.pathsep.join(filter(None, [real_pythonpath,
                                                                  env.get("PYTHONPATH")]))
        else:
            env["CNNCOURSE_DATA"] = tmp
        start = time.time()
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                 f"--ExecutePreprocessor.timeout={timeout}", "--output-dir", str(work),
                 "--output", tag, str(notebook)],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout + 120)
            rc, err = proc.returncode, proc.stderr
        except subprocess.TimeoutExpired:
            rc, err = 124, f"timed out after {timeout} s"
    seconds = round(time.time() - start, 1)
    records = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    error = ""
    if rc != 0:
        lines = [line for line in err.splitlines() if "Error" in line]
        error = (lines[-1] if lines else err.strip().splitlines()[-1:] or ["?"])
        error = error if isinstance(error, str) else error[0]
    return {"notebook": notebook.stem, "data": data, "seed": seed, "rc": rc,
            "seconds": seconds, "error": error[:300], "records": records}


def _row(record: dict) -> tuple[str, str]:
    if record["kind"] == "claim":
        return record["statement"], "holds" if record["holds"] else "**FALSE**"
    what = f"{record['metric']}: {record['a']} vs {record['b']}"
    figures = (f"{record['acc_a']:.1%} vs {record['acc_b']:.1%} ±{100 * record['noise']:.1f} "
               f"-> {record['verdict']}")
    return what, figures


def report(results: list[dict], seeds: list[int], out: Path, command: str) -> str:
    """Markdown: per notebook, one row per claim or comparison, one column per run."""
    runs = sorted({(r["data"], r["seed"]) for r in results})
    lines = ["# Claims across runs", "",
             f"Written by `{command}`. Each notebook ran in full mode, offline, once per seed "
             f"(`CNNCOURSE_SEED` = {', '.join(map(str, seeds))}) on the built-in stand-in"
             + (" and on the real-data folder" if any(d == "real" for d, _ in runs) else "")
             + ". A claim either holds or stops the notebook (**FALSE**); a comparison prints "
               "its verdict with the noise of its run, and the text around it is written to "
               "be true whatever the verdict.", ""]
    total = held = failed_runs = 0
    for notebook in sorted({r["notebook"] for r in results}):
        mine = {(r["data"], r["seed"]): r for r in results if r["notebook"] == notebook}
        cols = [run for run in runs if run in mine]
        lines += [f"## {notebook}", "",
                  "| claim or comparison | " + " | ".join(f"{d} seed {s}" for d, s in cols) + " |",
                  "|---|" + "---|" * len(cols)]
        order: list[str] = []
        cells: dict[str, dict] = {}
        for col in cols:
            seen: dict[str, int] = {}
            for record in mine[col]["records"]:
                what, value = _row(record)
                seen[what] = seen.get(what, 0) + 1
                key = what if seen[what] == 1 else f"{what} ({seen[what]})"
                if key not in cells:
                    order.append(key)
                    cells[key] = {}
                cells[key][col] = value
                if record["kind"] == "claim":
                    total += 1
                    held += bool(record["holds"])
        for key in order:
            lines.append(f"| {key} | " + " | ".join(cells[key].get(c, "not reached")
                                                   for c in cols) + " |")
        status = []
        for col in cols:
            r = mine[col]
            ok = "ok" if r["rc"] == 0 else f"**stopped** ({r['error']})"
            failed_runs += r["rc"] != 0
            status.append(f"{col[0]} seed {col[1]}: {ok}, {r['seconds']:.0f} s")
        lines += ["", "Runs: " + "; ".join(status) + ".", ""]
    summary = (f"{len(results)} runs, {failed_runs} stopped; {held} of {total} claims held.")
    lines[2:2] = [f"**Summary:** {summary}", ""]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--seeds", type=int, default=3, help="runs per notebook and dataset")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="the first CNNCOURSE_SEED (to split a sweep over two processes)")
    parser.add_argument("--real", type=Path, help="a real-data folder (torchvision layout)")
    parser.add_argument("--real-env", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--real-pythonpath")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "across-runs.md")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "across-runs")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per notebook run")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.first_seed < 0:
        parser.error("--seeds must be at least 1 and --first-seed at least 0")
    if args.real is not None and not args.real.is_dir():
        parser.error(f"--real {args.real}: not a folder. Pass a folder of real data in "
                     "torchvision's layout (MNIST/raw/, cifar-10-batches-py/), or leave it out.")
    real_env = dict(item.split("=", 1) for item in args.real_env)
    args.work = args.work.resolve()      # the notebook's kernel runs in notebooks/, not here
    args.work.mkdir(parents=True, exist_ok=True)
    store = args.work / "results.json"
    results = json.loads(store.read_text()) if store.exists() else []
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    datasets = [("stand-in", None)] + ([("real", args.real)] if args.real else [])
    command = "python benchmarks/across_runs.py " + " ".join(
        str(a) for a in (argv if argv is not None else sys.argv[1:]))
    if not args.report_only:
        # Seeds outermost: an interrupted sweep has covered every notebook on both data sets.
        for seed in seeds:
            for notebook in args.notebooks:
                for data, folder in datasets:
                    if any(r["notebook"] == notebook.stem and r["data"] == data
                           and r["seed"] == seed for r in results):
                        continue
                    result = run_one(notebook, seed, data, folder, args.work, real_env,
                                     args.real_pythonpath, args.timeout)
                    results.append(result)
                    store.write_text(json.dumps(results, indent=1))
                    claims = [r for r in result["records"] if r["kind"] == "claim"]
                    print(f"{notebook.stem} {data} seed {seed}: exit {result['rc']} in "
                          f"{result['seconds']:.0f} s, {sum(r['holds'] for r in claims)}/"
                          f"{len(claims)} claims held, "
                          f"{len(result['records']) - len(claims)} comparisons", flush=True)
    wanted = {n.stem for n in args.notebooks}
    summary = report([r for r in results if r["notebook"] in wanted], seeds, args.out, command)
    print(f"{summary} Report: {args.out}")
    return 0 if all(r["rc"] == 0 for r in results if r["notebook"] in wanted) else 1


if __name__ == "__main__":
    raise SystemExit(main())
