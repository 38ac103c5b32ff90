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
        with forbid((torch, "softmax"), (torch.Tensor, "softmax")):
            torch.softmax(torch.zeros(2), dim=0)
    assert torch.softmax is original
    with pytest.raises(Mistake, match="Tensor.softmax"):
        with forbid((torch, "softmax"), (torch.Tensor, "softmax")):
            torch.zeros(2).softmax(0)
    assert torch.zeros(2).softmax(0).sum().item() == pytest.approx(1.0)
