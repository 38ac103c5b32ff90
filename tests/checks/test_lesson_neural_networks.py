"""Lesson 02 (neural_networks): each check accepts its reference and names the mistake in realistic wrong answers."""

import pytest
import torch
import torch.nn.functional as F
from checkhelpers import assert_accepts_reference, wrong

from cnncourse.lessons.neural_networks import check


def test_neuron_mistakes():
    c = check.neuron
    wrong(c, lambda x, w, b: torch.relu(x @ w), "forgot the bias")
    wrong(c, lambda x, w, b: x @ w + b, "apply ReLU")
    wrong(c, lambda x, w, b: torch.relu(x * w + b), "did not add the products up")
    wrong(c, lambda x, w, b: torch.relu((x * w).sum() + b), "summed over every element")
    wrong(c, lambda x, w, b: torch.relu(x @ w) + b, "after the ReLU")


def test_softmax_mistakes():
    c = check.softmax
    wrong(c, lambda z: torch.exp(z) / torch.exp(z).sum(dim=1, keepdim=True), "overflows", "nan")
    wrong(c, lambda z: torch.exp(z - z.max(0, keepdim=True).values)
          / torch.exp(z - z.max(0, keepdim=True).values).sum(0, keepdim=True),
          "COLUMNS sum to 1", "dim=1")
    wrong(c, lambda z: torch.exp(z), "did not divide")
    wrong(c, lambda z: torch.exp(z - z.max()) / torch.exp(z - z.max()).sum(1, keepdim=True),
          "each row's own maximum")


def test_sgd_step_mistakes():
    c = check.sgd_step
    wrong(c, lambda w, g, lr: w + lr * g, "WITH the gradient")
    wrong(c, lambda w, g, lr: w - g, "forgot to multiply", "learning rate")
    wrong(c, lambda w, g, lr: lr * g, "only the update")
    wrong(c, lambda w, g, lr: w - 0.1 * g, "lr=0.5")

    def in_place(w, g, lr):
        w -= lr * g
        return w

    wrong(c, in_place, "in place")


@pytest.mark.parametrize("shortcut,name", [
    (lambda z: torch.softmax(z, dim=1), "torch.softmax"),
    (lambda z: z.softmax(dim=1), "Tensor.softmax"),
    (lambda z: F.softmax(z, dim=1), "F.softmax"),
    (lambda z: torch.nn.Softmax(dim=1)(z), "torch.nn.Softmax"),
    (lambda z: torch.special.softmax(z, dim=1), "torch.special.softmax"),
    (lambda z: torch.exp(torch.log_softmax(z, dim=1)), "torch.log_softmax"),
    (lambda z: z.log_softmax(dim=1).exp(), "Tensor.log_softmax"),
    (lambda z: F.log_softmax(z, dim=1).exp(), "F.log_softmax"),
    (lambda z: torch.nn.LogSoftmax(dim=1)(z).exp(), "torch.nn.LogSoftmax"),
])
def test_softmax_rejects_builtin_shortcuts(shortcut, name):
    wrong(check.softmax, shortcut, f"you called {name}", "build softmax yourself")


def test_softmax_shortcuts_are_restored_and_honest_answers_pass():
    built_in = torch.softmax
    assert_accepts_reference(check.softmax)
    # exp(z - logsumexp) is a stable softmax made of simpler operations: it passes.
    assert check.softmax.passed(lambda z: torch.exp(z - z.logsumexp(dim=1, keepdim=True)))
    wrong(check.softmax, lambda z: torch.softmax(z, dim=1), "torch.softmax")
    assert torch.softmax is built_in and F.softmax(torch.zeros(1, 2), dim=1).sum() == 1
    assert torch.zeros(1, 2).softmax(dim=1).sum() == 1


def test_softmax_with_the_max_over_the_batch_is_named():
    # Rows sum to 1, so "divide by the sum of exp(logits)" would be the wrong advice.
    def column_max(logits):
        e = torch.exp(logits - logits.max(dim=0, keepdim=True).values)
        return e / e.sum(dim=1, keepdim=True)

    wrong(check.softmax, column_max, "maximum of each COLUMN", "dim=1")
