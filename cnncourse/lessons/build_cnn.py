"""Lesson 08 · Build a CNN in PyTorch: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from cnncourse.course.exercises import Checks, Mistake, expect_close, expect_tensor
from cnncourse.course.quiz import Quizzes
from cnncourse.models import SimpleCNN

check = Checks("build_cnn")
quiz = Quizzes("build_cnn")


# Reference solutions ------------------------------------------------------------------------------

def simple_cnn_forward(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The forward pass of ``SimpleCNN``, written with the model's own layers.

    ``x`` is ``(N, 3, 32, 32)``; the result is logits ``(N, 10)``.
    """
    x = model.pool(F.relu(model.conv1(x)))   # (N, 16, 16, 16)
    x = model.pool(F.relu(model.conv2(x)))   # (N, 32, 8, 8)
    x = torch.flatten(x, 1)                  # (N, 2048): keeps the batch axis
    x = F.relu(model.fc1(x))                 # (N, 128)
    return model.fc2(x)                      # (N, 10) logits: no softmax here


def train_step(model: nn.Module, X: torch.Tensor, y: torch.Tensor,
               optimizer: torch.optim.Optimizer, loss_fn: Any) -> float:
    """One optimisation step on one batch; returns the batch loss as a Python float."""
    logits = model(X)                        # 1. forward pass: (N, num_classes)
    loss = loss_fn(logits, y)                # 2. loss against the true labels
    optimizer.zero_grad()                    # 3. clear the previous batch's gradients
    loss.backward()                          # 4. backpropagate: fill p.grad for every weight
    optimizer.step()                         # 5. update the weights
    return loss.item()


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows of ``logits`` ``(N, K)`` whose largest score is at the label ``y``."""
    predictions = logits.argmax(dim=1)       # (N,) one class per example
    return (predictions == y).float().mean().item()


# Checks -------------------------------------------------------------------------------------------

def _model(image_size: int = 32, seed: int = 0) -> SimpleCNN:
    torch.manual_seed(seed)  # checks run on their own random state (Check.verdict)
    model = SimpleCNN(image_size=image_size)
    with torch.no_grad():  # bigger biases so a missing ReLU changes the output clearly
        for layer in (model.conv1, model.conv2, model.fc1):
            layer.bias.normal_(0, 0.5)
    return model.eval()


def _no_relu(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    x = model.pool(model.conv1(x))
    x = model.pool(model.conv2(x))
    return model.fc2(model.fc1(torch.flatten(x, 1)))


@check.of(simple_cnn_forward, causes=[
    ((f"(1x{3 * 32 * 8 * 8} ",),                  # the 3 images flattened into one row
     "torch.flatten(x) without the 1 flattened the whole batch into one long row, so fc1 met "
     "3 x 2048 numbers. Use torch.flatten(x, 1): it keeps dim 0, one row of 2048 per image.")])
def check_simple_cnn_forward(fn):
    """Compare with SimpleCNN's own forward on 32x32 and on a model built for 16x16 images."""
    model = _model()
    x = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        want = model(x)
        got = fn(model, x)
    expect_tensor(got, (3, 10), what="simple_cnn_forward(model, x) for 3 images")
    with torch.no_grad():
        slips = [(F.softmax(want, dim=1), "you returned probabilities (softmax). Return the "
                                          "logits from fc2: CrossEntropyLoss applies softmax "
                                          "itself (notebook 06)."),
                 (F.relu(want), "you applied ReLU to the output of fc2. The logits must be able "
                                "to go negative: no activation after the last layer."),
                 (_no_relu(model, x), "you left out the ReLUs after conv1, conv2 and fc1; "
                                      "without them the layers collapse into a linear model "
                                      "(notebook 05).")]
    expect_close(got, want, "simple_cnn_forward(model, x)", atol=1e-5, mistakes=slips,
                 hint="Order: conv1 -> ReLU -> pool, conv2 -> ReLU -> pool, flatten, fc1 -> "
                      "ReLU, fc2.")
    small = _model(image_size=16, seed=2)                    # fc1 expects 32*4*4 = 512
    x16 = torch.randn(4, 3, 16, 16, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        want = small(x16)
        try:
            got = fn(small, x16)
        except RuntimeError as err:
            raise Mistake("it works for 32x32, but on a model built for 16x16 images it fails "
                          f"({err}). A hard-coded x.view(-1, 32 * 8 * 8) ties the forward to "
                          "one image size; torch.flatten(x, 1) works for any.") from None
    if isinstance(got, torch.Tensor) and got.shape[0] != 4:
        raise Mistake(f"for 4 images your forward returned {got.shape[0]} rows: a hard-coded "
                      "x.view(-1, 32 * 8 * 8) folded the images together. Use "
                      "torch.flatten(x, 1), which keeps the batch axis.")
    expect_close(got, want, what="simple_cnn_forward on a model built for 16x16 images",
                 atol=1e-5)
    return "your forward pass matches SimpleCNN exactly."


def _step_setup(seed: int = 0) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(seed)  # checks run on their own random state (Check.verdict)
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 3))
    X = torch.randn(6, 3, 2, 2)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    return model, X, y


