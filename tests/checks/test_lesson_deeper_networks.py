"""Lesson 10 (deeper_networks): each check accepts its reference and names the mistake in realistic wrong answers."""

import torch
from checkhelpers import wrong
from torch import nn

from cnncourse.lessons.deeper_networks import check


def test_batch_norm_mistakes():
    chk = check.batch_norm_2d
    wrong(chk, lambda x, eps=1e-5: (x - x.mean((1, 2, 3), keepdim=True))
          / torch.sqrt(x.var((1, 2, 3), unbiased=False, keepdim=True) + eps), "layer norm")
    wrong(chk, lambda x, eps=1e-5: (x - x.mean(0, keepdim=True))
          / torch.sqrt(x.var(0, unbiased=False, keepdim=True) + eps), "dim 0")
    wrong(chk, lambda x, eps=1e-5: (x - x.mean((0, 2, 3), keepdim=True))
          / torch.sqrt(x.var((0, 2, 3), keepdim=True) + eps), "unbiased=False")
    wrong(chk, lambda x, eps=1e-5: (x - x.mean((0, 2, 3), keepdim=True))
          / x.std((0, 2, 3), unbiased=False, keepdim=True), "add eps")


def test_random_crop_mistakes():
    chk = check.random_crop
    ref = check.random_crop.reference
    wrong(chk, lambda X, p, dy, dx: torch.nn.functional.pad(X, (p,) * 4), "padded size")
    wrong(chk, lambda X, p, dy, dx: ref(X, p, dx, dy), "swapped")
    wrong(chk, lambda X, p, dy, dx: ref(X, p, dy[:1].expand(len(dy)), dx[:1].expand(len(dx))),
          "first image's offset")
    wrong(chk, lambda X, p, dy, dx: X, "equals the input")


def test_smooth_labels_mistakes():
    chk = check.smooth_labels
    wrong(chk, lambda y, k, s=0.1: nn.functional.one_hot(y, k).float(), "one-hot")

    def forgot_true(y, k, s=0.1):
        t = torch.full((len(y), k), s / k)
        t[torch.arange(len(y)), y] = 1 - s
        return t

    def k_minus_one(y, k, s=0.1):
        t = torch.full((len(y), k), s / (k - 1))
        t[torch.arange(len(y)), y] = 1 - s
        return t

    wrong(chk, forgot_true, "sum to 1")
    wrong(chk, k_minus_one, "K - 1")
    wrong(chk, lambda y, k, s=0.1: nn.functional.one_hot(y, k), "float")


def test_random_crop_without_padding_names_the_unequal_crops():
    def unpadded(X, padding, dy, dx):
        N, C, H, W = X.shape
        return torch.stack([X[i, :, dy[i]:dy[i] + H, dx[i]:dx[i] + W] for i in range(N)])

    wrong(check.random_crop, unpadded, "called as random_crop(", "different sizes", "Pad first",
          "Original error: RuntimeError: stack expects")


def test_sgd_step_mistakes():
    chk = check.sgd_step

    def make(update):
        return lambda w, g, v, lr, m=0.9, wd=0.0: update(w, g, v, lr, m, wd)

    wrong(chk, make(lambda w, g, v, lr, m, wd: (w + lr * (m * v + g + wd * w),
                                                m * v + g + wd * w)), "UP the gradient")
    wrong(chk, make(lambda w, g, v, lr, m, wd: (w - lr * (m * v + (1 - m) * (g + wd * w)),
                                                m * v + (1 - m) * (g + wd * w))), "you averaged")
    wrong(chk, make(lambda w, g, v, lr, m, wd: (w - lr * (m * v + g), m * v + g)),
          "weight_decay was ignored")
    wrong(chk, make(lambda w, g, v, lr, m, wd: (w - lr * (m * v + g) - lr * wd * w,
                                                m * v + g)), "decoupled")
    wrong(chk, make(lambda w, g, v, lr, m, wd: (w - lr * (g + wd * w), m * v + g + wd * w)),
          "not the velocity")
    wrong(chk, make(lambda w, g, v, lr, m, wd: w - lr * g), "pair")
    # the step taken with the old velocity, before adding this gradient: a numeric mismatch
    wrong(chk, make(lambda w, g, v, lr, m, wd: (w - lr * v, m * v + g + wd * w)), "velocity")


def test_smooth_labels_reference_gives_the_targets_of_cross_entropys_label_smoothing():
    from cnncourse.lessons.deeper_networks import smooth_labels

    y, logits = torch.tensor([0, 3, 1]), torch.randn(3, 4)
    ours = -(smooth_labels(y, 4, 0.2) * logits.log_softmax(1)).sum(1).mean()
    torch.testing.assert_close(ours, nn.functional.cross_entropy(logits, y, label_smoothing=0.2))
