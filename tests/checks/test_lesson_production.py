"""Lesson 11 (production): each check accepts its reference and names the mistake in realistic wrong answers."""

import torch
from checkhelpers import wrong
from torch import nn

from cnncourse.lessons.production import check


def test_prepare_image_mistakes():
    chk = check.prepare_image
    m = lambda v: torch.tensor(v).view(-1, 1, 1)  # noqa: E731
    wrong(chk, lambda im, mean, std: ((im.permute(2, 0, 1).float() - m(mean)) / m(std))[None],
          "scaled to [0, 1]")
    wrong(chk, lambda im, mean, std: (im.permute(2, 0, 1).float() / 255)[None], "not normalised")
    wrong(chk, lambda im, mean, std: ((im.float() / 255 - torch.tensor(mean))
                                      / torch.tensor(std))[None], "channels first")
    wrong(chk, lambda im, mean, std: (im.permute(2, 0, 1).float() / 255 - m(mean)) / m(std),
          "batch dimension")
    wrong(chk, lambda im, mean, std: ((im.permute(2, 0, 1).float() / 255 - 0.5) / 0.5)[None],
          "mean 0.5")


def test_one_hot_sequence_mistakes():
    chk = check.one_hot_sequence
    F = nn.functional
    wrong(chk, lambda t, v: F.one_hot(t, v).float()[None], "channels first")
    wrong(chk, lambda t, v: F.one_hot(t, v).float().T, "batch dimension")
    wrong(chk, lambda t, v: F.one_hot(t, v).T[None], "float")
