"""Images per second of each way to batch CIFAR-10, alone and inside a SimpleCNN training epoch.

The full-CNN notebook (08) trains from ``DataLoader(data.train, batch_size=128, shuffle=True)``
over the in-memory split; before, it sliced batches with the course's ``TensorLoader``. This
measures, on this CPU:

- batching only: ``TensorLoader`` slices, ``DataLoader(data.train)`` (per-item indexing and
  stacking of tensors already in memory), and ``DataLoader`` over torchvision's ``CIFAR10``
  with the notebook-07 transforms (PIL -> tensor -> normalise per image), 0 and 2 workers;
- one training epoch of ``SimpleCNN`` (channels_last, as in notebook 08) fed by each of
  ``TensorLoader``, ``DataLoader(data.train)`` and the torchvision pipeline (0 workers).

    python benchmarks/bench_dataloader.py              # the data in CNNCOURSE_DATA, or the stand-in
    python benchmarks/bench_dataloader.py --n 4000 --rounds 2

Rounds alternate between the ways; the fastest round of each is reported with the load average.

Measured on 2026-12-06, 2-core AMD EPYC, 1 torch thread, real CIFAR-10 subset (4,000 training
images), load average 12 (the machine was shared, so absolute figures are low; compare ratios):

    batching only:  TensorLoader 62,491 images/s, DataLoader(data.train) 44,570,
                    DataLoader(CIFAR10 + transforms) 892 with 0 workers, 830 with 2 workers
    one epoch:      TensorLoader 6.4 s (621 images/s), DataLoader(data.train) 7.2 s
                    (558 images/s, 1.11x), DataLoader(CIFAR10 + transforms) 11.7 s (341, 1.82x)

Notebook 08 in full mode on the real-data kit, whole notebook: 56 s with the TensorLoader
(before), 52 s with DataLoader(data.train) (after), load 8 to 9.5: no clear difference, well
inside the 1.5x the data-pipeline issue allowed.
"""

from __future__ import annotations

import argparse
import os
import time

import torch
from torch.utils.data import DataLoader, Subset

import cnncourse as cc
from cnncourse.data.loader import TensorLoader
from cnncourse.models import SimpleCNN
from cnncourse.train import fit


def images_per_second(batches, n_batches: int) -> float:
    """Images per second over the first ``n_batches`` batches (worker start-up included)."""
    start, n = time.perf_counter(), 0
    for i, (X, _) in enumerate(batches):
        n += len(X)
        if i + 1 == n_batches:
            break
    return n / (time.perf_counter() - start)


def epoch_seconds(batches, n_images: int) -> float:
    """Seconds for one training epoch of a fresh channels_last SimpleCNN over ``batches``."""
    torch.manual_seed(0)
    model = SimpleCNN().to(memory_format=torch.channels_last)
    start = time.perf_counter()
    fit(model, batches, epochs=1, seed=0, progress=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="training images per epoch")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per way")
    parser.add_argument("--no-epoch", action="store_true", help="batching only, no training")
    args = parser.parse_args()
    cc.settings.start(seed=0)

    from torchvision.transforms import v2

    data = cc.data.load_data("cifar10", quick=False)
    where = "stand-in" if data.synthetic else "real CIFAR-10"
    n = min(args.n, len(data.train))
    data.train.X = data.train.X.contiguous(memory_format=torch.channels_last)
    in_memory = Subset(data.train, range(n))
    eval_tf = v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True),
                          v2.Normalize(data.info.mean, data.info.std)])
    pipeline = Subset(cc.data.torchvision_dataset("cifar10", transform=eval_tf, quick=False),
                      range(n))
    X, y = data.train.X[:n], data.train.y[:n]
    ways = {
        "TensorLoader (in-memory slices)": lambda: TensorLoader(X, y, 128, shuffle=True),
        "DataLoader(data.train)": lambda: DataLoader(in_memory, batch_size=128, shuffle=True),
        "DataLoader(CIFAR10 + transforms), 0 workers":
            lambda: DataLoader(pipeline, batch_size=128, shuffle=True),
        "DataLoader(CIFAR10 + transforms), 2 workers":
            lambda: DataLoader(pipeline, batch_size=128, shuffle=True, num_workers=2),
    }
    n_batches = -(-n // 128)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{where}: {n:,} training images, batches of 128, torch threads "
          f"{torch.get_num_threads()}, load average {load:.1f} on {os.cpu_count()} CPUs")
    best: dict[str, float] = {}
    for _ in range(args.rounds):
        for name, make in ways.items():
            best[name] = max(best.get(name, 0.0), images_per_second(make(), n_batches))
    print("\nbatching only (images/s, best round):")
    for name, speed in best.items():
        print(f"  {name:45s} {speed:12,.0f}")
    if args.no_epoch:
        return
    epochs: dict[str, float] = {}
    trained = list(ways)[:3]
    for _ in range(args.rounds):
        for name in trained:
            seconds = epoch_seconds(ways[name](), n)
            epochs[name] = min(epochs.get(name, float("inf")), seconds)
    base = epochs[trained[0]]
    print("\none SimpleCNN training epoch (best round):")
    for name in trained:
        print(f"  {name:45s} {epochs[name]:6.1f} s  {n / epochs[name]:8,.0f} images/s  "
              f"{epochs[name] / base:4.2f}x the TensorLoader epoch")


if __name__ == "__main__":
    main()
