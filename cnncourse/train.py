"""The training loop used from notebook 07 on: ``fit`` and ``evaluate``.

``fit`` is the loop notebook 07 writes by hand, with the same numbered steps, plus a tqdm
progress bar and a history. It keeps running sums on the device and reads them once per
epoch, so it adds no measurable overhead over a bare PyTorch loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


class History(dict):
    """Per-epoch metrics: ``history["train_loss"]`` is a list with one value per epoch.

    Keys: ``epoch``, ``train_loss``, ``train_acc`` and, with test data, ``test_loss`` and
    ``test_acc``. It is a plain dict of lists, so ``pandas.DataFrame(history)`` works too.
    """

    def plot(self, ax: Any = None) -> Any:
        """Plot loss and accuracy per epoch (see ``cnncourse.viz.plot_history``)."""
        from cnncourse.viz import plot_history

        return plot_history(self, ax=ax)

    def __repr__(self) -> str:
        last = {k: round(v[-1], 4) for k, v in self.items() if v and k != "epoch"}
        return f"History({len(self.get('epoch', []))} epochs, last={last})"


def _check_model(model: Any, where: str) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"{where}: expected a torch.nn.Module as the model, got "
                        f"{type(model).__name__}.")


def _check_batches(data: Any, where: str, name: str) -> None:
    if isinstance(data, torch.Tensor) or not hasattr(data, "__iter__"):
        raise TypeError(f"{where}: {name} must yield (X, y) batches, e.g. a "
                        f"cnncourse.loader.TensorLoader or a torch DataLoader; got "
                        f"{type(data).__name__}.")


@torch.no_grad()
def evaluate(model: nn.Module, data: Batches, loss_fn: Callable | None = None,
             device: torch.device | str | None = None) -> dict[str, float]:
    """Mean loss and accuracy of ``model`` over the batches in ``data``."""
    _check_model(model, "evaluate")
    _check_batches(data, "evaluate", "data")
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    device = torch.device(device) if device is not None else _model_device(model)
    was_training = model.training
    model.eval()
    loss_sum = torch.zeros((), device=device)
    correct = torch.zeros((), device=device, dtype=torch.long)
    count = 0
    for X, y in data:
        X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
        logits = model(X)                                  # (N, num_classes)
        loss_sum += loss_fn(logits, y) * y.shape[0]
        correct += (logits.argmax(dim=1) == y).sum()
        count += y.shape[0]
    model.train(was_training)
    if count == 0:
        raise ValueError("evaluate: the data yielded no batches; check it is not empty.")
    return {"loss": loss_sum.item() / count, "accuracy": correct.item() / count}


def fit(model: nn.Module, train_data: Batches, test_data: Batches | None = None, *,
        epochs: int = 1, lr: float = 1e-3, optimizer: torch.optim.Optimizer | None = None,
        loss_fn: Callable | None = None, scheduler: Any = None,
        device: torch.device | str | None = None, seed: int | None = None,
        progress: bool = True, callback: Callable[[History], Any] | None = None) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_data`` and return a :class:`History`.

    Args:
        model: any classifier returning logits ``(N, num_classes)``.
        train_data, test_data: iterables of ``(X, y)`` batches.
        epochs: passes over the training data.
        lr: learning rate for the default Adam optimizer (ignored when ``optimizer`` is given).
        loss_fn: defaults to ``nn.CrossEntropyLoss()`` (it expects logits, not probabilities).
        scheduler: optional LR scheduler, stepped after every batch (e.g. OneCycleLR).
        device: where to train; defaults to the device the model is already on.
        seed: seed everything before training (shuffling, dropout); seed before building
            the model too, and the same seed gives the same loss curve on one machine.
        progress: show a tqdm progress bar per epoch.
        callback: called with the history after each epoch (e.g. a live plot).
    """
    _check_model(model, "fit")
    _check_batches(train_data, "fit", "train_data")
    if test_data is not None:
        _check_batches(test_data, "fit", "test_data")
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}.")
    if optimizer is None and (not isinstance(lr, (int, float)) or lr <= 0):
        raise ValueError(f"fit: lr must be a positive number, got {lr!r}.")
    if seed is not None:
        from cnncourse.settings import seed_everything

        seed_everything(seed)
    device = torch.device(device) if device is not None else _model_device(model)
    model.to(device)
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    history = History(epoch=[], train_loss=[], train_acc=[])
    if test_data is not None:
        history.update(test_loss=[], test_acc=[])

    from tqdm.auto import tqdm

    for epoch in range(1, epochs + 1):
        model.train()
        loss_sum = torch.zeros((), device=device)
        correct = torch.zeros((), device=device, dtype=torch.long)
        count = 0
        bar = tqdm(train_data, desc=f"epoch {epoch}/{epochs}", leave=True,
                   disable=not progress, unit="batch")
        for X, y in bar:
            X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
            logits = model(X)                 # 1. forward pass: (N, num_classes)
            loss = loss_fn(logits, y)         # 2. loss against the true labels
            optimizer.zero_grad(set_to_none=True)  # 3. clear old gradients
            loss.backward()                   # 4. backpropagate
            optimizer.step()                  # 5. update the weights
            if scheduler is not None:
                scheduler.step()
            # Running sums stay on the device: no per-batch .item() sync.
            loss_sum += loss.detach() * y.shape[0]
            correct += (logits.detach().argmax(dim=1) == y).sum()
            count += y.shape[0]
        if count == 0:
            raise ValueError("fit: train_data yielded no batches; check it is not empty.")
        history["epoch"].append(epoch)
        history["train_loss"].append(loss_sum.item() / count)
        history["train_acc"].append(correct.item() / count)
        postfix = {"loss": f"{history['train_loss'][-1]:.3f}",
                   "acc": f"{history['train_acc'][-1]:.3f}"}
        if test_data is not None:
            scores = evaluate(model, test_data, loss_fn, device)
            history["test_loss"].append(scores["loss"])
            history["test_acc"].append(scores["accuracy"])
            postfix["test_acc"] = f"{scores['accuracy']:.3f}"
        bar.set_postfix(postfix)
        bar.close()
        if callback is not None:
            callback(history)
    return history


def _model_device(model: nn.Module) -> torch.device:
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")
