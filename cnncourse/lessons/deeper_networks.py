"""Lesson 10 · Expert zone: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.course.exercises import Checks, Mistake, expect_close, expect_tensor
from cnncourse.course.quiz import Quizzes

check = Checks("deeper_networks")
quiz = Quizzes("deeper_networks")


# Reference solutions ------------------------------------------------------------------------------

def batch_norm_2d(x, eps=1e-5):
    """Normalise each channel of a batch (N, C, H, W) to mean 0 and variance 1."""
    mean = x.mean(dim=(0, 2, 3), keepdim=True)                 # (1, C, 1, 1)
    var = x.var(dim=(0, 2, 3), unbiased=False, keepdim=True)   # (1, C, 1, 1)
    return (x - mean) / torch.sqrt(var + eps)


def random_crop(X, padding, dy, dx):
    """Pad a batch (N, C, H, W) with zeros, then cut image i's H x W window at (dy[i], dx[i])."""
    N, C, H, W = X.shape
    padded = torch.nn.functional.pad(X, (padding, padding, padding, padding))
    out = torch.empty_like(X)
    for i in range(N):
        top, left = int(dy[i]), int(dx[i])
        out[i] = padded[i, :, top:top + H, left:left + W]
    return out


def smooth_labels(y, num_classes, smoothing=0.1):
    """Soft targets (N, K): 1 - smoothing extra on the true class, smoothing spread over all K."""
    targets = torch.full((y.shape[0], num_classes), smoothing / num_classes)
    targets[torch.arange(y.shape[0]), y] += 1.0 - smoothing
    return targets


def sgd_step(w, grad, velocity, lr, momentum=0.9, weight_decay=0.0):
    """One step of SGD with momentum and (L2) weight decay, as torch.optim.SGD takes it.

    Returns ``(new_w, new_velocity)``; ``velocity`` starts as zeros.
    """
    g = grad + weight_decay * w             # weight decay: add weight_decay * w to the gradient
    velocity = momentum * velocity + g      # momentum: a running sum of past gradients
    return w - lr * velocity, velocity


# Checks -------------------------------------------------------------------------------------------

@check.of(batch_norm_2d)
def check_batch_norm_2d(fn):
    """Matches F.batch_norm in training mode, including a constant channel (needs eps)."""
    g = torch.Generator().manual_seed(9)
    x = torch.randn(4, 3, 5, 5, generator=g) * torch.tensor([1.0, 5.0, 0.2]).view(1, 3, 1, 1) \
        + torch.tensor([2.0, -1.0, 0.0]).view(1, 3, 1, 1)
    got = fn(x.clone())
    expect_tensor(got, tuple(x.shape), what="batch_norm_2d(x)")
    def normalised(dims, unbiased=False):  # x normalised over ``dims``, the slips' way
        return (x - x.mean(dims, keepdim=True)) / torch.sqrt(
            x.var(dims, unbiased=unbiased, keepdim=True) + 1e-5)

    slips = [(normalised((1, 2, 3)), "you normalised each image over (C, H, W): that is layer "
                                     "norm. Batch norm computes one mean and variance per "
                                     "CHANNEL, over dims (0, 2, 3): the batch and both "
                                     "spatial axes."),
             (normalised(0), "you averaged over the batch only (dim 0), giving a separate mean "
                             "for every pixel. For conv layers batch norm shares one mean per "
                             "channel: average over dims (0, 2, 3)."),
             (normalised((0, 2, 3), unbiased=True), "close, but x.var() divides by n - 1 by "
                                                    "default. Batch norm uses the plain "
                                                    "average: x.var(..., unbiased=False).")]
    expect_close(got, F.batch_norm(x, None, None, training=True, eps=1e-5), "batch_norm_2d(x)",
                 hint="Subtract the per-channel mean, divide by sqrt(var + eps).", mistakes=slips)
    flat = torch.ones(2, 2, 3, 3)
    flat[:, 1] = torch.arange(18.0).view(2, 3, 3)
    out = fn(flat.clone())
    if not torch.isfinite(out).all():
        raise Mistake("a constant channel (variance 0) gave inf or nan: add eps inside the "
                      "square root, torch.sqrt(var + eps).")
    return "per-channel statistics over (N, H, W), biased variance and eps: all right."


@check.of(random_crop, causes=[
    (("stack expects", "Sizes of tensors must match"),
     "your crops came out in different sizes, so torch.stack could not join them: a window "
     "that runs past the edge of the image is cut short. Pad first, F.pad(X, (padding,) * 4) "
     "makes each image 8x9, then cut exactly H x W from the padded image: "
     "padded[i, :, dy[i]:dy[i] + H, dx[i]:dx[i] + W].")])
