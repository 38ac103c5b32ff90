"""``claim`` prints a notebook's statement and fails loudly when it is false."""

import pytest
import torch

from cnncourse.course.claims import ClaimError, claim
from cnncourse.course.exercises import Mistake, forbid


def test_true_claim_prints_like_a_print(capsys):
    claim("same outputs", torch.allclose(torch.ones(3), torch.ones(3)), "max difference 0")
    assert capsys.readouterr().out == "same outputs: True (max difference 0)\n"


def test_false_claim_raises_and_still_prints(capsys):
    with pytest.raises(ClaimError, match="'identical'.*no longer matches"):
        claim("identical", torch.equal(torch.zeros(2), torch.ones(2)))
    assert capsys.readouterr().out == "identical: False\n"


def test_bad_claims_get_clear_errors():
    with pytest.raises(TypeError, match="one-element tensor"):
        claim("all equal", torch.ones(3) == torch.ones(3))
    with pytest.raises(ValueError, match="non-empty string"):
        claim("", True)


def test_forbid_blocks_builtins_and_restores_them():
    original = torch.softmax
    with pytest.raises(Mistake, match="torch.softmax, which does the whole job"):
        with forbid("torch.softmax", "torch.Tensor.softmax"):
            torch.softmax(torch.zeros(2), dim=0)
    assert torch.softmax is original
    with pytest.raises(Mistake, match="Tensor.softmax"):
        with forbid("torch.softmax", "torch.Tensor.softmax"):
            torch.zeros(2).softmax(0)
    assert torch.zeros(2).softmax(0).sum().item() == pytest.approx(1.0)


def test_compare_says_no_clear_difference_inside_the_noise(capsys):
    from cnncourse.course.claims import NO_CLEAR_DIFFERENCE, compare

    # 44% vs 48% on 1,000 images: 2 standard errors are about 4.4 points.
    assert compare("with ReLUs", 0.44, "without", 0.48, 1000) == NO_CLEAR_DIFFERENCE
    out = capsys.readouterr().out
    assert "44.0% vs without 48.0% on 1,000 images" in out and "no clear difference" in out
    assert compare("A", 0.60, "B", 0.40, 1000, note="stand-in") == "A higher"
    assert compare("A", 0.40, "B", 0.60, 1000) == "B higher"
    assert "stand-in" in capsys.readouterr().out


def test_standard_error_rejects_percentages_and_bad_counts():
    from cnncourse.course.claims import standard_error

    assert abs(standard_error(0.5, 100) - 0.05) < 1e-12
    with pytest.raises(ValueError, match="Pass 0.42 for 42%"):
        standard_error(42, 100)
    with pytest.raises(ValueError, match="positive int"):
        standard_error(0.5, 0)


def test_compare_takes_a_rerun_gap_as_a_floor_for_the_noise(capsys):
    from cnncourse.course.claims import compare

    # 8 points apart on 2,000 images: clear by the standard error alone (about ±2.9) ...
    assert compare("A", 0.48, "B", 0.40, 2000) == "A higher"
    assert "(2 standard errors)" in capsys.readouterr().out
    # ... but not when a repeated run of the same setting moved by 5 points.
    assert compare("A", 0.48, "B", 0.40, 2000, noise_floor=0.05) == "no clear difference"
    out = capsys.readouterr().out
    assert "noise ±10.0 (2 x the rerun gap)" in out
    # A floor below the standard error changes nothing.
    assert compare("A", 0.48, "B", 0.40, 2000, noise_floor=0.001) == "A higher"
    with pytest.raises(ValueError, match="noise_floor must be a fraction"):
        compare("A", 0.48, "B", 0.40, 2000, noise_floor=5)


def test_forbid_skips_names_that_do_not_exist_here():
    # An optional library, or an older layout of one, leaves nothing to forbid.
    with forbid("torch.no_such_function", "no_such_module.f", "torch.softmax"):
        with pytest.raises(Mistake, match="torch.softmax"):
            torch.softmax(torch.zeros(2), dim=0)
    assert torch.softmax(torch.zeros(2), dim=0).sum().item() == pytest.approx(1.0)
