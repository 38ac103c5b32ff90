"""Checks for notebooks 08-11 accept the reference and name the mistake in realistic wrong answers."""

import torch
from checkhelpers import wrong
from torch import nn

from cnncourse.checks import nb08, nb09, nb10, nb11

# nb08 ------------------------------------------------------------------------------------------

def test_receptive_field_size_mistakes():
    chk = nb08.receptive_field_size
    wrong(chk, lambda ks, ss: sum(ks), "sum of the kernel sizes")
    wrong(chk, lambda ks, ss: 1 + sum(k - 1 for k in ks), "strides were ignored")

    def stride_first(ks, ss):
        size, jump = 1, 1
        for k, s in zip(ks, ss):
            jump *= s
            size += (k - 1) * jump
        return size

    wrong(chk, stride_first, "stride was applied before")
    wrong(chk, lambda ks, ss: (nb08.receptive_field_size.reference(ks, ss), 1), "whole number")
    wrong(chk, lambda ks, ss: float("nan"), "whole number")


def _diff(f, x, eps, central=True, denom=None, restore=True):
    grad = torch.zeros_like(x)
    flat = x.view(-1)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + eps
        up = float(f(x))
        flat[i] = old - eps if central else old
        down = float(f(x))
        if restore:
            flat[i] = old
        grad.view(-1)[i] = (up - down) / (denom if denom is not None else
                                          (2 * eps if central else eps))
    return grad


def test_numerical_grad_mistakes():
    chk = nb08.numerical_grad
    wrong(chk, lambda f, x, eps=1e-3: _diff(f, x, eps, central=False), "one-sided difference")
    wrong(chk, lambda f, x, eps=1e-3: _diff(f, x, eps, denom=eps), "twice autograd")
    wrong(chk, lambda f, x, eps=1e-3: _diff(f, x, eps, restore=False), "x was changed")
    wrong(chk, lambda f, x, eps=1e-3: _diff(f, x.clone(), eps)[:1], "shape")


# nb09 ------------------------------------------------------------------------------------------

def test_batch_norm_mistakes():
    chk = nb09.batch_norm_2d
    wrong(chk, lambda x, eps=1e-5: (x - x.mean((1, 2, 3), keepdim=True))
          / torch.sqrt(x.var((1, 2, 3), unbiased=False, keepdim=True) + eps), "layer norm")
    wrong(chk, lambda x, eps=1e-5: (x - x.mean(0, keepdim=True))
          / torch.sqrt(x.var(0, unbiased=False, keepdim=True) + eps), "dim 0")
    wrong(chk, lambda x, eps=1e-5: (x - x.mean((0, 2, 3), keepdim=True))
          / torch.sqrt(x.var((0, 2, 3), keepdim=True) + eps), "unbiased=False")
    wrong(chk, lambda x, eps=1e-5: (x - x.mean((0, 2, 3), keepdim=True))
          / x.std((0, 2, 3), unbiased=False, keepdim=True), "add eps")


def test_random_crop_mistakes():
    chk = nb09.random_crop
    ref = nb09.random_crop.reference
    wrong(chk, lambda X, p, dy, dx: torch.nn.functional.pad(X, (p,) * 4), "padded size")
    wrong(chk, lambda X, p, dy, dx: ref(X, p, dx, dy), "swapped")
    wrong(chk, lambda X, p, dy, dx: ref(X, p, dy[:1].expand(len(dy)), dx[:1].expand(len(dx))),
          "first image's offset")
    wrong(chk, lambda X, p, dy, dx: X, "equals the input")


def test_smooth_labels_mistakes():
    chk = nb09.smooth_labels
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


# nb10 ------------------------------------------------------------------------------------------

def test_prepare_image_mistakes():
    chk = nb10.prepare_image
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
    chk = nb10.one_hot_sequence
    F = nn.functional
    wrong(chk, lambda t, v: F.one_hot(t, v).float()[None], "channels first")
    wrong(chk, lambda t, v: F.one_hot(t, v).float().T, "batch dimension")
    wrong(chk, lambda t, v: F.one_hot(t, v).T[None], "float")


# nb11 ------------------------------------------------------------------------------------------

def test_build_model_mistakes():
    chk = nb11.build_model

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
