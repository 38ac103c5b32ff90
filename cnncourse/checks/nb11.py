"""Checks for notebook 11 · Capstone: ``from cnncourse.checks import nb11 as check``."""

from __future__ import annotations

import torch
from torch import nn

from cnncourse.exercises import Mistake, check
from cnncourse.solutions import nb11 as solutions

MAX_PARAMS = 2_000_000  # a laptop CPU trains this in the capstone's time budget


@check(reference=solutions.build_model)
def build_model(fn):
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
        if torch.allclose(out.sum(1), torch.ones(4), atol=1e-4) and (out >= 0).all():
            raise Mistake("the outputs are probabilities (rows sum to 1): remove the final "
                          "softmax. nn.CrossEntropyLoss expects raw logits.")
    if tuple(fn(3, 7)(torch.randn(2, 3, 32, 32)).shape) != (2, 7):
        raise Mistake("num_classes=7 did not give 7 outputs: use num_classes for the last "
                      "layer instead of a fixed 10.")
    return "a valid classifier for both image sizes, under the parameter budget."
