"""Lesson 11 · Production patterns: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import torch

from cnncourse.course.exercises import Checks, Mistake, expect_close, expect_tensor, photo_like
from cnncourse.course.quiz import Quizzes
from cnncourse.data.catalog import STATS
from cnncourse.lessons.pixels import STATS_SHAPE

check = Checks("production")
quiz = Quizzes("production")


# Reference solutions ------------------------------------------------------------------------------

def prepare_image(image, mean, std):
    """One uint8 image (H, W, C) -> a normalised float batch (1, C, H, W), as in training."""
    x = torch.as_tensor(image).permute(2, 0, 1).float() / 255.0   # (C, H, W) in [0, 1]
    mean = torch.as_tensor(mean, dtype=torch.float32).view(-1, 1, 1)
    std = torch.as_tensor(std, dtype=torch.float32).view(-1, 1, 1)
    return ((x - mean) / std).unsqueeze(0)                          # (1, C, H, W)


def one_hot_sequence(tokens, vocab_size):
    """Token ids (L,) -> a float one-hot batch (1, vocab_size, L): channels first for Conv1d."""
    onehot = torch.nn.functional.one_hot(tokens, vocab_size).float()   # (L, V)
    return onehot.T.unsqueeze(0)                                         # (1, V, L)


# Checks -------------------------------------------------------------------------------------------

_MEAN, _STD = STATS["cifar10"]      # the course's one copy of the CIFAR-10 statistics


@check.of(prepare_image, causes=[(("must match the size",), STATS_SHAPE)])  # as in notebook 01
def check_prepare_image(fn):
    """uint8 HWC in, normalised float (1, C, H, W) out, exactly like the training data."""
    image = photo_like(6, 5, seed=10)
    got = fn(image.clone(), _MEAN, _STD)
    expect_tensor(got)
    if tuple(got.shape) == (3, 6, 5):
        raise Mistake("the shape is (3, 6, 5): add the batch dimension with .unsqueeze(0); a "
                      "model always expects (N, C, H, W), even for one image.")
    if tuple(got.shape) in {(1, 6, 5, 3), (6, 5, 3)}:
        raise Mistake(f"the shape is {tuple(got.shape)}: images from files are (H, W, C); "
                      "PyTorch wants channels first, so .permute(2, 0, 1).")
    expect_tensor(got, (1, 3, 6, 5), what="prepare_image(image, mean, std)")
    if not got.is_floating_point():
        raise Mistake("the result is still an integer tensor: convert with .float() / 255.")
    x = image.permute(2, 0, 1).float()[None]
    mean, std = torch.tensor(_MEAN).view(3, 1, 1), torch.tensor(_STD).view(3, 1, 1)
    slips = [((x - mean) / std, "the pixels were not scaled to [0, 1] first: divide by 255 "
                                "before subtracting the mean (the mean and std are for [0, 1] "
                                "pixels)."),
             (x / 255, "the pixels are in [0, 1] but not normalised: subtract the mean and "
                       "divide by the std, per channel, like the training data."),
             ((x / 255 - 0.5) / 0.5, "you used mean 0.5 and std 0.5; use the mean and std the "
                                     "model was trained with (the ones passed in).")]
    expect_close(got, prepare_image(image, _MEAN, _STD), "prepare_image(image, mean, std)",
                 mistakes=slips)
    return "same scaling, normalisation and layout as the training data."


@check.of(one_hot_sequence)
def check_one_hot_sequence(fn):
    """A (1, V, L) float one-hot, channels first, for nn.Conv1d."""
    tokens = torch.tensor([2, 0, 3, 3, 1, 4, 0])
    got = fn(tokens.clone(), 5)
    expect_tensor(got)
    if tuple(got.shape) == (1, 7, 5):
        raise Mistake("the shape is (1, L, V) = (1, 7, 5). nn.Conv1d wants channels first, "
                      "(N, C, L): the vocabulary is the channel axis, so transpose to "
                      "(1, 5, 7).")
    if tuple(got.shape) in {(5, 7), (7, 5)}:
        raise Mistake(f"the shape is {tuple(got.shape)}: add the batch dimension, "
                      "(1, vocab_size, length).")
    expect_tensor(got, (1, 5, 7), what="one_hot_sequence(tokens, 5)")
    if not got.is_floating_point():
        raise Mistake(f"the dtype is {got.dtype}; conv weights are float, so convert with "
                      ".float().")
    expect_close(got, one_hot_sequence(tokens, 5), what="one_hot_sequence",
                 hint="Column t should be 1 at row tokens[t] and 0 elsewhere.")
    return "channels-first one-hot, ready for nn.Conv1d."
