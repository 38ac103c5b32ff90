"""``benchmarks/capstone_reachability.py`` gives each run the budget its own machine speed means."""

import importlib.util
import sys
from pathlib import Path

from cnncourse import data as cdata
from cnncourse.recipes import capstone

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location(
    "capstone_reachability", ROOT / "benchmarks" / "capstone_reachability.py")
reach = importlib.util.module_from_spec(spec)
sys.modules["capstone_reachability"] = reach
spec.loader.exec_module(reach)


def test_speed_is_measured_right_before_each_models_run(monkeypatch):
    data = cdata.make_synthetic("mnist", 256, 128)
    events = []

    def measure_speed(data):
        # the machine gets slower with every measurement: 10 ms, then 30 ms per step
        per_step = 0.01 if not any(e[0] == "speed" for e in events) else 0.03
        events.append(("speed", per_step))
        return capstone.Speed(seconds_per_step=per_step, steps=5, seconds=0.1)

    def train_within_budget(model, data, seconds, **recipe):
        events.append(("train", seconds))
        return capstone.BudgetRun(val_accuracy=0.99, seconds=seconds * 0.9, epochs=1.0,
                                  steps=10, budget_s=seconds, stopped="budget")

    monkeypatch.setattr(capstone, "measure_speed", measure_speed)
    monkeypatch.setattr(capstone, "train_within_budget", train_within_budget)
    rows = reach.run_one(data, "mnist", True, seed=0, units=100)
    assert [e[0] for e in events] == ["speed", "train", "speed", "train"]
    assert [r["model"] for r in rows] == ["baseline", "reference"]
    # each model's budget is 100 steps at the speed measured just before it
    assert [round(r["budget_s"], 6) for r in rows] == [1.0, 3.0]
    assert [round(e[1], 6) for e in events if e[0] == "train"] == [1.0, 3.0]


def test_summary_counts_who_meets_the_target_and_checks_the_budget():
    goal = capstone.TARGETS["mnist"].goal(True)

    def row(model, acc, seconds=9.0):
        return {"data": "stand-in", "dataset": "mnist", "model": model, "val_accuracy": acc,
                "seconds": seconds, "budget_s": 10.0, "ms_per_unit": 100.0, "n_val": 1000,
                "meets": acc >= goal and seconds <= 10.0}

    rows = [row("baseline", goal - 0.01), row("reference", goal + 0.001),
            row("reference", goal + 0.002, seconds=10.5)]
    line = reach.summary(rows).splitlines()[-1]
    assert line.startswith("| stand-in | mnist | 100 |")
    # the run past its budget is flagged, and it does not count as meeting the brief
    assert "| NO | 1/2 | 0/1 |" in line
