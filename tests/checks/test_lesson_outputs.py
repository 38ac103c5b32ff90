"""Lesson 06 (outputs): each check accepts its reference and names the mistake in realistic wrong answers."""

import pytest
import torch
from checkhelpers import assert_accepts_reference, stub, verdict, wrong
from torch import nn
from torch.nn import functional as F

from cnncourse.course.exercises import NOT_ATTEMPTED
from cnncourse.lessons.outputs import check, flatten_size


def _real_features(h, w, c, p):
    """Features after p blocks of (3x3 'same' conv, 2x2 max-pool), from real layers."""
    layers = []
    for i in range(p):
        layers += [nn.Conv2d(3 if i == 0 else c, c, 3, padding=1), nn.MaxPool2d(2)]
    return torch.flatten(nn.Sequential(*layers)(torch.zeros(1, 3, h, w)), 1).shape[1]


@pytest.mark.parametrize("h, w", [(32, 32), (28, 28), (31, 45), (64, 20), (9, 9)])
@pytest.mark.parametrize("c, p", [(4, 1), (8, 2), (5, 3)])
def test_flatten_size_reference_matches_real_layers(h, w, c, p):
    assert flatten_size(h, w, c, p) == _real_features(h, w, c, p)


def test_nb06_flatten_size():
    c = check.flatten_size
    assert_accepts_reference(c)

    def no_channels(h, w, c, p):
        return (h // 2 ** p) * (w // 2 ** p)

    def divides_by_2p(h, w, c, p):
        return c * (h // (2 * p)) * (w // (2 * p))

    def square_only(h, w, c, p):
        return c * (h // 2 ** p) ** 2

    def rounds_up(h, w, c, p):
        return c * -(-h // 2 ** p) * -(-w // 2 ** p)

    def float_division(h, w, c, p):
        return c * (h / 2 ** p) * (w / 2 ** p)

    wrong(c, no_channels, "forgot the channels")
    wrong(c, divides_by_2p, "not by 2*p")
    wrong(c, square_only, "used one side twice")
    wrong(c, rounds_up, "rounded up")
    wrong(c, float_division, "Use // 2")


def test_nb06_softmax_cross_entropy():
    c = check.softmax_cross_entropy
    assert_accepts_reference(c)
    assert verdict(c, stub).status == NOT_ATTEMPTED

    def naive(logits, y):
        p = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
        return -p[torch.arange(len(y)), y].log().mean()

    def per_example(logits, y):
        shifted = logits - logits.max(dim=1, keepdim=True).values
        return shifted.exp().sum(dim=1).log() - shifted[torch.arange(len(y)), y]

    def no_log(logits, y):
        return -F.softmax(logits, dim=1)[torch.arange(len(y)), y].mean()

    def summed(logits, y):
        return per_example(logits, y).sum()

    def batch_dim(logits, y):
        shifted = logits - logits.max(dim=0, keepdim=True).values      # normalised per column
        log_p = shifted - shifted.exp().sum(dim=0, keepdim=True).log()
        return -log_p[torch.arange(len(y)), y].mean()

    wrong(c, naive, "exp(1000) overflows")
    wrong(c, per_example, ".mean()")
    wrong(c, no_log, "take the log first")
    wrong(c, summed, "summed over the batch")
    wrong(c, batch_dim, "dim=1")


@pytest.mark.parametrize("shortcut, named", [
    (lambda logits, y: F.cross_entropy(logits, y), "F.cross_entropy"),
    (lambda logits, y: nn.CrossEntropyLoss()(logits, y), "torch.nn.CrossEntropyLoss"),
    (lambda logits, y: F.nll_loss(F.log_softmax(logits, dim=1), y), "F.log_softmax"),
    (lambda logits, y: -torch.log_softmax(logits, 1)[torch.arange(len(y)), y].mean(),
     "torch.log_softmax"),
    (lambda logits, y: -logits.log_softmax(1)[torch.arange(len(y)), y].mean(),
     "Tensor.log_softmax"),
    (lambda logits, y: nn.NLLLoss()(logits - logits.logsumexp(1, keepdim=True), y),
     "torch.nn.NLLLoss"),
    (lambda logits, y: F.nll_loss(logits - logits.logsumexp(1, keepdim=True), y), "F.nll_loss"),
])
def test_nb06_softmax_cross_entropy_rejects_the_builtin_losses(shortcut, named):
    wrong(check.softmax_cross_entropy, shortcut, f"you called {named}", "whole job")
    logits, y = torch.randn(3, 4), torch.tensor([0, 1, 2])
    assert torch.isfinite(F.cross_entropy(logits, y))                # restored after the check
    assert torch.isfinite(logits.log_softmax(1)).all()


@pytest.mark.parametrize("shifted", [True, False])
def test_nb06_softmax_cross_entropy_with_an_n_by_n_pick_is_named(shifted):
    def all_pairs(logits, y):
        s = logits - logits.max(dim=1, keepdim=True).values if shifted else logits
        return (s.exp().sum(dim=1).log() - s[:, y]).mean()   # s[:, y] is (N, N)

    wrong(check.softmax_cross_entropy, all_pairs, "logits[:, y]", "N x N",
          "torch.arange(len(y))")