def _with_stale_grads(model: nn.Module) -> None:
    for p in model.parameters():  # gradients left over from an earlier batch
        p.grad = torch.full_like(p, 0.5)


def _record_calls(model: nn.Module, opt: torch.optim.Optimizer) -> list[str]:
    """Record, in order, the optimizer's zero_grad/step calls and the backward pass."""
    calls: list[str] = []
    zero_grad, step = opt.zero_grad, opt.step

    def spy_zero_grad(*args, **kwargs):
        calls.append("zero_grad")
        return zero_grad(*args, **kwargs)

    def spy_step(*args, **kwargs):
        calls.append("step")
        return step(*args, **kwargs)

    opt.zero_grad, opt.step = spy_zero_grad, spy_step
    first = next(model.parameters())
    first.register_hook(lambda grad: calls.append("backward"))  # runs inside loss.backward()
    return calls


def _diagnose_order(calls: list[str]) -> None:
    """Name the mistake in the order of zero_grad, backward and step, if there is one."""
    if "backward" not in calls:
        raise Mistake("loss.backward() was never called, so there were no gradients for "
                      "optimizer.step() to use.")
    if "step" not in calls:
        raise Mistake("optimizer.step() was never called: the gradients were computed but "
                      "the weights never moved. Call it after loss.backward().")
    backward, step = calls.index("backward"), len(calls) - 1 - calls[::-1].index("step")
    if step < backward:
        raise Mistake("optimizer.step() ran before loss.backward(), so it used the old "
                      "gradients. The order is zero_grad, backward, step.")
    if "zero_grad" in calls[backward + 1:step]:
        raise Mistake("optimizer.zero_grad() ran between loss.backward() and optimizer.step(): "
                      "it erased the fresh gradients, so step() had nothing to use. Call "
                      "zero_grad() first, then backward(), then step().")


@check.of(train_step, causes=[
    (("inplace operation",),
     "optimizer.step() changed the weights before loss.backward() had used them. The order is "
     "forward, loss, zero_grad, backward, step; check the order of the steps.")])
