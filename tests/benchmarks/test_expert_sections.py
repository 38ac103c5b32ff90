"""``benchmarks/expert_sections.py`` repeats notebook 10's short sections and counts verdicts."""

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from cnncourse.data.loader import TensorLoader

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("expert_sections",
                                              ROOT / "benchmarks" / "expert_sections.py")
expert_sections = importlib.util.module_from_spec(spec)
sys.modules["expert_sections"] = expert_sections
spec.loader.exec_module(expert_sections)


def _data(n_train=96, n_val=64):
    g = torch.Generator().manual_seed(0)
    split = lambda n: SimpleNamespace(X=torch.randn(n, 3, 32, 32, generator=g),  # noqa: E731
                                      y=torch.randint(0, 10, (n,), generator=g))
    return SimpleNamespace(train=split(n_train), val=split(n_val), synthetic=True)


def test_an_unknown_setting_is_refused_with_the_names_it_takes(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["expert_sections.py", "skips", "--set", "depth=9"])
    with pytest.raises(SystemExit):
        expert_sections.main()
    err = capsys.readouterr().err
    assert "unknown setting 'depth'" in err and "deep_blocks" in err


@pytest.mark.parametrize("section", ["skips", "augment", "optim"])
def test_each_section_returns_its_comparisons_with_a_verdict_and_the_lesson(section):
    data = _data()
    val = TensorLoader(data.val.X, data.val.y, 32)
    settings = dict(expert_sections.DEFAULTS, deep_images=64, deep_epochs=1, deep_blocks=2,
                    reg_images=48, reg_epochs=1, opt_images=64, opt_epochs=1)
    rows = expert_sections.SECTIONS[section](data, val, 64, 0, settings, "stand-in")
    assert len(rows) >= 2
    for what, verdict, lesson in rows:
        assert "lesson" in what or lesson == ""
        assert verdict == "no clear difference" or verdict.endswith(" higher")
        assert lesson == "" or lesson.endswith(" higher")
