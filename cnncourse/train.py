"""The training loop used from notebook 08 on: ``fit`` and ``evaluate``.

``fit`` is the loop notebook 08 writes by hand, with the same numbered steps, a tqdm progress
bar and a history; it scores the validation split after each epoch.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import torch
from torch import nn

from cnncourse.modelutils import check_model, eval_mode, model_device
from cnncourse.validate import positive_number, whole_number

Batches = Iterable[tuple[torch.Tensor, torch.Tensor]]


class History(dict):
    """Per-epoch metrics, a plain dict of lists: ``epoch``, ``train_loss``, ``train_acc``
    and, with validation data, ``val_loss`` and ``val_acc``. ``note`` goes in plot titles."""

    note: str | None = None
    seconds: float = 0.0
    steps: int = 0
    lrs: tuple = ()
    stopped: str = "epochs"

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
    """How many rows of ``logits (N, K)`` have their largest value at the label ``y (N,)``
    (a 0-d tensor on the logits' device: summing it over batches needs no sync)."""
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


class Unfinished(RuntimeError):
    """A model whose training was interrupted (Ctrl-C / the stop button) was to be scored."""


def finished(model: nn.Module) -> bool:
    """False while ``fit`` is training ``model`` and after a run was interrupted."""
    return not getattr(model, "_cnncourse_unfinished", False)


def refuse_unfinished(model: nn.Module, what: str) -> None:
    """Raise :class:`Unfinished` when ``model``'s training was interrupted."""
    if not finished(model):
        raise Unfinished(f"{what}: this model's training was interrupted, so it is half "
                         "trained; re-run the cell that trains it (fit) to the end first.")


_TEST_SCORES: dict[int, tuple] = {}  # id(split) -> (split, models, their training runs, scores)


def score_test(model: nn.Module | dict[str, nn.Module], test_data: Batches,
               name: str = "this model", split: Any = None, **kwargs: Any) -> dict:
    """:func:`evaluate` on the test split, once.

    Asked again for the same model (a re-run cell) it returns the first scores; for a model
    changed since, it scores and says the split was already seen. The split is known by
    ``split`` (e.g. ``data.test``), else ``test_data``. A dict ``{name: model}`` is one use.
    """
    models = model if isinstance(model, dict) else {name: model}
    for each in models.values():
        refuse_unfinished(each, "score_test")
    key = split if split is not None else test_data
    # fit's runs, and every in-place change to the weights since (an optimizer step by hand)
    runs = [(each, (getattr(each, "_cnncourse_runs", 0), sum(p._version for p in
                                                             each.parameters())))
            for each in models.values()]
    if id(key) in _TEST_SCORES:
        first_runs, first = _TEST_SCORES[id(key)][1:]
        best = max(s["accuracy"] for s in first.values())
        shown = first[name]["accuracy"] if name in first else best
        if len(runs) == len(first_runs) and all(
                m is m0 and r == r0 for (m, r), (m0, r0) in zip(runs, first_runs)):
            print(f"Note: {name} was already scored on the test split ("
                  f"{'best ' if len(first) > 1 else ''}{best:.1%}); showing that first score, "
                  "not scoring again: the test split is used once.")
            return first if isinstance(model, dict) else first[name]
        print(f"Note: the test split has already been seen (first score {shown:.1%}), so this "
              "new score is no longer an untouched estimate of new images.")
    scores = {n: evaluate(m, test_data, **kwargs) for n, m in models.items()}
    _TEST_SCORES.setdefault(id(key), (key, runs, scores))  # the first use is the one kept
    return scores if isinstance(model, dict) else scores[name]


def evaluate(model: nn.Module, data: Batches, loss_fn: Callable | None = None,
             device: torch.device | str | None = None) -> dict[str, float]:
    """Mean loss and accuracy of ``model`` over the batches in ``data`` (one split, once).

    Returns ``{"loss": ..., "accuracy": ...}``. The model runs in eval mode (dropout off,
    batch norm on its running statistics) and goes back to the mode it was in.
    """
    check_model(model, "evaluate")
    refuse_unfinished(model, "evaluate")
    return _evaluate(model, data, loss_fn, device)


@torch.no_grad()
def _evaluate(model: nn.Module, data: Batches, loss_fn: Callable | None = None,
              device: torch.device | str | None = None) -> dict[str, float]:
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


OPTIMIZERS = ("adam", "adamw", "sgd", "momentum")
"""Optimizer names ``fit`` accepts: Adam, AdamW (decoupled weight decay), plain SGD, and SGD
with momentum 0.9."""

SCHEDULES = ("constant", "warmup", "one_cycle")
"""Learning-rate schedules ``fit`` accepts: a constant rate, a linear warm-up over the first
10% of the steps then constant, and one-cycle (``torch.optim.lr_scheduler.OneCycleLR``:
warm up to ``lr`` over 30% of the steps, then anneal to almost zero)."""

WARMUP_SHARE = 0.1
_TIME_STEPS = 10_000  # a budgeted run's schedule: this many points over the budget's time


def make_optimizer(name: str, params: Any, lr: float, weight_decay: float = 0.0
                   ) -> torch.optim.Optimizer:
    """The optimizer called ``name`` (see :data:`OPTIMIZERS`) over ``params``.

    ``weight_decay`` is decoupled for ``"adamw"`` (the weights shrink by ``lr * weight_decay``
    each step) and added to the gradient (L2) for the others, as PyTorch does.
    """
    if not isinstance(name, str) or name.strip().lower() not in OPTIMIZERS:
        raise ValueError(f"fit: optimizer must be a torch.optim.Optimizer or one of "
                         f"{', '.join(map(repr, OPTIMIZERS))}, got {name!r}.")
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, (int, float)) \
            or not 0 <= weight_decay < 1:
        raise ValueError(f"fit: weight_decay must be a number in [0, 1), e.g. 5e-4, got "
                         f"{weight_decay!r}.")
    name = name.strip().lower()
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)
    return torch.optim.SGD(params, lr=lr, momentum=0.9 if name == "momentum" else 0.0,
                           weight_decay=weight_decay)


