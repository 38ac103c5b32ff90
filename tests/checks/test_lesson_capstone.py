"""Lesson 12 (capstone): each check accepts its reference and names the mistake in realistic wrong answers."""

import torch
from checkhelpers import assert_accepts_reference, verdict, wrong
from torch import nn

from cnncourse.course.exercises import CORRECT
from cnncourse.lessons.capstone import check


def test_build_model_mistakes():
    chk = check.build_model

    def fixed_size(c=3, k=10):
        return nn.Sequential(nn.Conv2d(c, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(8 * 16 * 16, k))

    def with_softmax(c=3, k=10):
        return nn.Sequential(nn.Conv2d(c, 8, 3, padding=1), nn.AdaptiveAvgPool2d(1),
                             nn.Flatten(), nn.Linear(8, k), nn.Softmax(dim=1))

    def huge(c=3, k=10):
        return nn.Sequential(nn.Conv2d(c, 64, 3, padding=1), nn.AdaptiveAvgPool2d(16),
                             nn.Flatten(), nn.Linear(64 * 256, 512), nn.Linear(512, k))

    def always_ten(c=3, k=10):
        return nn.Sequential(nn.Conv2d(c, 8, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                             nn.Linear(8, 10))

    wrong(chk, fixed_size, "AdaptiveAvgPool2d")
    wrong(chk, with_softmax, "softmax")
    wrong(chk, huge, "parameters")
    wrong(chk, always_ten, "num_classes=7")


def _head(c, k, *tail):
    return nn.Sequential(nn.Conv2d(c, 8, 3, padding=1), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(8, k), *tail)


def test_build_model_rejects_an_activation_after_the_last_layer():
    chk = check.build_model
    wrong(chk, lambda c=3, k=10: _head(c, k, nn.ReLU()), "ends with nn.ReLU", "nn.Linear")
    wrong(chk, lambda c=3, k=10: _head(c, k, nn.Sigmoid()), "ends with nn.Sigmoid")
    wrong(chk, lambda c=3, k=10: _head(c, k, nn.LogSoftmax(dim=1)), "LogSoftmax", "logits")

    class ReluInForward(nn.Module):  # the activation hides in forward, not in a layer
        def __init__(self, c, k):
            super().__init__()
            self.body = _head(c, k)

        def forward(self, x):
            return torch.relu(self.body(x))

    class SigmoidInForward(ReluInForward):
        def forward(self, x):
            return torch.sigmoid(self.body(x))

    wrong(chk, lambda c=3, k=10: ReluInForward(c, k), "no output is negative", "ReLU")
    wrong(chk, lambda c=3, k=10: SigmoidInForward(c, k), "no output is negative", "sigmoid")


def test_build_model_accepts_logits_from_a_custom_module():
    class Plain(nn.Module):
        def __init__(self, c, k):
            super().__init__()
            self.body = _head(c, k)

        def forward(self, x):
            return self.body(x)

    assert_accepts_reference(check.build_model)
    result = verdict(check.build_model, lambda c=3, k=10: Plain(c, k))
    assert result.status == CORRECT, result
