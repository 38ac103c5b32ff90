"""Lesson 06 (outputs): each check accepts its reference and names the mistake in realistic wrong answers."""

import torch
from checkhelpers import assert_accepts_reference, stub, verdict, wrong
from torch.nn import functional as F

from cnncourse.exercises import NOT_ATTEMPTED
from cnncourse.lessons.outputs import check


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
    wrong(c, float_division, "use // 2")


def test_nb06_softmax_cross_entropy():
    c = check.softmax_cross_entropy
    assert_accepts_reference(c)
    assert verdict(c, stub).status == NOT_ATTEMPTED

    def naive(logits, y):
        p = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
        return -p[torch.arange(len(y)), y].log().mean()

    def per_example(logits, y):
        return F.cross_entropy(logits, y, reduction="none")

    def no_log(logits, y):
        return -F.softmax(logits, dim=1)[torch.arange(len(y)), y].mean()

    def summed(logits, y):
        return F.cross_entropy(logits, y, reduction="sum")

    def batch_dim(logits, y):
        return -F.log_softmax(logits, dim=0)[torch.arange(len(y)), y].mean()

    wrong(c, naive, "exp(1000) overflows")
    wrong(c, per_example, ".mean()")
    wrong(c, no_log, "take the log first")
    wrong(c, summed, "summed over the batch")
    wrong(c, batch_dim, "dim=1")
