"""A CIFAR-10 speed-run recipe in the spirit of airbench / hlb-CIFAR10: everything on the device.

``run_speedrun`` preloads the data on the device, augments whole batches there, trains
``SpeedNet`` (channels_last and mixed precision on CUDA, :func:`amp_settings`) on a one-cycle
schedule, and scores with flip test-time augmentation. Scaled down, it runs on a CPU too.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Any

import torch
from torch import nn

from cnncourse.augment import augment_batch
from cnncourse.models import SpeedNet
from cnncourse.modelutils import check_images as _check_images
from cnncourse.train import count_correct

# 1. Data on the device (2, the augmentation, is cnncourse.augment.augment_batch;
#    3, the network, is cnncourse.models.SpeedNet) ---------------------------------------

def preload(X: torch.Tensor, y: torch.Tensor, device: torch.device | str
            ) -> tuple[torch.Tensor, torch.Tensor]:
    """Move a whole dataset to ``device`` once."""
    _check_images(X, "preload")
    return X.to(device, non_blocking=True), y.to(device, non_blocking=True)


# 4-5. Training ----------------------------------------------------------------------------------

@dataclass
class SpeedrunConfig:
    """Knobs of the recipe. ``cpu_demo()`` gives a version that finishes in seconds on a CPU."""

    epochs: int = 10
    batch_size: int = 1024
    lr: float = 2.0                 # peak of the one-cycle schedule (SGD, scaled for batch 1024)
    momentum: float = 0.85
    weight_decay: float = 5e-4
    label_smoothing: float = 0.2
    padding: int = 2
    widths: tuple[int, ...] = (64, 256, 256, 256)
    amp: bool = True                # mixed precision on CUDA, see amp_settings (ignored elsewhere)
    channels_last: bool = True      # on CUDA only
    tta: bool = True                # average the prediction with the mirrored image
    seed: int = 0
    train_size: int | None = None   # use only the first N training images

    @classmethod
    def cpu_demo(cls, epochs: int = 2, train_size: int | None = 4096) -> SpeedrunConfig:
        """A scaled-down run for a laptop CPU: narrow network, fewer images, same ideas."""
        return cls(epochs=epochs, batch_size=256, lr=0.4, widths=(16, 32, 64),
                   train_size=train_size)


def amp_settings(device: torch.device | str) -> tuple[torch.dtype | None, bool]:
    """Mixed precision for ``device``: ``(autocast dtype or None, whether to use a GradScaler)``.

    - CUDA with native bf16 (compute capability 8.0 or more: A100, H100, RTX 30xx/40xx):
      ``(torch.bfloat16, False)``; bf16 has float32's range, so gradients need no scaling.
    - Older CUDA GPUs (a T4 on Colab is 7.5): ``(torch.float16, True)``. Their bf16 is only
      emulated and slow, although ``torch.cuda.is_bf16_supported()`` says True; float16's
      small range makes tiny gradients underflow to zero, so the loss is scaled up first.
    - CPU, Apple MPS and the rest: ``(None, False)``, plain float32.
    """
    device = torch.device(device)
    if device.type != "cuda":
        return None, False
    major, _minor = torch.cuda.get_device_capability(device)
    if major >= 8:
        return torch.bfloat16, False
    return torch.float16, True


def _autocast(device: torch.device, enabled: bool) -> Any:
    dtype, _ = amp_settings(device)
    return torch.autocast(device.type, dtype=dtype, enabled=enabled and dtype is not None)


def train_step(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: Any,
               optimizer: torch.optim.Optimizer, scaler: torch.amp.GradScaler,
               amp: bool = True) -> torch.Tensor:
    """One mixed-precision step: forward under autocast, scaled backward, step, update.

    With a disabled ``scaler`` (bf16 or float32) ``scale`` returns the loss unchanged and
    ``step`` is a plain ``optimizer.step()``. With float16 the scaler multiplies the loss
    before ``backward`` and divides the gradients again before the step, skipping a step
    whose gradients overflowed. Returns the (unscaled) loss.
    """
    with _autocast(X.device, amp):                         # 4. mixed precision
        loss = loss_fn(model(X), y)
    optimizer.zero_grad(set_to_none=True)
    scaler.scale(loss).backward()
    scaler.step(optimizer)
    scaler.update()
    return loss.detach()


def one_cycle_schedule(optimizer: torch.optim.Optimizer, max_lr: float, total_steps: int
                       ) -> torch.optim.lr_scheduler.OneCycleLR:
    """PyTorch's ``OneCycleLR``, shaped as the speed-runs use it; step it after every batch.

    The learning rate rises linearly from ``max_lr / 10`` to ``max_lr`` over the first quarter
    of the steps, then falls linearly to ``max_lr / 10_000``. Momentum stays fixed at the
    optimizer's value (``cycle_momentum=False``).
    """
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=max_lr, total_steps=total_steps, pct_start=0.25,
        anneal_strategy="linear", cycle_momentum=False,
        div_factor=10,                        # first lr = max_lr / 10
        final_div_factor=1000)                # last lr = first lr / 1000 = max_lr / 10_000


@torch.no_grad()
def evaluate_tta(model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch_size: int = 1024,
                 tta: bool = True, amp: bool = True) -> float:
    """Test accuracy; with ``tta`` the logits of each image and its mirror image are averaged."""
    _check_images(X, "evaluate_tta")
    model.eval()
    device = X.device
    correct = torch.zeros((), device=device, dtype=torch.long)
    for start in range(0, X.shape[0], batch_size):
        xb, yb = X[start:start + batch_size], y[start:start + batch_size]
        with _autocast(device, amp):
            logits = model(xb).float()
            if tta:
                logits = logits + model(xb.flip(-1)).float()
        correct += count_correct(logits, yb)
    return correct.item() / X.shape[0]


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def run_speedrun(X_train: torch.Tensor, y_train: torch.Tensor, X_test: torch.Tensor,
                 y_test: torch.Tensor, config: SpeedrunConfig | None = None,
                 device: torch.device | str | None = None, progress: bool = True
                 ) -> dict[str, Any]:
    """Train ``SpeedNet`` with the recipe and return accuracy and timings.

    Returns a dict with ``test_acc``, ``train_seconds`` (training only, data already on the
    device), ``epoch_seconds`` (a list), ``device``, ``amp_dtype`` (``"bfloat16"``,
    ``"float16"`` or None), ``grad_scaler`` (whether float16 needed one) and the config used.
    """
    from cnncourse.settings import device as best_device
    from cnncourse.settings import seed_everything

    config = config or SpeedrunConfig()
    if not isinstance(config, SpeedrunConfig):
        raise TypeError(f"run_speedrun: config must be a SpeedrunConfig, got "
                        f"{type(config).__name__}.")
    for X, where in ((X_train, "X_train"), (X_test, "X_test")):
        _check_images(X, f"run_speedrun ({where})")
    device = torch.device(device) if device is not None else best_device()
    seed_everything(config.seed)
    if config.train_size is not None:
        X_train, y_train = X_train[:config.train_size], y_train[:config.train_size]
    X_train, y_train = preload(X_train, y_train, device)                 # 1. data on device
    X_test, y_test = preload(X_test, y_test, device)
    model = SpeedNet(config.widths, X_train.shape[1], int(y_train.max().item()) + 1).to(device)
    cuda = device.type == "cuda"
    if config.channels_last and cuda:                                      # 3. memory layout
        model = model.to(memory_format=torch.channels_last)
        X_train = X_train.contiguous(memory_format=torch.channels_last)
        X_test = X_test.contiguous(memory_format=torch.channels_last)
    steps_per_epoch = math.ceil(X_train.shape[0] / config.batch_size)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr, momentum=config.momentum,
                                nesterov=True, weight_decay=config.weight_decay)
    schedule = one_cycle_schedule(optimizer, config.lr,                  # 5. one cycle
                                  config.epochs * steps_per_epoch)
    amp_dtype, use_scaler = amp_settings(device) if config.amp else (None, False)
    scaler = torch.amp.GradScaler(device.type, enabled=use_scaler)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=config.label_smoothing)

    from tqdm.auto import tqdm

    epoch_seconds = []
    _sync(device)
    for _ in tqdm(range(config.epochs), desc="speed-run", disable=not progress, unit="epoch"):
        start = time.perf_counter()
        model.train()
        X_aug = augment_batch(X_train, config.padding)                     # 2. on device
        order = torch.randperm(X_train.shape[0], device=device)
        for i in range(steps_per_epoch):
            idx = order[i * config.batch_size:(i + 1) * config.batch_size]
            train_step(model, X_aug[idx], y_train[idx], loss_fn, optimizer, scaler, config.amp)
            schedule.step()
        _sync(device)
        epoch_seconds.append(time.perf_counter() - start)
    acc = evaluate_tta(model, X_test, y_test, tta=config.tta, amp=config.amp)
    return {"test_acc": acc, "train_seconds": sum(epoch_seconds),
            "epoch_seconds": epoch_seconds, "device": str(device),
            "amp_dtype": None if amp_dtype is None else str(amp_dtype).removeprefix("torch."),
            "grad_scaler": use_scaler,
            "train_images": X_train.shape[0], "model": model, "config": asdict(config)}
