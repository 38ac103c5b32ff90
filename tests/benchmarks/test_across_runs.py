"""``benchmarks/across_runs.py`` runs a notebook per seed and reports every claim and verdict."""

import importlib.util
import json
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("across_runs", ROOT / "benchmarks" / "across_runs.py")
across_runs = importlib.util.module_from_spec(spec)
sys.modules["across_runs"] = across_runs
spec.loader.exec_module(across_runs)


def _records(seed, holds=True):
    return [{"kind": "claim", "statement": "same outputs", "holds": holds, "detail": ""},
            {"kind": "compare", "metric": "validation accuracy", "a": "A", "acc_a": 0.5,
             "b": "B", "acc_b": 0.4 + 0.1 * seed, "n": 1000, "noise": 0.044,
             "verdict": "A higher" if seed == 0 else "no clear difference"}]


def test_report_lists_each_claim_and_verdict_per_run(tmp_path):
    results = [{"notebook": "05_x", "data": data, "seed": seed, "rc": 0 if holds else 1,
                "seconds": 10.0, "error": "" if holds else "ClaimError: same outputs",
                "records": _records(seed, holds)}
               for data, seed, holds in [("stand-in", 0, True), ("stand-in", 1, True),
                                         ("real", 0, False)]]
    out = tmp_path / "report.md"
    summary = across_runs.report(results, [0, 1], out, "python benchmarks/across_runs.py x")
    text = out.read_text()
    assert summary == "3 runs, 1 stopped; 2 of 3 claims held."
    assert "| same outputs | **FALSE** | holds | holds |" in text
    assert "50.0% vs 40.0% ±4.4 -> A higher" in text and "-> no clear difference" in text
    assert "**stopped** (ClaimError: same outputs)" in text


def test_a_run_passes_the_seed_and_logs_claims_and_comparisons(tmp_path):
    # A one-cell notebook: the notebook's torch.manual_seed(0) becomes 0 + 2 (the original,
    # torch.random.manual_seed, is not shifted), and claim() and compare() are logged.
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import torch\n"
        "from cnncourse.course.claims import claim, compare\n"
        "torch.manual_seed(0)\n"
        "shifted = torch.rand(3)\n"
        "torch.random.manual_seed(2)\n"
        "claim('the seed arrived', torch.equal(shifted, torch.rand(3)))\n"
        "compare('A', 0.6, 'B', 0.4, 500, noise_floor=0.01)")]
    path = tmp_path / "99_tiny.ipynb"
    nbformat.write(nb, path)
    result = across_runs.run_one(path, 2, "stand-in", None, tmp_path, {}, None, timeout=300)
    assert result["rc"] == 0, result["error"]
    kinds = [(r["kind"], r.get("holds"), r.get("verdict")) for r in result["records"]]
    assert kinds == [("claim", True, None), ("compare", None, "A higher")]
    assert abs(result["records"][1]["noise"] - 2 * (0.24 / 500) ** 0.5 * 2 ** 0.5) < 1e-9
    assert json.loads(json.dumps(result))["seed"] == 2
