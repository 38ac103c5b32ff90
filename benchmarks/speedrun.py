"""CIFAR-10 speed-run benchmark: train cnncourse.recipes.speedrun's recipe and print time per epoch.

    python benchmarks/speedrun.py                 # GPU: the full recipe; CPU: a tiny demo
    python benchmarks/speedrun.py --epochs 10 --widths 64,256,256,256
    python benchmarks/speedrun.py --cpu-demo      # force the scaled-down CPU version

Uses the real CIFAR-10 when it is in the cnncourse data folder (``cnncourse data download
--dataset cifar10``); otherwise a synthetic stand-in of the same size (50,000 + 10,000 images),
so timings are meaningful but accuracies are not CIFAR-10 accuracies. The data is moved to the
device before the clock starts, as in the public speed-runs. The target of the public records
is 94% test accuracy on the real data; this recipe is simpler, so measure before you claim.
"""

from __future__ import annotations

import argparse
import time

import torch

from cnncourse import data as cdata
from cnncourse.recipes.speedrun import SpeedrunConfig, run_speedrun


def load(real_only: bool) -> tuple[cdata.Data, str]:
    """Real CIFAR-10 from the data folder if present, else a 50k/10k synthetic stand-in."""
    if cdata.dataset_status("cifar10")[0] == "ready":   # verified, here or in the cache
        return cdata.load_data("cifar10", download=False, quick=False), "real CIFAR-10"
    if real_only:
        raise SystemExit("CIFAR-10 is not in the data folder; run `cnncourse data download "
                         "--dataset cifar10` first or drop --real-only.")
    return cdata.make_synthetic("cifar10", 50_000, 10_000), "SYNTHETIC stand-in (50k/10k)"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--widths", type=str, default=None, help="e.g. 64,256,256,256")
    parser.add_argument("--train-size", type=int, default=None)
    parser.add_argument("--device", type=str, default=None, help="cpu, cuda or mps")
    parser.add_argument("--cpu-demo", action="store_true", help="the scaled-down CPU recipe")
    parser.add_argument("--no-amp", action="store_true")
    parser.add_argument("--no-channels-last", action="store_true")
    parser.add_argument("--real-only", action="store_true", help="fail without real CIFAR-10")
    args = parser.parse_args(argv)

    from cnncourse.settings import device as best_device

    device = torch.device(args.device) if args.device else best_device()
    t0 = time.perf_counter()
    data, source = load(args.real_only)
    print(f"data: {source}, loaded in {time.perf_counter() - t0:.1f} s")

    demo = args.cpu_demo or device.type != "cuda"
    config = SpeedrunConfig.cpu_demo(epochs=1, train_size=2048) if demo else SpeedrunConfig()
    for name in ("epochs", "batch_size", "lr", "train_size"):
        value = getattr(args, name)
        if value is not None:
            setattr(config, name, value)
    if args.widths:
        config.widths = tuple(int(w) for w in args.widths.split(","))
    config.amp, config.channels_last = not args.no_amp, not args.no_channels_last

    if device.type == "cuda":  # warm-up: cuDNN autotuning and allocator, not timed
        warm = SpeedrunConfig(**{**config.__dict__, "epochs": 1,
                                 "train_size": 2 * config.batch_size})
        run_speedrun(data.train.X, data.train.y, data.test.X[:1024], data.test.y[:1024], warm,
                     device, progress=False)

    print(f"device: {device} | {'CPU demo (scaled down)' if demo else 'full recipe'} | "
          f"epochs={config.epochs} batch={config.batch_size} widths={config.widths} "
          f"train images={config.train_size or data.train.X.shape[0]}")
    result = run_speedrun(data.train.X, data.train.y, data.test.X, data.test.y, config, device,
                          progress=False)
    for i, s in enumerate(result["epoch_seconds"], 1):
        print(f"epoch {i:2d}: {s:7.2f} s")
    print(f"training time: {result['train_seconds']:.2f} s "
          f"({result['train_seconds'] / config.epochs:.2f} s/epoch), "
          f"mixed precision: {result['amp_dtype'] or 'off'}"
          f"{' with a GradScaler' if result['grad_scaler'] else ''}")
    print(f"test accuracy (flip TTA): {result['test_acc']:.2%} on {source}")
    return result


if __name__ == "__main__":
    main()
