"""Lesson 12 · Capstone: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import torch
from torch import nn

from cnncourse.course.exercises import Checks, Mistake
from cnncourse.course.quiz import Quizzes

check = Checks("capstone")
quiz = Quizzes("capstone")


# Reference solutions ------------------------------------------------------------------------------

def build_model(in_channels=3, num_classes=10):
    """A compact CNN from the checklist: conv-BN-ReLU blocks that halve the size and double
    the channels, a global average pool, one linear layer. Cheap per step (it shrinks the
    image early), so it gets many steps in the capstone's budget."""
    nn = torch.nn

    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    return nn.Sequential(
        *block(in_channels, 16), nn.MaxPool2d(2),      # (N, 16, H/2, W/2)
        *block(16, 32), nn.MaxPool2d(2),               # (N, 32, H/4, W/4)
        *block(32, 64), nn.MaxPool2d(2),               # (N, 64, H/8, W/8)
        *block(64, 128),                               # (N, 128, H/8, W/8)
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),         # (N, 128): works for any image size
        nn.Linear(128, num_classes),                   # (N, num_classes) logits
    )


# Checks -------------------------------------------------------------------------------------------

MAX_PARAMS = 2_000_000  # a laptop CPU trains this in the capstone's time budget


_SQUASHERS = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.Sigmoid, nn.Softmax, nn.LogSoftmax,
              nn.Softplus, nn.Hardsigmoid, nn.Tanh)


def _reject_squashed_outputs(model: nn.Module, out: torch.Tensor) -> None:
    """Logits must be free real numbers: no activation, sigmoid or softmax after the last layer.

    Looks at the last registered layer, then at the outputs themselves (for activations
    applied in ``forward``): softmax rows sum to 1, log-softmax rows exp-sum to 1, and a
    ReLU or sigmoid leaves no negative value in a batch of random images.
    """
    leaves = [m for m in model.modules() if not list(m.children())]
    last = leaves[-1] if leaves else None          # the output layer of a Sequential
    if isinstance(last, (nn.Softmax, nn.LogSoftmax)):
        raise Mistake(f"the model ends with nn.{type(last).__name__}: remove it and return "
                      "raw logits. nn.CrossEntropyLoss applies log-softmax itself.")
    if isinstance(last, _SQUASHERS):
        raise Mistake(f"the model ends with nn.{type(last).__name__}, so its outputs cannot "
                      "be negative (or are squashed into a range): the last layer should be "
                      "nn.Linear, with no activation after it. Logits are free real numbers.")
    ones = torch.ones(out.shape[0])
    if torch.allclose(out.sum(1), ones, atol=1e-4) and (out >= 0).all():
        raise Mistake("the outputs are probabilities (rows sum to 1): remove the final "
                      "softmax. nn.CrossEntropyLoss expects raw logits.")
    if torch.allclose(out.exp().sum(1), ones, atol=1e-4):
        raise Mistake("the outputs are log-probabilities (log_softmax): remove it and return "
                      "raw logits. nn.CrossEntropyLoss applies log-softmax itself.")
    if (out >= 0).all():
        raise Mistake("no output is negative on a batch of random images: is there a ReLU or "
                      "sigmoid after the last layer (perhaps in forward)? Return the last "
                      "nn.Linear's output directly: logits can be any real number.")


@check.of(build_model)
def check_build_model(fn):
    """Logits of the right shape for CIFAR-10 and MNIST sizes, and a laptop-sized model."""
    for c, size in ((3, 32), (1, 28)):
        model = fn(c, 10)
        if not isinstance(model, nn.Module):
            raise Mistake(f"build_model should return an nn.Module, got {type(model).__name__}.")
        n = sum(p.numel() for p in model.parameters())
        if n > MAX_PARAMS:
            raise Mistake(f"the model has {n:,} parameters; keep it under {MAX_PARAMS:,} so it "
                          "trains within the time budget on a CPU (use conv layers and global "
                          "average pooling rather than big Linear layers).")
        model.eval()
        try:
            with torch.no_grad():
                out = model(torch.randn(4, c, size, size))
        except RuntimeError as err:
            raise Mistake(f"the model fails on {c}x{size}x{size} images ({err}). If a Linear "
                          "layer expects a fixed size, put nn.AdaptiveAvgPool2d(1) and "
                          "nn.Flatten() before it so any image size works.") from err
        if tuple(out.shape) != (4, 10):
            raise Mistake(f"for a batch of 4 images the output is {tuple(out.shape)}; it "
                          "should be (4, num_classes) = (4, 10).")
        _reject_squashed_outputs(model, out)
    if tuple(fn(3, 7)(torch.randn(2, 3, 32, 32)).shape) != (2, 7):
        raise Mistake("num_classes=7 did not give 7 outputs: use num_classes for the last "
                      "layer instead of a fixed 10.")
    return "a valid classifier for both image sizes, under the parameter budget."
