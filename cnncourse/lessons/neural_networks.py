"""Lesson 02 · Neural-network basics: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import torch

from cnncourse.course.exercises import Checks, Mistake, expect_close
from cnncourse.course.quiz import Quizzes

check = Checks("neural_networks")
quiz = Quizzes("neural_networks")


# Reference solutions ------------------------------------------------------------------------------

def neuron(x: torch.Tensor, w: torch.Tensor, b: float) -> torch.Tensor:
    """One ReLU neuron on a batch: ``x`` (N, D), ``w`` (D,), ``b`` a number -> (N,)."""
    z = x @ w + b                      # (N,): weighted sum of the inputs plus the bias
    return torch.clamp(z, min=0)       # ReLU: negative sums become 0


def softmax(logits: torch.Tensor) -> torch.Tensor:
    """Numerically stable softmax over the classes: ``logits`` (N, K) -> probabilities (N, K)."""
    shifted = logits - logits.max(dim=1, keepdim=True).values  # largest logit becomes 0
    e = torch.exp(shifted)                                     # no overflow: every value <= 1
    return e / e.sum(dim=1, keepdim=True)                      # each row sums to 1


def sgd_step(w: torch.Tensor, grad: torch.Tensor, lr: float) -> torch.Tensor:
    """One gradient-descent step: new weights ``w - lr * grad`` (``w`` itself is unchanged)."""
    return w - lr * grad               # walk downhill, against the gradient


# Checks -------------------------------------------------------------------------------------------

@check.of(neuron)
def check_neuron(fn):
    """ReLU(x @ w + b) on a batch of 4 inputs with 3 features each."""
    x = torch.tensor([[1.0, 2.0, 3.0],
                      [0.5, -1.0, 2.0],
                      [2.0, 3.0, -1.0],
                      [0.0, 0.0, 0.0]])           # (N=4, D=3)
    w = torch.tensor([0.2, -0.5, 1.0])             # (D,)
    b = 0.3
    out = fn(x, w, b)                               # relu([2.5, 2.9, -1.8, 0.3])
    if isinstance(out, torch.Tensor) and tuple(out.shape) == (4, 3):
        raise Mistake("the output is (4, 3): you multiplied inputs by weights but did not "
                      "add the products up. A neuron gives ONE number per input: "
                      "(x * w).sum(dim=1) or x @ w.")
    if isinstance(out, torch.Tensor) and out.dim() == 0:
        raise Mistake("the output is a single number for the whole batch: you summed over "
                      "every element. Sum over the features only (dim=1), or use x @ w, to "
                      "get one value per input: shape (4,).")
    relu_xw = torch.clamp(x @ w, min=0)
    slips = [(relu_xw, "you forgot the bias b: add it to the weighted sum before the ReLU."),
             (x @ w + b, "the values are right before the activation; apply ReLU (negative "
                         "sums become 0), e.g. torch.clamp(z, min=0) or torch.relu(z)."),
             (relu_xw + b, "you added the bias after the ReLU; add it first: relu(x @ w + b).")]
    expect_close(out, neuron(x, w, b), "neuron(x, w, b)", atol=1e-5, mistakes=slips)
    # A negative case: the ReLU must zero it.
    neg = fn(torch.tensor([[1.0, 1.0, 1.0]]), torch.tensor([-1.0, -1.0, -1.0]), 0.5)
    expect_close(neg, torch.tensor([0.0]), what="neuron on an input with weighted sum -2.5",
                 hint="ReLU turns a negative weighted sum into 0.")


@check.of(softmax, forbid=("torch.softmax", "torch.Tensor.softmax", "torch.nn.functional.softmax",
                           "torch.special.softmax", "torch.nn.Softmax", "torch.log_softmax",
                           "torch.Tensor.log_softmax", "torch.nn.functional.log_softmax",
                           "torch.special.log_softmax", "torch.nn.LogSoftmax"),
          why="The exercise is to build softmax yourself from torch.exp, a maximum and a sum; "
              "torch.softmax is only what your answer is compared against.")
def check_softmax(fn):
    """Rows sum to 1, match torch.softmax, survive logits in the thousands; no built-in softmax."""
    logits = torch.tensor([[2.0, 1.0, 0.1, -1.0],
                           [0.0, 0.0, 0.0, 0.0],
                           [-3.0, 5.0, 1.0, 2.0]])    # (N=3, K=4): N != K catches wrong axes
    big = torch.tensor([[1000.0, 999.0, 990.0], [-1000.0, -1001.0, -1010.0]])
    column_max = torch.exp(logits - logits.max(dim=0, keepdim=True).values)
    column_max = column_max / column_max.sum(dim=1, keepdim=True)   # max over dim 0 by mistake
    slips = [
        (torch.exp(logits), "you returned exp(logits) but did not divide by the row sums, so "
                            "the rows do not add up to 1."),
        (torch.softmax(logits, dim=0), "the COLUMNS sum to 1 instead of the rows: you "
                                       "normalised over dim=0 (the batch). Sum over the "
                                       "classes: dim=1 with keepdim=True."),
        (column_max, "the rows sum to 1, but you subtracted the maximum of each COLUMN (max "
                     "over dim=0, the batch), which shifts the classes of a row by different "
                     "amounts and changes the probabilities. Subtract each row's own maximum: "
                     "logits.max(dim=1, keepdim=True).values."),
        (lambda p: abs(p.sum().item() - 1) < 1e-4,
         "the whole batch sums to 1, not each row: a sum without dim adds up every element. "
         "Sum each row: e.sum(dim=1, keepdim=True)."),
        (lambda p: torch.allclose(p.sum(dim=1), torch.ones(3, dtype=p.dtype), atol=1e-4),
         "each row sums to 1 but the values are off: divide exp(logits) by the sum of "
         "exp(logits), not of the logits themselves.")]
    expect_close(fn(logits.clone()), torch.softmax(logits, dim=1), "softmax(logits)",
                 atol=1e-5, mistakes=slips)
    out = fn(big.clone())
    if not isinstance(out, torch.Tensor) or not torch.isfinite(out).all():
        raise Mistake("with logits like ±1000 you get inf or nan: exp overflows for large "
                      "logits (and a row far below the maximum you subtracted underflows to "
                      "0/0). Subtract each row's own maximum first, "
                      "logits - logits.max(dim=1, keepdim=True).values; softmax does not "
                      "change when a whole row shifts by the same number.")
    expect_close(out, torch.softmax(big, dim=1), what="softmax of very large logits",
                 atol=1e-5, hint="Subtract each row's own maximum (max over dim=1, "
                                 "keepdim=True), not one maximum for the whole batch.")


@check.of(sgd_step)
def check_sgd_step(fn):
    """New weights = w - lr * grad, without modifying w."""
    w = torch.tensor([1.0, -2.0, 0.5])
    grad = torch.tensor([0.5, -1.0, 2.0])
    lr = 0.1
    w_before = w.clone()
    new = fn(w, grad.clone(), lr)
    only_update = ("you returned only the update (lr * grad); return the new weights: "
                   "w - lr * grad.")
    slips = [(w_before + lr * grad, "you moved WITH the gradient (w + lr * grad), which climbs "
                                    "uphill and increases the loss. Subtract: w - lr * grad."),
             (w_before - grad, "the step is too big: you forgot to multiply the gradient by "
                               "the learning rate lr."),
             (lr * grad, only_update), (-lr * grad, only_update),
             (w_before - grad / lr, "you divided by lr; multiply the gradient by lr instead.")]
    expect_close(new, w_before - lr * grad, "sgd_step(w, grad, lr)", atol=1e-6, mistakes=slips)
    if not torch.equal(w, w_before):
        raise Mistake("the new weights are right, but you also changed w in place (w -= ...). "
                      "Return a new tensor, w - lr * grad, so the old weights stay available "
                      "(and autograd does not complain about in-place changes to a leaf).")
    # A second learning rate, to catch a hard-coded 0.1.
    expect_close(fn(w_before.clone(), grad, 0.5), w_before - 0.5 * grad,
                 what="sgd_step with lr=0.5", atol=1e-6, hint="Use the lr argument.")
