"""Lesson 02 (neural_networks): each check accepts its reference and names the mistake in realistic wrong answers."""

import torch
from checkhelpers import wrong

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