def _make_scheduler(schedule: str, optimizer: torch.optim.Optimizer, lr: float,
                    total_steps: int) -> Any:
    if schedule == "one_cycle":
        if total_steps < 2:
            return None
        # Momentum cycles too (0.95 -> 0.85 -> 0.95), unless there is none (plain SGD).
        has_momentum = "betas" in optimizer.defaults or optimizer.defaults.get("momentum", 0)
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=total_steps,
                                                   cycle_momentum=bool(has_momentum))
    if schedule == "warmup":
        warm = max(1, round(WARMUP_SHARE * total_steps))
        return torch.optim.lr_scheduler.LambdaLR(optimizer,
                                                 lambda step: min(1.0, (step + 1) / warm))
    return None


class _Budget:
    """Training time on ``clock``, paused while scoring: no step starts unless twice the
    slowest of the last five still fits in ``seconds`` (without it, time per epoch only)."""

    def __init__(self, seconds: float | None, clock: Callable[[], float]):
        self.seconds, self.clock = seconds, clock
        self.used, self.last, self.recent = 0.0, None, []
        self.steps, self.stopped = 0, "epochs"

    def batches(self, data: Batches) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The batches of one pass over ``data``, while there is time for another step."""
        self.last = self.clock()                   # the clock runs again: scoring is over
        batches = iter(data)
        while self.room_for_a_step():
            batch = next(batches, None)
            if batch is None:
                return
            yield batch
        self.stopped = "budget"

    def step_done(self, device: torch.device) -> None:
        """A step ended: with a budget, add its time (fetching its batch included)."""
        self.steps += 1
        if self.seconds is not None:
            if device.type == "cuda":
                torch.cuda.synchronize(device)     # time the step, not its launch
            self._tick()

    def epoch_done(self) -> None:
        """An epoch ended: without a budget, add its time."""
        if self.seconds is None:
            self._tick()

    def _tick(self) -> None:
        now = self.clock()
        step = now - self.last
        self.used += step
        self.last = now
        self.recent = (self.recent + [step])[-5:]

    def room_for_a_step(self) -> bool:
        if self.seconds is None:
            return True
        estimate = 2 * max(self.recent) if self.recent else 0.0
        return self.used + (self.clock() - self.last) + estimate <= self.seconds

    def progress(self) -> float:
        """The share of the budget used so far, counting the time since the last step."""
        return min(1.0, (self.used + self.clock() - self.last) / self.seconds)


class _LearningRates:
    """The learning rate of every step (``lrs``): a named schedule sized to ``total_steps``
    or, with a budget, to its time; your own ``scheduler`` stepped after every batch."""

    def __init__(self, schedule: str, scheduler: Any, optimizer: torch.optim.Optimizer,
                 lr: float, budget: _Budget, total_steps: int | None):
        self.optimizer, self.budget, self.lrs = optimizer, budget, []
        self.by_time = budget.seconds is not None and schedule != "constant"
        if schedule != "constant":
            if total_steps is None and not self.by_time:
                raise ValueError("fit: a schedule needs to know the number of steps: give "
                                 "train_data a length (a DataLoader or TensorLoader has one) "
                                 "or a budget_s.")
            scheduler = _make_scheduler(schedule, optimizer, lr,
                                        _TIME_STEPS if self.by_time else total_steps)
        self.scheduler = scheduler

    def before_step(self) -> None:
        """A budgeted run follows its schedule by time, not by step: set the rate (and
        momentum) to the schedule's value at the share of the budget used so far."""
        if self.by_time:
            at = min(_TIME_STEPS - 1, int(self.budget.progress() * (_TIME_STEPS - 1)))
            self.scheduler.last_epoch = at - 1
            with warnings.catch_warnings():  # stepping by hand, not after optimizer.step()
                warnings.simplefilter("ignore", UserWarning)
                self.scheduler.step()

    def after_step(self) -> None:
        self.lrs.append(self.optimizer.param_groups[0]["lr"])
        if self.scheduler is not None and not self.by_time:
            self.scheduler.step()