def check_random_crop(fn):
    """Per-image offsets on a padded batch, against a direct slice of F.pad."""
    X = torch.arange(3 * 2 * 4 * 5, dtype=torch.float32).view(3, 2, 4, 5) + 1
    dy, dx = torch.tensor([0, 2, 4]), torch.tensor([1, 4, 0])
    got = fn(X.clone(), 2, dy.clone(), dx.clone())
    if isinstance(got, torch.Tensor) and tuple(got.shape) == (3, 2, 8, 9):
        raise Mistake("the output is the padded size 8x9; cut each image back to its original "
                      "4x5 window: padded[i, :, dy:dy+H, dx:dx+W].")
    expect_tensor(got, tuple(X.shape), what="random_crop(X, 2, dy, dx)")
    slips = [(random_crop(X, 2, dx, dy), "rows and columns are swapped: dy moves the window "
                                         "down (rows, dim 2), dx moves it right (columns, "
                                         "dim 3)."),
             (random_crop(X, 2, dy[:1].expand(3), dx[:1].expand(3)),
              "every image got the first image's offset. Batch augmentation only helps when "
              "each image gets its own random shift: use dy[i], dx[i]."),
             (X, "the output equals the input: pad first (F.pad with padding on each side), "
                 "then cut the window at the offsets.")]
    expect_close(got, random_crop(X, 2, dy, dx), "random_crop(X, 2, dy, dx)", atol=0, rtol=0,
                 mistakes=slips)
    return "each image is cut at its own offset, at the original size."


@check.of(smooth_labels)
def check_smooth_labels(fn):
    """Rows sum to 1 and match what F.cross_entropy(label_smoothing=...) uses."""
    y = torch.tensor([0, 3, 1])
    got = fn(y.clone(), 4, 0.2)
    expect_tensor(got, (3, 4), what="smooth_labels(y, 4, 0.2)")
    if not got.is_floating_point():
        raise Mistake("the targets are integers; they must be float probabilities.")
    sums = got.sum(1)
    if not torch.allclose(sums, torch.ones(3), atol=1e-5):
        raise Mistake(f"each row should sum to 1 (a probability distribution), yours sum to "
                      f"{sums.tolist()}. The true class gets 1 - s + s/K, every other s/K.")
    over_the_rest = torch.full((3, 4), 0.2 / 3)
    over_the_rest[torch.arange(3), y] = 0.8
    slips = [(F.one_hot(y, 4), "these are plain one-hot targets: move `smoothing` of the "
                               "probability mass off the true class and spread it over the "
                               "classes."),
             (over_the_rest, "you spread s over the K - 1 wrong classes. That variant also "
                             "sums to 1, but PyTorch's label_smoothing spreads s over all K "
                             "classes: the true class gets 1 - s + s/K and the others s/K.")]
    expect_close(got, smooth_labels(y, 4, 0.2), "smooth_labels(y, 4, 0.2)", atol=1e-6,
                 mistakes=slips)
    return "these are exactly the targets F.cross_entropy(..., label_smoothing=s) uses."


@check.of(sgd_step)
def check_sgd_step(fn):
    """Five steps match torch.optim.SGD(momentum, weight_decay) from a zero velocity."""
    g = torch.Generator().manual_seed(3)
    w0 = torch.randn(6, generator=g)
    grads = [torch.randn(6, generator=g) for _ in range(5)]
    lr, momentum, decay = 0.1, 0.9, 0.05

    def run(step_fn):
        w, v = w0.clone(), torch.zeros(6)
        for grad in grads:
            out = step_fn(w.clone(), grad.clone(), v.clone(), lr, momentum, decay)
            if not (isinstance(out, tuple) and len(out) == 2):
                raise Mistake("sgd_step should return a pair (new_w, new_velocity), got "
                              f"{type(out).__name__}.")
            w, v = out
            expect_tensor(w, (6,), what="new_w")
            expect_tensor(v, (6,), what="new_velocity")
        return w, v

    got, _ = run(fn)
    param = torch.nn.Parameter(w0.clone())
    opt = torch.optim.SGD([param], lr=lr, momentum=momentum, weight_decay=decay)
    for grad in grads:
        param.grad = grad.clone()
        opt.step()
    slips = [  # (one step as a known slip takes it, what the slip is)
        (lambda w, gr, v, lr, m, wd: (w + lr * (m * v + gr + wd * w), m * v + gr + wd * w),
         "the weights move UP the gradient: subtract, w - lr * velocity."),
        (lambda w, gr, v, lr, m, wd: (w - lr * (m * v + (1 - m) * (gr + wd * w)),
                                      m * v + (1 - m) * (gr + wd * w)),
         "you averaged, velocity = m * v + (1 - m) * g. PyTorch's SGD sums: velocity = "
         "momentum * velocity + g, so the step grows to about g / (1 - m), ten times g for "
         "momentum 0.9. That is why SGD with momentum wants a smaller lr."),
        (lambda w, gr, v, lr, m, wd: (w - lr * (m * v + gr), m * v + gr),
         "weight_decay was ignored: SGD adds weight_decay * w to the gradient before the "
         "momentum update."),
        (lambda w, gr, v, lr, m, wd: (w - lr * (m * v + gr) - lr * wd * w, m * v + gr),
         "you subtracted lr * weight_decay * w separately, as AdamW does (decoupled). "
         "torch.optim.SGD adds weight_decay * w to the gradient first, so the decay goes "
         "through the momentum too."),
        (lambda w, gr, v, lr, m, wd: (w - lr * (gr + wd * w), m * v + gr + wd * w),
         "the step used the gradient, not the velocity: w - lr * velocity, with the velocity "
         "you just updated."),
    ]
    expect_close(got, param.detach(), "w after five sgd_step calls", atol=1e-5,
                 mistakes=[(run(step)[0], message) for step, message in slips],
                 hint="g = grad + weight_decay * w; velocity = momentum * velocity + g; "
                      "w = w - lr * velocity.")
    return "five steps match torch.optim.SGD(momentum=0.9, weight_decay=0.05)."
