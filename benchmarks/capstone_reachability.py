"""Capstone reachability: does the reference solution meet each target, and the baseline none?

    python benchmarks/capstone_reachability.py                    # the stand-in, 3 seeds
    python benchmarks/capstone_reachability.py --real DATA_DIR    # also the real data there
    python benchmarks/capstone_reachability.py --datasets mnist --seeds 1

Before every run it measures this machine's speed (``capstone.measure_speed``, a few
seconds of the baseline), turns the target's budget in baseline steps into seconds, and
trains within it (``capstone.train_within_budget``): the course's SimpleCNN baseline with
``capstone.BASELINE_RECIPE`` (notebook 08's recipe), and the reference solution
(``cnncourse.lessons.capstone.build_model``, built from the checklist: conv-BN-ReLU blocks,
global average pooling; trained with augmentation, AdamW, weight decay and one-cycle, the
trainer's defaults). It prints one row per run and a summary per dataset: mean and spread of
validation accuracy, the standard error of one accuracy on that many validation images, the
target, and how far the target sits from each model's reach.

``--real DATA_DIR`` loads MNIST and CIFAR-10 from that folder (a cnncourse data folder; the
real-data kit's subsets need its checksum patch on PYTHONPATH, as its run-notebooks does).
Fashion-MNIST is used only where its files are there. Nothing else depends on that folder.

The figures behind ``capstone.TARGETS`` (the targets' own notes, kept here with the
benchmark that measured them):

Measured with this benchmark on a quiet 2-core CPU (one torch thread,
the machine's speed measured right before each run): the SimpleCNN baseline
(:data:`BASELINE_RECIPE`) and the checklist-built reference
(``cnncourse.lessons.capstone.build_model`` with the trainer's defaults, flips for photos
only) trained within each budget on the stand-in and on the real MNIST and CIFAR-10 subsets
of the course's real-data kit (8,000 digits; 4,660 photos). Seeds 0-2, validation accuracy
(baseline | reference), every run within its budget:

- CIFAR-10, 1,200 steps: real 49.6-53.4% | 63.3-63.5%; stand-in 72.6-75.0% | 89.5-90.9%.
- MNIST, 300 steps: real 97.9-98.0% | 99.1-99.4%; stand-in 98.2-99.1% | 99.7-99.9%.
- Fashion-MNIST, 300 steps, stand-in: 90.9-92.9% | 94.8-96.1%.

Each target sits between the two: on CIFAR-10 at least 2 standard errors of one accuracy
from either side (2.3 points on 466 real validation images, 1.2 on the stand-in's 1,000);
the digit and garment models are closer, and the margins are 0.7-2 standard errors (0.4
points on 800 real digits, 0.2 on the stand-in's digits, 0.7 on its garments). Seeds 3-5
(MNIST) and 3-11 (garments; the reference's 6-11) agreed: no baseline run met a target (best
98.5% real MNIST, 99.3% stand-in, 94.2% garments) and every reference run did (worst 99.0%,
99.6%, 94.9%). Measure speed when the machine is as busy as it will be while training: where
the load changed after the measurement, a run got more steps than its budget meant (the
benchmark prints the steps), and a baseline with 30% more steps reached 94.1% on the
garments. Fashion-MNIST's real files are not in the kit: its real target (90%) is not
measured here. The full datasets give both models more distinct images for the same steps,
so expect higher scores there than on the subsets.

The figures above were measured with AdamW's weight decay at 5e-4, which shrinks each weight
by lr x 5e-4 per step, almost nothing. The default is now 0.05; re-measured with seed 0 on a
busy machine, the reference met every target as before: CIFAR-10 real 63.3%, stand-in 89.1%;
MNIST real 99.5%, stand-in 99.9% (baselines 50.6%, 72.8%, 98.4%, 99.2%, none met).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time

import torch

from cnncourse import data as cdata
from cnncourse.lessons.capstone import build_model
from cnncourse.models import SimpleCNN, count_parameters
from cnncourse.recipes import capstone


def _models(data):
    C, H, _ = data.info["shape"]
    K = len(data.classes)
    return {"baseline": (lambda: SimpleCNN(in_channels=C, num_classes=K, image_size=H),
                         capstone.BASELINE_RECIPE),
            "reference": (lambda: build_model(C, K), {"flip": data.name == "cifar10"})}


def run_one(data, key, synthetic, seed, units=None):
    target = capstone.TARGETS[key]
    rows = []
    for who, (make, recipe) in _models(data).items():
        # Measured right before each run, so a change in the machine's load between runs
        # does not hand one model more steps than its budget means.
        speed = capstone.measure_speed(data)
        budget = speed.seconds_per_step * units if units else target.budget(speed)
        torch.manual_seed(seed)
        model = make()
        run = capstone.train_within_budget(model, data, budget, **recipe)
        verdict = capstone.meets_brief(key, run.val_accuracy, run.seconds, synthetic, budget)
        row = {"data": "stand-in" if synthetic else "real", "dataset": key, "seed": seed,
               "model": who, "val_accuracy": run.val_accuracy, "seconds": run.seconds,
               "budget_s": budget, "ms_per_unit": speed.seconds_per_step * 1000,
               "epochs": run.epochs, "steps": run.steps, "stopped": run.stopped,
               "params": count_parameters(model), "n_val": len(data.val),
               "meets": bool(verdict), "verdict": str(verdict)}
        rows.append(row)
        print(f"{row['data']:8} {key:13} seed {seed} {who:9} val {run.val_accuracy:6.1%}  "
              f"{run.seconds:6.1f} s of {budget:6.1f} s ({row['ms_per_unit']:.0f} ms/unit)  "
              f"{run.steps:5d} steps {run.epochs:5.1f} epochs  meets: {'yes' if verdict else 'no'}", flush=True)
        print("JSON " + json.dumps(row), flush=True)
    return rows


def summary(rows):
    """One line per (data, dataset, budget in units): reach of each model, noise, target,
    margins. A group without runs of both models is left out."""
    out = ["", "| data | dataset | budget (units) | target | baseline: val acc (mean, max) "
           "| reference: val acc (mean, min) | SE of one accuracy | target - baseline max "
           "| reference min - target | seconds <= budget | reference meets | baseline meets |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    groups = {}
    for r in rows:
        units = round(r["budget_s"] / (r["ms_per_unit"] / 1000))   # the budget the run had
        groups.setdefault((r["data"], r["dataset"], units), []).append(r)
    for (src, key, units), rs in groups.items():
        target = capstone.TARGETS[key]
        goal = target.goal(src == "stand-in")
        base = [r["val_accuracy"] for r in rs if r["model"] == "baseline"]
        ref = [r["val_accuracy"] for r in rs if r["model"] == "reference"]
        if not base or not ref:
            continue
        p = statistics.mean(base + ref) if base + ref else 0.5
        se = math.sqrt(max(goal or p, 1e-3) * (1 - (goal or p)) / rs[0]["n_val"])
        within = all(r["seconds"] <= r["budget_s"] for r in rs)
        out.append(
            f"| {src} | {key} | {units} | {goal:.1%} | {statistics.mean(base):.1%}, "
            f"{max(base):.1%} | {statistics.mean(ref):.1%}, {min(ref):.1%} | {se:.1%} "
            f"| {goal - max(base):+.1%} | {min(ref) - goal:+.1%} | {'yes' if within else 'NO'} "
            f"| {sum(r['meets'] for r in rs if r['model'] == 'reference')}/{len(ref)} "
            f"| {sum(r['meets'] for r in rs if r['model'] == 'baseline')}/{len(base)} |")
    return "\n".join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real", default=None, help="a data folder with real MNIST/CIFAR-10")
    parser.add_argument("--datasets", default="cifar10,mnist,fashion_mnist")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--only-seed", type=int, default=None,
                        help="run this one seed (to spread the seeds over processes)")
    parser.add_argument("--units", type=int, default=None,
                        help="try another budget in baseline steps (default: the target's)")
    parser.add_argument("--no-standin", action="store_true")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--from-log", default=None,
                        help="re-print the summary from logs' JSON lines (comma-separated "
                             "paths), judged against the current targets")
    args = parser.parse_args(argv)
    if args.from_log:
        rows = [json.loads(line[5:]) for path in args.from_log.split(",")
                for line in open(path) if line.startswith("JSON ")]
        for r in rows:
            goal = capstone.TARGETS[r["dataset"]].goal(r["data"] == "stand-in")
            r["meets"] = bool(capstone.meets_brief(r["dataset"], r["val_accuracy"],
                                                   r["seconds"], r["data"] == "stand-in",
                                                   r["budget_s"])) and goal is not None
        print(summary(rows))
        return rows
    if args.threads:
        torch.set_num_threads(args.threads)
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    rows, start = [], time.perf_counter()
    roots = ([] if args.no_standin else [None]) + ([args.real] if args.real else [])
    for root in roots:
        for name in names:
            if root is None:
                data = cdata.make_synthetic(name, *cdata.SYNTHETIC_SIZES)
            else:
                try:
                    data = cdata.load_data(name, root=root, download=False, fallback=False,
                                           quick=False)
                except cdata.DataError as err:
                    print(f"real {name}: skipped ({str(err).splitlines()[0]})", flush=True)
                    continue
            seeds = [args.only_seed] if args.only_seed is not None else range(args.seeds)
            for seed in seeds:
                rows += run_one(data, name, data.synthetic, seed, args.units)
    print(summary(rows))
    print(f"\n{len(rows)} runs in {time.perf_counter() - start:.0f} s; torch threads "
          f"{torch.get_num_threads()}", file=sys.stderr)
    return rows


if __name__ == "__main__":
    main()