def check_train_step(fn):
    """Run one step from stale gradients and compare the updated weights with the reference."""
    model, X, y = _step_setup()
    ref = copy.deepcopy(model)
    loss_fn = nn.CrossEntropyLoss()
    _with_stale_grads(model)
    _with_stale_grads(ref)
    before = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    ref_loss = train_step(ref, X, y, torch.optim.SGD(ref.parameters(), lr=0.1), loss_fn)
    calls = _record_calls(model, opt)          # the order of zero_grad, backward and step
    got = fn(model, X, y, opt, loss_fn)
    _diagnose_order(calls)
    after = [p.detach() for p in model.parameters()]
    if all(torch.equal(a, b) for a, b in zip(before, after)):
        raise Mistake("the weights did not change: call optimizer.step() after loss.backward().")
    # What the weights would be had the old gradients been kept (no zero_grad):
    stale, _, _ = _step_setup()
    _with_stale_grads(stale)
    loss_fn(stale(X), y).backward()
    torch.optim.SGD(stale.parameters(), lr=0.1).step()
    if all(torch.allclose(a, b, atol=1e-6) for a, b in zip(after, stale.parameters())):
        raise Mistake("the old gradients were added to the new ones: call "
                      "optimizer.zero_grad() before loss.backward().")
    if not all(torch.allclose(a, b, atol=1e-6) for a, b in zip(after, ref.parameters())):
        raise Mistake("the weights changed, but not as one step of forward, loss, zero_grad, "
                      "backward, step would change them. Check the order of the steps.")
    if isinstance(got, torch.Tensor):
        raise Mistake("you returned the loss tensor. Return loss.item(), a plain float: a "
                      "tensor keeps the whole computation graph alive in memory.")
    if not isinstance(got, float):
        raise Mistake(f"return the loss as a float (loss.item()), got {type(got).__name__}.")
    if abs(got - ref_loss) > 1e-5:
        raise Mistake(f"you returned {got:.4f}, but the batch loss before the update is "
                      f"{ref_loss:.4f}. Return the loss you called backward() on, not one "
                      "computed after the step.")
    return "one step updates the weights exactly like forward, loss, zero_grad, backward, step."


@check.of(accuracy)
def check_accuracy(fn):
    """Compare with hand-counted accuracies on a square and a tall batch of logits."""
    square = torch.tensor([[2.0, 1.9, 0.0, 0.0],
                           [1.8, 0.0, 0.5, 0.0],
                           [0.0, 0.0, 0.0, 3.0],
                           [0.0, 0.0, 0.4, 0.0]])
    y = torch.tensor([0, 0, 3, 1])  # rows 0, 1 and 2 are right: 3 of 4
    got = fn(square, y)
    if isinstance(got, torch.Tensor):
        if got.numel() != 1:
            raise Mistake(f"you returned a tensor of shape {tuple(got.shape)}; return one "
                          "number, the fraction of correct predictions.")
        raise Mistake("you returned a tensor; return a Python float with .item().")
    if not isinstance(got, float):
        raise Mistake(f"return a float between 0 and 1, got {type(got).__name__} {got!r}.")
    if abs(got - 3) < 1e-6:
        raise Mistake("you returned the number of correct predictions (3); divide by the "
                      "number of examples to get a fraction (3/4).")
    wrong_dim = (square.argmax(dim=0) == y).float().mean().item()
    if abs(got - wrong_dim) < 1e-6:                         # 0.5 for this batch
        raise Mistake("you took argmax over dim=0 (down the batch). Each row is one example: "
                      "use argmax(dim=1).")
    no_dim = (square.argmax() == y).float().mean().item()  # 0.0 for this batch
    if abs(got - no_dim) < 1e-6:
        raise Mistake("you called argmax without dim: it returns one index for the whole "
                      "batch. Use logits.argmax(dim=1) for one prediction per row.")
    if abs(got - 0.75) > 1e-6:
        raise Mistake(f"you returned {got:.3f}, but 3 of the 4 predictions are right (0.75). "
                      "Compare logits.argmax(dim=1) with y.")
    tall = torch.randn(50, 10, generator=torch.Generator().manual_seed(9))
    labels = torch.randint(0, 10, (50,), generator=torch.Generator().manual_seed(10))
    want = (tall.argmax(dim=1) == labels).float().mean().item()
    got = fn(tall, labels)
    if not isinstance(got, float) or abs(got - want) > 1e-6:
        raise Mistake(f"on 50 examples with 10 classes you returned {got!r}, expected "
                      f"{want:.3f}.")
    return "your accuracy matches hand counts."