def _check_fit_options(train_data: Any, val_data: Any, epochs: Any, lr: Any, schedule: Any,
                       scheduler: Any, budget_s: Any) -> str:
    """Raise a clear error for a bad ``fit`` argument; return the schedule's name."""
    _check_batches(train_data, "fit", "train_data")
    if val_data is not None:
        _check_batches(val_data, "fit", "val_data")
    whole_number(epochs, "epochs", "fit")
    positive_number(lr, "lr", "fit")
    name = "constant" if schedule is None else schedule
    if not isinstance(name, str) or name.strip().lower() not in SCHEDULES:
        raise ValueError(f"fit: schedule must be None or one of "
                         f"{', '.join(map(repr, SCHEDULES))}, got {schedule!r}.")
    schedule = name.strip().lower()
    if scheduler is not None and schedule != "constant":
        raise ValueError("fit: give schedule= (a name) or scheduler= (your own object), not "
                         "both.")
    if budget_s is not None:
        positive_number(budget_s, "budget_s", "fit", hint="seconds")
    return schedule


def _optimizer(optimizer: Any, model: nn.Module, lr: float,
               weight_decay: float) -> torch.optim.Optimizer:
    """``optimizer`` itself, or the one its name (default Adam) stands for."""
    if optimizer is None or isinstance(optimizer, str):
        return make_optimizer(optimizer or "adam", model.parameters(), lr, weight_decay)
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"fit: optimizer must be a torch.optim.Optimizer or a name such as "
                        f"'adamw', got {type(optimizer).__name__}.")
    return optimizer


def _epoch_bar(epoch: int, epochs: int, per_epoch: int | None, note: str | None,
               progress: bool) -> Any:
    """The epoch's tqdm bar (not ``tqdm(train_data)``, which closes before the scores show)."""
    from tqdm.auto import tqdm

    return tqdm(total=per_epoch, desc=f"epoch {epoch}/{epochs}" + (f" ({note})" if note else ""),
                leave=True, disable=not progress, unit="batch")


def _record_epoch(history: History, epoch: int, tally: _Tally, bar: Any, model: nn.Module,
                  val_data: Batches | None, loss_fn: Callable, device: torch.device) -> None:
    """Add the epoch's training scores, and its validation scores, to ``history`` and
    the progress bar."""
    train = tally.result("fit", "train_data")
    history["epoch"].append(epoch)
    history["train_loss"].append(train["loss"])
    history["train_acc"].append(train["accuracy"])
    postfix = {"loss": f"{train['loss']:.3f}", "acc": f"{train['accuracy']:.3f}"}
    if val_data is not None:
        scores = _evaluate(model, val_data, loss_fn, device)  # run in progress
        history["val_loss"].append(scores["loss"])
        history["val_acc"].append(scores["accuracy"])
        postfix["val_acc"] = f"{scores['accuracy']:.3f}"
    bar.set_postfix(postfix)
    bar.close()


