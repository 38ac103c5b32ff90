"""The training loop used from notebook 08 on: ``fit`` and ``evaluate``.

``fit`` is the loop the full-CNN notebook writes by hand, with the same numbered steps, plus a tqdm
progress bar and a history. After each epoch it scores the validation split (``val_data``),
the data used to choose settings; ``evaluate`` scores the test split once, at the end. It
keeps running sums on the device and reads them once per epoch, so it adds no measurable
overhead over a bare PyTorch loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn

from cnncourse.modelutils import check_model, eval_mode, model_device
from cnncourse.validate import whole_number

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


class History(dict):
    """Per-epoch metrics: ``history["train_loss"]`` is a list with one value per epoch.

    Keys: ``epoch``, ``train_loss``, ``train_acc``; with validation data ``val_loss`` and
    ``val_acc``. It is a
    plain dict of lists, so ``pandas.DataFrame(history)`` works too. ``note`` (e.g.
    ``"stand-in"``) is shown in the titles of :meth:`plot`.
    """

    note: str | None = None

    def plot(self, ax: Any = None) -> Any:
        """Plot loss and accuracy per epoch (see ``cnncourse.viz.plot_history``)."""
        from cnncourse.viz import plot_history

        return plot_history(self, ax=ax)

    def __repr__(self) -> str:
        last = {k: round(v[-1], 4) for k, v in self.items() if v and k != "epoch"}
        note = f", note={self.note!r}" if self.note else ""
        return f"History({len(self.get('epoch', []))} epochs, last={last}{note})"


def _check_batches(data: Any, where: str, name: str) -> None:
    if isinstance(data, torch.Tensor) or not hasattr(data, "__iter__"):
        raise TypeError(f"{where}: {name} must yield (X, y) batches, e.g. a "
                        f"cnncourse.data.loader.TensorLoader or a torch DataLoader; got "
                        f"{type(data).__name__}.")


def count_correct(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """How many rows of ``logits (N, K)`` have their largest value at the label ``y (N,)``.

    The one accuracy count of the package (``fit``, ``evaluate``, the speed-run's TTA); a
    0-d tensor on the logits' device, so summing it over batches needs no sync.
    """
    return (logits.detach().argmax(dim=1) == y).sum()


class _Tally:
    """Running loss and accuracy sums kept on the device: no ``.item()`` sync per batch."""

    def __init__(self, device: torch.device):
        self.loss_sum = torch.zeros((), device=device)
        self.correct = torch.zeros((), device=device, dtype=torch.long)
        self.count = 0

    def add(self, logits: torch.Tensor, y: torch.Tensor, loss: torch.Tensor) -> None:
        self.loss_sum += loss.detach() * y.shape[0]
        self.correct += count_correct(logits, y)
        self.count += y.shape[0]

    def result(self, where: str, name: str) -> dict[str, float]:
        """``{"loss", "accuracy"}``, read from the device once."""
        if self.count == 0:
            raise ValueError(f"{where}: {name} yielded no batches; check it is not empty.")
        return {"loss": self.loss_sum.item() / self.count,
                "accuracy": self.correct.item() / self.count}


@torch.no_grad()
def evaluate(model: nn.Module, data: Batches, loss_fn: Callable | None = None,
             device: torch.device | str | None = None) -> dict[str, float]:
    """Mean loss and accuracy of ``model`` over the batches in ``data`` (one split, once).

    Returns ``{"loss": ..., "accuracy": ...}``. The model runs in eval mode (dropout off,
    batch norm on its running statistics) and goes back to the mode it was in.
    """
    check_model(model, "evaluate")
    _check_batches(data, "evaluate", "data")
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    device = torch.device(device) if device is not None else model_device(model)
    tally = _Tally(device)
    with eval_mode(model):
        for X, y in data:
            X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
            logits = model(X)                                  # (N, num_classes)
            tally.add(logits, y, loss_fn(logits, y))
    return tally.result("evaluate", "the data")


def fit(model: nn.Module, train_data: Batches, *,
        val_data: Batches | None = None, epochs: int = 1, lr: float = 1e-3,
        optimizer: torch.optim.Optimizer | None = None, loss_fn: Callable | None = None,
        scheduler: Any = None, device: torch.device | str | None = None,
        seed: int | None = None, progress: bool = True,
        callback: Callable[[History], Any] | None = None, note: str | None = None) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_data`` and return a :class:`History`.

    Args:
        model: any classifier returning logits ``(N, num_classes)``.
        train_data: any iterable of ``(X, y)`` batches: a ``torch.utils.data.DataLoader``,
            ``data.train.loader(128, True)``, or a list of tensor pairs.
        val_data: batches scored after every epoch (``val_loss``, ``val_acc``): watch these
            to choose epochs and learning rates, then score the test split once with
            :func:`evaluate`.
        epochs: passes over the training data.
        lr: learning rate for the default Adam optimizer (ignored when ``optimizer`` is given).
        loss_fn: defaults to ``nn.CrossEntropyLoss()`` (it expects logits, not probabilities).
        scheduler: optional LR scheduler, stepped after every batch (e.g. OneCycleLR).
        device: where to train; defaults to the device the model is already on.
        seed: seed everything before training (shuffling, dropout); seed before building
            the model too, and the same seed gives the same loss curve on one machine.
        progress: show a tqdm progress bar per epoch.
        callback: called with the history after each epoch (e.g. a live plot).
        note: a word about the data shown in the progress bar and plot titles, e.g.
            ``note="stand-in" if data.synthetic else None``.
    """
    check_model(model, "fit")
    _check_batches(train_data, "fit", "train_data")
    scored = {"val": val_data} if val_data is not None else {}
    for name, batches in scored.items():
        _check_batches(batches, "fit", f"{name}_data")
    whole_number(epochs, "epochs", "fit")
    if optimizer is None and (not isinstance(lr, (int, float)) or lr <= 0):
        raise ValueError(f"fit: lr must be a positive number, got {lr!r}.")
    if seed is not None:
        from cnncourse.settings import seed_everything

        seed_everything(seed)
    device = torch.device(device) if device is not None else model_device(model)
    model.to(device)
    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    history = History(epoch=[], train_loss=[], train_acc=[])
    history.note = note
    for name in scored:
        history.update({f"{name}_loss": [], f"{name}_acc": []})

    from tqdm.auto import tqdm

    for epoch in range(1, epochs + 1):
        model.train()
        tally = _Tally(device)
        desc = f"epoch {epoch}/{epochs}" + (f" ({note})" if note else "")
        # Not ``tqdm(train_data)``: that bar closes itself when the batches run out, before
        # the epoch's scores can be shown on it.
        bar = tqdm(total=len(train_data) if hasattr(train_data, "__len__") else None,
                   desc=desc, leave=True, disable=not progress, unit="batch")
        for X, y in train_data:
            X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
            logits = model(X)                 # 1. forward pass: (N, num_classes)
            loss = loss_fn(logits, y)         # 2. loss against the true labels
            optimizer.zero_grad(set_to_none=True)  # 3. clear old gradients
            loss.backward()                   # 4. backpropagate
            optimizer.step()                  # 5. update the weights
            if scheduler is not None:
                scheduler.step()
            tally.add(logits, y, loss)
            bar.update()
        train = tally.result("fit", "train_data")
        history["epoch"].append(epoch)
        history["train_loss"].append(train["loss"])
        history["train_acc"].append(train["accuracy"])
        postfix = {"loss": f"{train['loss']:.3f}", "acc": f"{train['accuracy']:.3f}"}
        for name, batches in scored.items():
            scores = evaluate(model, batches, loss_fn, device)
            history[f"{name}_loss"].append(scores["loss"])
            history[f"{name}_acc"].append(scores["accuracy"])
            postfix[f"{name}_acc"] = f"{scores['accuracy']:.3f}"
        bar.set_postfix(postfix)
        bar.close()
        if callback is not None:
            callback(history)
    return history
