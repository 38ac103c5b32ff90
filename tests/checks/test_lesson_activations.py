"""Lesson 05 (activations): each check accepts its reference and names the mistake in realistic wrong answers."""

import torch
from checkhelpers import assert_accepts_reference, stub, verdict, wrong
from torch.nn import functional as F

from cnncourse.course.exercises import NOT_ATTEMPTED
from cnncourse.lessons.activations import check


def test_nb05_relu():
    c = check.relu
    assert_accepts_reference(c)
    assert verdict(c, stub).status == NOT_ATTEMPTED

    def in_place(x):
        x[x < 0] = 0
        return x

    wrong(c, in_place, "in place")
    wrong(c, lambda x: x > 0, "True/False mask")
    wrong(c, lambda x: x.clamp(max=0), "clamp(min=0)")
    wrong(c, lambda x: x.abs(), "|x|")
    wrong(c, torch.sigmoid, "sigmoid")


def test_nb05_relu_grad():
    c = check.relu_grad
    assert_accepts_reference(c)
    wrong(c, lambda x: x > 0, "True/False mask")
    wrong(c, torch.relu, "returned relu(x) itself")
    wrong(c, torch.sign, "sign of x")
    wrong(c, lambda x: torch.sigmoid(x) * (1 - torch.sigmoid(x)), "sigmoid's")


def test_nb05_relu_grad_rejects_slope_one_at_zero():
    # The text says the slope at exactly 0 is 0 (PyTorch's convention): the check's inputs
    # contain exact zeros, so (x >= 0) is caught and told what is wrong.
    wrong(check.relu_grad, lambda x: (x >= 0).float(), "exactly x = 0", "(x > 0)")
    wrong(check.relu_grad, lambda x: torch.heaviside(x, torch.tensor(1.0)), "exactly x = 0")


def test_nb05_compose_kernels():
    c = check.compose_kernels
    assert_accepts_reference(c)

    def matmul(k1, k2):
        return k1 @ k2

    def unflipped(k1, k2):
        a, b = k2.shape
        return F.conv2d(F.pad(k1[None, None], (b - 1, b - 1, a - 1, a - 1)), k2[None, None])[0, 0]

    def elementwise_padded(k1, k2):
        return F.pad(k1 * k2, (1, 1, 1, 1))

    def fixed_padding(k1, k2):  # right for 3x3 + 3x3 only
        return F.conv2d(k1[None, None], torch.flip(k2, dims=(0, 1))[None, None], padding=2)[0, 0]

    wrong(c, matmul, "must be 5x5")
    wrong(c, unflipped, "mirrored")
    wrong(c, elementwise_padded, "does not reproduce the two steps")
    wrong(c, fixed_padding, "3x3 followed by a 2x2")
