"""Checks for notebook 09 · Expert zone: ``from cnncourse.checks import nb09 as check``."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.exercises import Mistake, check, expect_close, expect_tensor
from cnncourse.solutions import nb09 as solutions


@check(reference=solutions.batch_norm_2d)
def batch_norm_2d(fn):
    """Matches F.batch_norm in training mode, including a constant channel (needs eps)."""
    g = torch.Generator().manual_seed(9)
    x = torch.randn(4, 3, 5, 5, generator=g) * torch.tensor([1.0, 5.0, 0.2]).view(1, 3, 1, 1) \
        + torch.tensor([2.0, -1.0, 0.0]).view(1, 3, 1, 1)
    got = fn(x.clone())
    expect_tensor(got, tuple(x.shape), what="batch_norm_2d(x)")
    want = F.batch_norm(x, None, None, training=True, eps=1e-5)
    if not torch.allclose(got, want, atol=1e-4):
        per_sample = (x - x.mean((1, 2, 3), keepdim=True)) / torch.sqrt(
            x.var((1, 2, 3), unbiased=False, keepdim=True) + 1e-5)
        per_pixel = (x - x.mean(0, keepdim=True)) / torch.sqrt(
            x.var(0, unbiased=False, keepdim=True) + 1e-5)
        unbiased = (x - x.mean((0, 2, 3), keepdim=True)) / torch.sqrt(
            x.var((0, 2, 3), keepdim=True) + 1e-5)
        if torch.allclose(got, per_sample, atol=1e-4):
            raise Mistake("you normalised each image over (C, H, W): that is layer norm. Batch "
                          "norm computes one mean and variance per CHANNEL, over dims "
                          "(0, 2, 3): the batch and both spatial axes.")
        if torch.allclose(got, per_pixel, atol=1e-4):
            raise Mistake("you averaged over the batch only (dim 0), giving a separate mean "
                          "for every pixel. For conv layers batch norm shares one mean per "
                          "channel: average over dims (0, 2, 3).")
        if torch.allclose(got, unbiased, atol=1e-4):
            raise Mistake("close, but x.var() divides by n - 1 by default. Batch norm uses "
                          "the plain average: x.var(..., unbiased=False).")
        expect_close(got, want, what="batch_norm_2d(x)", atol=1e-4,
                     hint="Subtract the per-channel mean, divide by sqrt(var + eps).")
    flat = torch.ones(2, 2, 3, 3)
    flat[:, 1] = torch.arange(18.0).view(2, 3, 3)
    out = fn(flat.clone())
    if not torch.isfinite(out).all():
        raise Mistake("a constant channel (variance 0) gave inf or nan: add eps inside the "
                      "square root, torch.sqrt(var + eps).")
    return "per-channel statistics over (N, H, W), biased variance and eps: all right."


@check(reference=solutions.random_crop)
def random_crop(fn):
    """Per-image offsets on a padded batch, against a direct slice of F.pad."""
    X = torch.arange(3 * 2 * 4 * 5, dtype=torch.float32).view(3, 2, 4, 5) + 1
    dy, dx = torch.tensor([0, 2, 4]), torch.tensor([1, 4, 0])
    got = fn(X.clone(), 2, dy.clone(), dx.clone())
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (3, 2, 8, 9):
        raise Mistake("the output is the padded size 8x9; cut each image back to its original "
                      "4x5 window: padded[i, :, dy:dy+H, dx:dx+W].")
    expect_tensor(got, tuple(X.shape), what="random_crop(X, 2, dy, dx)")
    want = solutions.random_crop(X, 2, dy, dx)
    if torch.equal(got, want):
        return "each image is cut at its own offset, at the original size."
    if torch.equal(got, solutions.random_crop(X, 2, dx, dy)):
        raise Mistake("rows and columns are swapped: dy moves the window down (rows, dim 2), "
                      "dx moves it right (columns, dim 3).")
    if torch.equal(got, solutions.random_crop(X, 2, dy[:1].expand(3), dx[:1].expand(3))):
        raise Mistake("every image got the first image's offset. Batch augmentation only "
                      "helps when each image gets its own random shift: use dy[i], dx[i].")
    if torch.equal(got, X):
        raise Mistake("the output equals the input: pad first (F.pad with padding on each "
                      "side), then cut the window at the offsets.")
    expect_close(got, want, what="random_crop(X, 2, dy, dx)")
    return None


@check(reference=solutions.smooth_labels)
def smooth_labels(fn):
    """Rows sum to 1 and match what F.cross_entropy(label_smoothing=...) uses."""
    y = torch.tensor([0, 3, 1])
    got = fn(y.clone(), 4, 0.2)
    expect_tensor(got, (3, 4), what="smooth_labels(y, 4, 0.2)")
    if not got.is_floating_point():
        raise Mistake("the targets are integers; they must be float probabilities.")
    want = solutions.smooth_labels(y, 4, 0.2)
    if torch.allclose(got, want, atol=1e-6):
        logits = torch.randn(3, 4, generator=torch.Generator().manual_seed(1))
        ours = -(got * logits.log_softmax(1)).sum(1).mean()
        torch.testing.assert_close(ours, F.cross_entropy(logits, y, label_smoothing=0.2))
        return "these are exactly the targets F.cross_entropy(..., label_smoothing=s) uses."
    if torch.allclose(got, F.one_hot(y, 4).float()):
        raise Mistake("these are plain one-hot targets: move `smoothing` of the probability "
                      "mass off the true class and spread it over the classes.")
    sums = got.sum(1)
    if not torch.allclose(sums, torch.ones(3), atol=1e-5):
        raise Mistake(f"each row should sum to 1 (a probability distribution), yours sum to "
                      f"{sums.tolist()}. The true class gets 1 - s + s/K, every other s/K.")
    alt = torch.full((3, 4), 0.2 / 3)
    alt[torch.arange(3), y] = 0.8
    if torch.allclose(got, alt, atol=1e-6):
        raise Mistake("you spread s over the K - 1 wrong classes. That variant also sums to 1, "
                      "but PyTorch's label_smoothing spreads s over all K classes: the true "
                      "class gets 1 - s + s/K and the others s/K.")
    expect_close(got, want, what="smooth_labels(y, 4, 0.2)", atol=1e-6)
    return None
