"""Benchmark: parameters, CPU latency and training throughput of the course's models and of the
torchvision candidates from notebook 11.

For each model it prints the parameter count, the median latency of one image (batch 1,
after a warm-up) and, for the course models, training images per second on 32x32 inputs.
Torchvision models are timed at 224x224 (their native size) with random weights, so nothing
is downloaded. The notebook-10 table adds accuracy; this script is about speed.

Run:  python benchmarks/bench_models.py [--repeats 20] [--threads N] [--skip-torchvision]
It prints numbers; it asserts nothing (machines differ).
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable

import torch
from torch import nn

from cnncourse.models import MLP, PlainDeepCNN, SimpleCNN, SmallResNet, SpeedNet, count_parameters


def latency_ms(model: nn.Module, size: int, repeats: int) -> float:
    """Median milliseconds for one (1, 3, size, size) image, after a warm-up call."""
    model.eval()
    x = torch.randn(1, 3, size, size)
    times = []
    with torch.inference_mode():
        model(x)
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[len(times) // 2]


def train_images_per_second(model: nn.Module, size: int = 32, batch: int = 128,
                            steps: int = 5) -> float:
    """Training throughput: forward, backward and an Adam step on random batches."""
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    X, y = torch.randn(batch, 3, size, size), torch.randint(0, 10, (batch,))
    loss_fn = nn.CrossEntropyLoss()
    for i in range(steps + 1):
        if i == 1:                       # the first step is a warm-up
            start = time.perf_counter()
        opt.zero_grad()
        loss_fn(model(X), y).backward()
        opt.step()
    return steps * batch / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--skip-torchvision", action="store_true")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"{platform.processor() or platform.machine()} | torch {torch.__version__} | "
          f"{torch.get_num_threads()} threads | CPU only")

    course: dict[str, Callable[[], nn.Module]] = {
        "MLP": MLP,
        "SimpleCNN": SimpleCNN,
        "SmallResNet (16,32,64)": SmallResNet,
        "PlainDeepCNN (16,32,64)": PlainDeepCNN,
        "SpeedNet CPU (16,32,64)": lambda: SpeedNet((16, 32, 64)),
        "SpeedNet GPU (64,256,256,256)": SpeedNet,
    }
    print(f"\n{'course model (32x32)':32s} {'params':>11s} {'latency ms':>11s} {'train img/s':>12s}")
    for name, make in course.items():
        torch.manual_seed(0)
        model = make()
        print(f"{name:32s} {count_parameters(model):11,d} "
              f"{latency_ms(model, 32, args.repeats):11.2f} "
              f"{train_images_per_second(model):12.0f}", flush=True)

    if args.skip_torchvision:
        return
    from cnncourse.recipes import pretrained

    print(f"\n{'torchvision (224x224, random weights)':38s} {'params':>11s} {'latency ms':>11s}")
    for name in pretrained.MODELS:
        model, _ = pretrained.load_pretrained(name, pretrained=False)
        print(f"{name:38s} {count_parameters(model):11,d} "
              f"{latency_ms(model, 224, args.repeats):11.2f}", flush=True)


if __name__ == "__main__":
    main()
