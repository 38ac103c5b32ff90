"""Lesson 06 · Flatten, fully connected layers and outputs: the reference solutions, their
checks, and the quizzes."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.course.exercises import Checks, Mistake, expect_size, expect_tensor
from cnncourse.course.quiz import Quizzes

check = Checks("outputs")
quiz = Quizzes("outputs")


# Reference solutions ------------------------------------------------------------------------------

def flatten_size(height: int, width: int, channels: int, num_pools: int) -> int:
    """Features after ``num_pools`` 2x2 max-pools (convs keep the size) with ``channels`` maps.

    Each pool halves height and width, rounding down; flatten multiplies C * H * W.
    """
    for _ in range(num_pools):
        height, width = height // 2, width // 2
    return channels * height * width


def softmax_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``logits`` ``(N, K)`` against labels ``y`` ``(N,)``, computed stably.

    ``-log softmax(logits)[y] = logsumexp(logits) - logits[y]``; subtracting each row's max
    first keeps ``exp`` from overflowing without changing the result.
    """
    shifted = logits - logits.max(dim=1, keepdim=True).values          # (N, K), max is 0
    log_sum_exp = shifted.exp().sum(dim=1).log()                        # (N,)
    correct = shifted.gather(1, y[:, None])[:, 0]                       # (N,) score of true class
    return (log_sum_exp - correct).mean()


# Checks -------------------------------------------------------------------------------------------

def _true_flatten(height: int, width: int, channels: int, num_pools: int) -> int:
    """Features torch.flatten(x, 1) really gives after 'same' 3x3 convs and 2x2 max-pools."""
    from torch import nn

    modules: list[nn.Module] = [nn.Conv2d(1, channels, 3, padding=1)]   # keeps H and W
    for _ in range(num_pools):
        modules += [nn.MaxPool2d(2), nn.Conv2d(channels, channels, 3, padding=1)]
    with torch.no_grad():
        x = nn.Sequential(*modules)(torch.zeros(1, 1, height, width))   # (1, C, H', W')
    return int(torch.flatten(x, 1).shape[1])


@check.of(flatten_size)
def check_flatten_size(fn):
    """Compare with the real number of features after conv/pool blocks, odd and non-square too."""
    cases = [((32, 32, 32, 2), "SimpleCNN on 32x32 images"),
             ((64, 64, 32, 2), "SimpleCNN fed 64x64 images"),
             ((28, 28, 16, 2), "16 channels on 28x28 (MNIST-sized) images"),
             ((30, 30, 8, 2), "an odd size: 30 -> 15 -> 7"),
             ((32, 48, 4, 3), "a non-square 32x48 image with 3 pools")]
    for (h, w, c, p), what in cases:
        want = _true_flatten(h, w, c, p)
        got = expect_size(fn(h, w, c, p), f"flatten_size({h}, {w}, {c}, {p}) for {what}",
                          hint="Use // 2 so each pool rounds down, as nn.MaxPool2d does.")
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


def _all_pairs_losses(logits: torch.Tensor, y: torch.Tensor) -> list[torch.Tensor]:
    """The losses ``logits[:, y]`` (N x N, every example against every label) gives, each way."""
    out = []
    for scores in (logits, logits - logits.max(dim=1, keepdim=True).values):
        lse = scores.exp().sum(dim=1).log()              # (N,)
        picked = scores[:, y]                            # (N, N): the slip
        out += [(lse - picked).mean(), (lse[:, None] - picked).mean()]
    return out


@check.of(softmax_cross_entropy, forbid=(
    "torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss",
    "torch.nn.functional.log_softmax", "torch.log_softmax", "torch.Tensor.log_softmax",
    "torch.special.log_softmax", "torch.nn.CrossEntropyLoss", "torch.nn.NLLLoss"))
def check_softmax_cross_entropy(fn):
    """Compare with F.cross_entropy, including huge logits that overflow a naive exp.

    The answer runs while F.cross_entropy, nn.CrossEntropyLoss, F.nll_loss and log_softmax
    raise: the exercise is to write the log-sum-exp yourself.
    """
    g = torch.Generator().manual_seed(6)
    logits = torch.randn(8, 5, generator=g) * 3
    y = torch.tensor([0, 1, 2, 3, 4, 0, 2, 4])
    big, big_y = torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 800.0, 10.0]]), torch.tensor([0, 2])
    want = F.cross_entropy(logits, y)
    per_row = F.cross_entropy(logits, y, reduction="none")
    summed = F.cross_entropy(logits, y, reduction="sum")
    minus_p = -F.softmax(logits, dim=1)[torch.arange(8), y].mean()
    wrong_dim = -F.log_softmax(logits, dim=0)[torch.arange(8), y].mean()
    want_big = F.cross_entropy(big, big_y)
    all_pairs = _all_pairs_losses(logits, y)
    got = fn(logits, y)
    expect_tensor(got)
    if got.shape == (8,):
        if torch.allclose(got, per_row, atol=1e-4):
            raise Mistake("you returned one loss per example. F.cross_entropy averages over "
                          "the batch: finish with .mean().")
    expect_tensor(got, (), what="softmax_cross_entropy(logits, y)")
    if torch.allclose(got, minus_p, atol=1e-4):
        raise Mistake("you averaged minus the probabilities; take the log first: the loss "
                      "is -log(p[y]).")
    if torch.allclose(got, summed, atol=1e-3):
        raise Mistake("you summed over the batch; F.cross_entropy takes the mean.")
    if torch.allclose(got, wrong_dim, atol=1e-4):
        raise Mistake("your softmax normalises over the batch (dim=0). Each example's scores "
                      "should sum to 1 over the classes: use dim=1.")
    if got.dim() == 0 and any(torch.allclose(got, w, atol=1e-4) for w in all_pairs):
        raise Mistake("you picked the true-class scores with logits[:, y], which is an N x N "
                      "matrix: every example's score for every example's label, so the mean "
                      "mixes in the wrong classes. Take one entry per row: "
                      "logits[torch.arange(len(y)), y] (or logits.gather(1, y[:, None])).")
    if not torch.allclose(got, want, atol=1e-4):
        raise Mistake(f"your loss is {got.item():.4f} but F.cross_entropy gives "
                      f"{want.item():.4f}. The loss is the mean over the batch of "
                      "logsumexp(logits) - logits[y].")
    got = fn(big, big_y)
    if not torch.isfinite(got).all():
        raise Mistake("with logits like 1000 your loss is nan or inf: exp(1000) overflows. "
                      "Subtract each row's maximum before exp (the result does not change).")
    if not torch.allclose(got, want_big, rtol=1e-4):
        raise Mistake(f"with large logits you get {got.item():.4f} but F.cross_entropy "
                      f"gives {want_big.item():.4f}.")
    return "your loss matches F.cross_entropy, even for logits of 1000."
