"""Checks for notebook 06 · Flatten, FC and outputs: ``from cnncourse.checks import nb06 as check``."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.exercises import Mistake, check, expect_tensor
from cnncourse.solutions import nb06 as solutions


@check(reference=solutions.flatten_size)
def flatten_size(fn):
    """Compare with the real number of features after conv/pool blocks, odd and non-square too."""
    cases = [((32, 32, 32, 2), "the seed's CNN on 32x32 images"),
             ((64, 64, 32, 2), "the same CNN fed 64x64 images"),
             ((28, 28, 16, 2), "16 channels on 28x28 (MNIST-sized) images"),
             ((30, 30, 8, 2), "an odd size: 30 -> 15 -> 7"),
             ((32, 48, 4, 3), "a non-square 32x48 image with 3 pools")]
    for (h, w, c, p), what in cases:
        want = solutions.flatten_size(h, w, c, p)
        got = fn(h, w, c, p)
        if isinstance(got, float):
            raise Mistake(f"you returned a float ({got}) for {what}. Sizes are whole numbers: "
                          "use // 2 so each pool rounds down, as nn.MaxPool2d does.")
        if not isinstance(got, int) or isinstance(got, bool):
            raise Mistake(f"return an int, got {type(got).__name__}.")
        if got == want:
            continue
        side_h, side_w = h // 2 ** p, w // 2 ** p
        if got == side_h * side_w:
            raise Mistake(f"for {what} you got {got}, expected {want}: you forgot the channels. "
                          "Flattening keeps every channel: multiply by channels too.")
        if got == c * (h // (2 * p)) * (w // (2 * p)):
            raise Mistake(f"for {what} you got {got}, expected {want}: each pool *halves* the "
                          "size, so p pools divide it by 2**p, not by 2*p.")
        if got == c * side_h * side_h or got == c * side_w * side_w:
            raise Mistake(f"for {what} you got {got}, expected {want}: you used one side twice. "
                          "Height and width can differ: use both.")
        if got == c * -(-h // 2 ** p) * -(-w // 2 ** p):
            raise Mistake(f"for {what} you got {got}, expected {want}: you rounded up. "
                          "nn.MaxPool2d(2) rounds down (drops a last odd row or column).")
        raise Mistake(f"for {what} ({h}x{w}, {c} channels, {p} pools) you got {got}; the real "
                      f"layers give {want}.")
    return "your sizes match what torch.flatten(x, 1) produces after real conv/pool blocks."


@check(reference=solutions.softmax_cross_entropy)
def softmax_cross_entropy(fn):
    """Compare with F.cross_entropy, including huge logits that overflow a naive exp."""
    g = torch.Generator().manual_seed(6)
    logits = torch.randn(8, 5, generator=g) * 3
    y = torch.tensor([0, 1, 2, 3, 4, 0, 2, 4])
    want = F.cross_entropy(logits, y)
    got = fn(logits, y)
    if not isinstance(got, torch.Tensor):
        raise Mistake(f"return a torch.Tensor, got {type(got).__name__}.")
    if got.shape == (8,):
        if torch.allclose(got, F.cross_entropy(logits, y, reduction="none"), atol=1e-4):
            raise Mistake("you returned one loss per example. F.cross_entropy averages over "
                          "the batch: finish with .mean().")
    expect_tensor(got, (), what="softmax_cross_entropy(logits, y)")
    if torch.allclose(got, -F.softmax(logits, dim=1)[torch.arange(8), y].mean(), atol=1e-4):
        raise Mistake("you averaged minus the probabilities; take the log first: the loss "
                      "is -log(p[y]).")
    if torch.allclose(got, F.cross_entropy(logits, y, reduction="sum"), atol=1e-3):
        raise Mistake("you summed over the batch; F.cross_entropy takes the mean.")
    wrong_dim = -F.log_softmax(logits, dim=0)[torch.arange(8), y].mean()
    if torch.allclose(got, wrong_dim, atol=1e-4):
        raise Mistake("your softmax normalises over the batch (dim=0). Each example's scores "
                      "should sum to 1 over the classes: use dim=1.")
    if not torch.allclose(got, want, atol=1e-4):
        raise Mistake(f"your loss is {got.item():.4f} but F.cross_entropy gives "
                      f"{want.item():.4f}. The loss is the mean over the batch of "
                      "logsumexp(logits) - logits[y].")
    big = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 800.0, 10.0]])
    got = fn(big, torch.tensor([0, 2]))
    if not torch.isfinite(got).all():
        raise Mistake("with logits like 1000 your loss is nan or inf: exp(1000) overflows. "
                      "Subtract each row's maximum before exp (the result does not change).")
    want = F.cross_entropy(big, torch.tensor([0, 2]))
    if not torch.allclose(got, want, rtol=1e-4):
        raise Mistake(f"with large logits you get {got.item():.4f} but F.cross_entropy "
                      f"gives {want.item():.4f}.")
    return "your loss matches F.cross_entropy, even for logits of 1000."
