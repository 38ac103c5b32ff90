"""Lesson 10 · Expert zone: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from cnncourse.course.exercises import Checks, Mistake, expect_close, expect_tensor
from cnncourse.course.quiz import Option, Quiz, Quizzes

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


# Quizzes ------------------------------------------------------------------------------------------

quiz.bn_higher_lr = Quiz(
    "The same CNN is trained with SGD (momentum 0.9) at a large learning rate, once without "
    "and once with batch normalisation. Judged by the training loss, what happens?",
    [
        Option("Both train about equally well at that rate",
               feedback="Run the cell and compare the curves."),
        Option("The batch-norm version diverges", feedback="The reverse: batch norm is what "
               "lets people raise the learning rate."),
        Option("Batch norm copes; without it, training lags", correct=True,
               feedback="Normalising each layer's inputs keeps the steps well scaled, so the "
                        "network without it ends with the higher training loss."),
    ],
    "Batch norm rescales each channel to mean 0 and variance 1 over the batch, then applies a "
    "learned scale and shift. Activations stay in a sensible range whatever the weights do, "
    "so larger steps stay safe and the training loss keeps falling. That is what 'batch norm "
    "stabilises training and allows higher learning rates' means. Validation accuracy after "
    "so short a run is a separate question: the cells below compare it with its noise.",
)

quiz.vanishing = Quiz(
    "A plain CNN with 15 conv layers, no batch norm and PyTorch's default initialisation: "
    "how does the gradient norm of the FIRST layer compare with the last?",
    [
        Option("About the same size", feedback="Measure it: the gap is many orders of "
               "magnitude."),
        Option("Orders of magnitude larger", feedback="That would be exploding gradients; with "
               "the default initialisation here they shrink."),
        Option("Slightly smaller, about half", feedback="Far more than half: the factors of all "
               "15 layers multiply."),
        Option("Orders of magnitude smaller", correct=True,
               feedback="Each layer multiplies the backward signal by a factor below 1."),
    ],
    "Backpropagation multiplies one factor per layer. When those factors are below 1, the "
    "product shrinks exponentially with depth, so the first layers barely learn. That is the "
    "vanishing-gradient problem. Here most of it comes from the default initialisation: "
    "with He (Kaiming) initialisation the same network's factors stay close to 1.",
)

quiz.why_skips_work = Quiz(
    "A residual block computes y = x + F(x). Why does that help gradients reach early layers?",
    [
        Option("The '1' in dy/dx = 1 + dF/dx lets it through", correct=True,
               feedback="Right: even if dF/dx is tiny, the identity path passes the gradient "
                        "through unchanged."),
        Option("F(x) has fewer parameters to train", feedback="The block has exactly the same "
               "layers as its plain twin."),
        Option("The addition normalises the activations", feedback="Adding does not normalise; "
               "that is batch norm's job."),
        Option("x + F(x) doubles the gradient", feedback="It adds an identity term, not a "
               "factor of 2; the 1 matters because it does not shrink with depth."),
    ],
    "The shortcut adds an identity term to each block's Jacobian, dy/dx = 1 + dF/dx, so the "
    "backward signal has a direct path to the first layers. Plain stacks only have the "
    "product of the layers' factors.",
)

quiz.augmentation_gap = Quiz(
    "A small training set is trained for many epochs. What does random crop + flip "
    "augmentation do to TRAIN accuracy and to the gap between train and held-out accuracy?",
    [
        Option("Train accuracy rises faster; the gap grows", feedback="Augmented images are "
               "harder to memorise, not easier."),
        Option("Train accuracy ends lower; the gap shrinks", correct=True,
               feedback="The network cannot memorise exact pixels any more, so train accuracy "
                        "goes down or grows more slowly."),
        Option("No visible effect on either of them", feedback="Run it and compare the two "
               "bars."),
        Option("Both fall by about the same amount", feedback="Validation accuracy usually "
               "holds up; it is mostly the train side that drops."),
    ],
    "Augmentation shows the network a slightly different version of each image every epoch. "
    "Memorising gets harder, so training accuracy rises more slowly, while validation "
    "accuracy usually holds up or improves: the train/validation gap (overfitting) shrinks. "
    "In a very short run the benefit may not show yet, and a smaller gap with LOWER "
    "validation accuracy is underfitting, not better generalisation.",
)

quiz.dropout_at_test = Quiz(
    "What does nn.Dropout(0.5) do to a prediction after model.eval()?",
    [
        Option("It still zeroes half the activations at random", feedback="Only in training "
               "mode; predictions would be random otherwise."),
        Option("It halves every activation instead", feedback="PyTorch uses 'inverted "
               "dropout': it scales during training, so nothing needs scaling at test time."),
        Option("Nothing: in eval mode it is the identity", correct=True,
               feedback="During training it zeroes and scales the rest by 1/(1-p), so the "
                        "expected activation already matches eval mode."),
    ],
    "Dropout and batch norm behave differently in training and evaluation. model.eval() "
    "switches both to their test behaviour; forgetting it is a classic silent bug (shown "
    "in this notebook).",
)

quiz.lr_range_pick = Quiz(
    "A learning-rate range test raises the rate every step and plots the training loss. "
    "The loss is lowest at a rate of 1e-2 and explodes after that. Which rate do you train "
    "with?",
    [
        Option("1e-2: the rate with the lowest loss", feedback="At the minimum the loss has "
               "already stopped falling; a little higher and it explodes. Back off."),
        Option("About 1e-3, ten times below the minimum", correct=True,
               feedback="There the loss still falls steeply: fast, and safely below the "
                        "edge."),
        Option("The largest rate before the loss explodes", feedback="That is the edge of "
               "divergence: one noisy batch and training blows up."),
        Option("The smallest rate tried, to be safe", feedback="Safe but slow: at 1e-6 the "
               "loss hardly moves, so the budget is wasted."),
    ],
    "The range test (Smith, 2015; fastai's lr_find) trains briefly while the rate grows. "
    "Where the loss falls fastest the rate is useful; at the minimum it is already too big "
    "for long training. A tenth of the rate at the minimum is the usual pick, for a constant "
    "rate or as the peak of one-cycle.",
)

quiz.adamw_decay = Quiz(
    "Adam(weight_decay=wd) and AdamW(weight_decay=wd): what is the difference?",
    [
        Option("None: AdamW is only a newer name for Adam", feedback="They update the "
               "weights differently: the explanation gives both formulas."),
        Option("AdamW shrinks weights outside the adaptive step", correct=True,
               feedback="Adam adds wd * w to the gradient, where its per-weight scaling "
                        "weakens the decay for weights with large gradients; AdamW subtracts "
                        "lr * wd * w on its own."),
        Option("AdamW adds the decay to the gradient", feedback="That is what Adam's "
               "weight_decay does (L2); AdamW moves it out of the gradient."),
    ],
    "Adam's weight_decay adds wd * w to the gradient (L2), and Adam then divides the whole "
    "gradient by its running size, so the decay is uneven. AdamW (Loshchilov and Hutter, "
    "2019) decouples it: w -= lr * wd * w on top of the Adam step, the same shrink for every "
    "weight. With plain SGD the two are the same thing.",
)

quiz.speedrun_reality = Quiz(
    "Which of these does NOT speed up training a CNN on a GPU?",
    [
        Option("num_workers=8 on tensors that are already on the GPU", correct=True,
               feedback="Worker processes help with decoding files on the CPU; for data already "
                        "on the GPU they only add overhead."),
        Option("Keeping the dataset and augmentation on the GPU",
               feedback="It removes the CPU data pipeline as a bottleneck."),
        Option("Mixed precision (bf16/fp16) and channels_last", feedback="They use the GPU's "
               "tensor cores."),
    ],
    "The speed-runs win by never leaving the GPU: data preloaded, batch-wise augmentation on "
    "the device, low precision with tensor cores, channels_last memory layout and a short, "
    "aggressive learning-rate schedule.",
)