def fit(model: nn.Module, train_data: Batches, *,
        val_data: Batches | None = None, epochs: int = 1, lr: float = 1e-3,
        optimizer: torch.optim.Optimizer | str | None = None, weight_decay: float = 0.0,
        schedule: str | None = None, budget_s: float | None = None,
        loss_fn: Callable | None = None, scheduler: Any = None,
        device: torch.device | str | None = None, seed: int | None = None,
        progress: bool = True, callback: Callable[[History], Any] | None = None,
        note: str | None = None, clock: Callable[[], float] | None = None) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_data`` and return a :class:`History`.

    Args:
        model: any classifier returning logits ``(N, num_classes)``.
        train_data: any iterable of ``(X, y)`` batches: a ``torch.utils.data.DataLoader``,
            ``data.train.loader(128, True)``, or a list of tensor pairs.
        val_data: batches scored after every epoch (``val_loss``, ``val_acc``): watch these
            to choose epochs and learning rates, then score the test split once with
            :func:`evaluate`.
        epochs: passes over the training data (with ``budget_s``: at most this many).
        lr: learning rate (the peak rate with ``schedule="one_cycle"``); ignored when
            ``optimizer`` is an optimizer object and there is no ``schedule``.
        optimizer: an optimizer object, or a name from :data:`OPTIMIZERS` ("adam", "adamw",
            "sgd", "momentum"); default Adam.
        weight_decay: for a named (or the default) optimizer, e.g. 5e-4.
        schedule: None (constant), "warmup" or "one_cycle" (:data:`SCHEDULES`), stepped after
            every batch and sized to the run: ``epochs`` passes, or the steps that fit
            ``budget_s``.
        budget_s: a training-time budget in seconds (scoring ``val_data`` is not counted).
            No step starts unless twice the slowest of the last five still fits, and a
            ``schedule`` follows the share of the budget used, so one-cycle anneals as the
            time runs out however fast the machine runs.
        loss_fn: defaults to ``nn.CrossEntropyLoss()`` (it expects logits, not probabilities).
        scheduler: your own LR scheduler object, stepped after every batch (instead of
            ``schedule``).
        device: where to train; defaults to the device the model is already on.
        seed: seed everything before training (shuffling, dropout).
        progress: show a tqdm progress bar per epoch.
        callback: called with the history after each epoch (e.g. a live plot).
        note: a word about the data shown in the progress bar and plot titles, e.g.
            ``note="stand-in" if data.synthetic else None``.
        clock: the time source for ``budget_s`` (default ``time.perf_counter``).

    The history also has ``history.seconds`` (training time), ``history.steps``,
    ``history.lrs`` (the learning rate of every step) and ``history.stopped`` ("epochs", or
    "budget": no time for another step).
    """
    check_model(model, "fit")
    schedule = _check_fit_options(train_data, val_data, epochs, lr, schedule, scheduler,
                                  budget_s)
    if seed is not None:
        from cnncourse.settings import seed_everything

        seed_everything(seed)
    device = torch.device(device) if device is not None else model_device(model)
    model.to(device)
    optimizer = _optimizer(optimizer, model, lr, weight_decay)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    per_epoch = len(train_data) if hasattr(train_data, "__len__") else None
    budget = _Budget(budget_s, clock or time.perf_counter)
    rates = _LearningRates(schedule, scheduler, optimizer, lr, budget,
                           epochs * per_epoch if per_epoch is not None else None)
    history = History(epoch=[], train_loss=[], train_acc=[],
                      **({"val_loss": [], "val_acc": []} if val_data is not None else {}))
    history.note = note
    # Until the epochs below end, the model is unfinished: an interrupt (Ctrl-C, the stop
    # button) leaves it marked, and evaluate / score_test refuse it (see ``finished``).
    model.__dict__["_cnncourse_runs"] = getattr(model, "_cnncourse_runs", 0) + 1
    model.__dict__["_cnncourse_unfinished"] = "training"

    for epoch in range(1, epochs + 1):
        model.train()
        tally = _Tally(device)
        bar = _epoch_bar(epoch, epochs, per_epoch, note, progress)
        for X, y in budget.batches(train_data):      # stops early when the budget runs out
            rates.before_step()
            X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
            logits = model(X)                        # 1. forward pass: (N, num_classes)
            loss = loss_fn(logits, y)                # 2. loss against the true labels
            optimizer.zero_grad(set_to_none=True)    # 3. clear old gradients
            loss.backward()                          # 4. backpropagate
            optimizer.step()                         # 5. update the weights
            rates.after_step()
            tally.add(logits, y, loss)
            budget.step_done(device)
            bar.update()
        budget.epoch_done()
        if tally.count == 0:                         # no batches, or no time left for one
            bar.close()
            if epoch == 1:
                raise ValueError("fit: train_data yielded no batches; check it is not empty, "
                                 "and that budget_s leaves time for one step.")
            break
        _record_epoch(history, epoch, tally, bar, model, val_data, loss_fn, device)
        if callback is not None:
            callback(history)
        if budget.stopped != "epochs":
            break
    history.seconds, history.steps, history.lrs, history.stopped = \
        budget.used, budget.steps, rates.lrs, budget.stopped
    model.__dict__["_cnncourse_unfinished"] = False
    return history


class LRFinder(dict):
    """The result of :func:`lr_find`: ``lrs`` and smoothed ``losses`` per step, and
    ``suggestion``: a tenth of the learning rate where the smoothed loss was lowest."""

    @property
    def suggestion(self) -> float:
        return self["suggestion"]

    def plot(self, ax: Any = None, note: str | None = None) -> Any:
        """Loss against learning rate (log scale), with the suggestion marked."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        ax.plot(self["lrs"], self["losses"])
        ax.axvline(self["suggestion"], color="grey", linestyle="--",
                   label=f"suggestion {self['suggestion']:.1e}")
        ax.set(xscale="log", xlabel="learning rate", ylabel="training loss (smoothed)",
               title="Learning-rate range test" + (f" ({note})" if note else ""))
        ax.legend()
        return ax


