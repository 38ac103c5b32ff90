"""Lesson 11 (capstone): each check accepts its reference and names the mistake in realistic wrong answers."""

from checkhelpers import wrong
from torch import nn

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