def lr_find(model: nn.Module, train_data: Batches, *, start: float = 1e-6, end: float = 1.0,
            steps: int = 100, optimizer: str = "adam") -> LRFinder:
    """A learning-rate range test (Smith, 2015; fastai's ``lr_find``): train ``steps``
    batches while the rate grows geometrically from ``start`` to ``end``, stopping once the
    smoothed loss passes 4x its minimum; the weights are put back afterwards. The suggestion,
    a tenth of the rate at the lowest loss, is a good constant rate or one-cycle peak. It
    trains on the device the model is on.
    """
    import copy

    check_model(model, "lr_find")
    _check_batches(train_data, "lr_find", "train_data")
    positive_number(start, "start", "lr_find", hint="a learning rate")
    positive_number(end, "end", "lr_find", hint="a learning rate")
    if not start < end:
        raise ValueError(f"lr_find: start ({start}) must be below end ({end}).")
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 5:
        raise ValueError(f"lr_find: steps must be an int of at least 5, got {steps!r}.")
    device = model_device(model)
    saved = copy.deepcopy(model.state_dict())
    opt = make_optimizer(optimizer, model.parameters(), start)
    smoothing = 0.98                             # the running mean's weight on its past
    factor = (end / start) ** (1 / (steps - 1))
    lrs: list[float] = []
    losses: list[float] = []
    avg, best = 0.0, float("inf")
    model.train()
    try:
        batches = iter(train_data)
        for step in range(steps):
            try:
                X, y = next(batches)
            except StopIteration:
                batches = iter(train_data)
                X, y = next(batches)
            lr = start * factor ** step
            for group in opt.param_groups:
                group["lr"] = lr
            X, y = X.to(device), y.to(device)
            loss = nn.functional.cross_entropy(model(X), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            value = loss.item()
            if not math.isfinite(value):
                break
            avg = smoothing * avg + (1 - smoothing) * value
            smoothed = avg / (1 - smoothing ** (step + 1))   # bias-corrected running mean
            lrs.append(lr)
            losses.append(smoothed)
            best = min(best, smoothed)
            if step > 5 and smoothed > 4 * best:
                break
    finally:
        model.load_state_dict(saved)
    if not lrs:
        raise ValueError("lr_find: the loss was not finite from the first step; check the "
                         "data and the model.")
    lowest = min(range(len(losses)), key=losses.__getitem__)
    return LRFinder(lrs=lrs, losses=losses, suggestion=lrs[lowest] / 10)
