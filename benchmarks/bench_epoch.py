"""Time one training epoch of SimpleCNN with ``fit`` on a CIFAR-10-sized stand-in, on this CPU.

Measures seconds per epoch with the default (contiguous) memory format and with
``channels_last``, so notebook 08's full-mode defaults can be chosen from real numbers.

    python benchmarks/bench_epoch.py                  # 50,000 images, 1 epoch per format
    python benchmarks/bench_epoch.py --n 10000 --threads 1 --rounds 3

The data is held in memory (no workers), exactly as the notebooks use it. Timings on a
shared or busy machine vary, so the two formats are measured in alternating rounds and the
fastest round of each is reported; the load average is printed alongside.
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from cnncourse.data.loader import TensorLoader
from cnncourse.models import SimpleCNN
from cnncourse.train import evaluate, fit


def make_data(n: int, n_test: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """CIFAR-10-shaped images: the package's synthetic stand-in if available, else noise."""
    try:
        from cnncourse.data import make_synthetic

        data = make_synthetic("cifar10", n_train=n, n_test=n_test, seed=0)
        return data.train.X, data.train.y, data.test.X, data.test.y
    except ImportError:
        g = torch.Generator().manual_seed(0)
        return (torch.randn(n, 3, 32, 32, generator=g), torch.randint(0, 10, (n,), generator=g),
                torch.randn(n_test, 3, 32, 32, generator=g),
                torch.randint(0, 10, (n_test,), generator=g))


def time_epoch(X: torch.Tensor, y: torch.Tensor, Xt: torch.Tensor, yt: torch.Tensor,
               channels_last: bool, batch_size: int, epochs: int) -> dict[str, float]:
    """Train a fresh SimpleCNN for ``epochs`` and return seconds per epoch and test accuracy."""
    torch.manual_seed(0)
    model = SimpleCNN()
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        X = X.contiguous(memory_format=torch.channels_last)
        Xt = Xt.contiguous(memory_format=torch.channels_last)
    train = TensorLoader(X, y, batch_size=batch_size, shuffle=True)
    test = TensorLoader(Xt, yt, batch_size=512)
    start = time.perf_counter()
    history = fit(model, train, epochs=epochs, seed=0, progress=False)
    train_s = (time.perf_counter() - start) / epochs
    start = time.perf_counter()
    scores = evaluate(model, test)
    eval_s = time.perf_counter() - start
    return {"epoch_s": train_s, "images_per_s": X.shape[0] / train_s, "eval_s": eval_s,
            "train_acc": history["train_acc"][-1], "test_acc": scores["accuracy"]}


def interleaved_ratio(X: torch.Tensor, y: torch.Tensor, batch_size: int, chunks: int = 6,
                      batches: int = 20) -> dict[str, float]:
    """Median seconds per training batch of each format, measured in alternating short chunks.

    Alternating chunks of a few seconds exposes both formats to the same background load,
    so their ratio is fair even on a busy machine where whole epochs are not comparable.
    """
    import statistics

    from torch import nn

    setups = {}
    for channels_last in (False, True):
        torch.manual_seed(0)
        model = SimpleCNN()
        Xf = X[:batches * batch_size]
        if channels_last:
            model = model.to(memory_format=torch.channels_last)
            Xf = Xf.contiguous(memory_format=torch.channels_last)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        setups["channels_last" if channels_last else "contiguous"] = (model, opt, Xf)
    loss_fn = nn.CrossEntropyLoss()
    times: dict[str, list[float]] = {name: [] for name in setups}
    for _ in range(chunks):
        for name, (model, opt, Xf) in setups.items():
            start = time.perf_counter()
            for i in range(batches):
                xb = Xf[i * batch_size:(i + 1) * batch_size]
                yb = y[i * batch_size:(i + 1) * batch_size]
                loss = loss_fn(model(xb), yb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            times[name].append((time.perf_counter() - start) / batches)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="training images (CIFAR-10: 50,000)")
    parser.add_argument("--n-test", type=int, default=10_000, help="test images")
    parser.add_argument("--epochs", type=int, default=1, help="epochs per measurement")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("--rounds", type=int, default=2,
                        help="alternating measurements per format (the fastest is kept)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    start = time.perf_counter()
    X, y, Xt, yt = make_data(args.n, args.n_test)
    print(f"data: {tuple(X.shape)} train, {tuple(Xt.shape)} test, made in "
          f"{time.perf_counter() - start:.1f} s")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{os.cpu_count()} CPUs, load average before: "
          f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    print(f"{'memory format':15s} {'s/epoch':>8s} {'img/s':>7s} {'eval s':>7s} "
          f"{'train acc':>9s} {'test acc':>8s}")
    best: dict[str, dict[str, float]] = {}
    for round_ in range(1, args.rounds + 1):
        for channels_last in (False, True):
            r = time_epoch(X, y, Xt, yt, channels_last, args.batch_size, args.epochs)
            name = "channels_last" if channels_last else "contiguous"
            print(f"{name:15s} {r['epoch_s']:8.1f} {r['images_per_s']:7.0f} {r['eval_s']:7.1f} "
                  f"{r['train_acc']:9.3f} {r['test_acc']:8.3f}   (round {round_})", flush=True)
            if name not in best or r["epoch_s"] < best[name]["epoch_s"]:
                best[name] = r
    fast, slow = sorted(best, key=lambda k: best[k]["epoch_s"])
    print(f"fastest: {fast}, {best[fast]['epoch_s']:.1f} s/epoch "
          f"({best[slow]['epoch_s'] / best[fast]['epoch_s']:.2f}x faster than {slow})")
    per_batch = interleaved_ratio(X, y, args.batch_size)
    per_epoch = {k: v * -(-args.n // args.batch_size) for k, v in per_batch.items()}
    print("interleaved short chunks (same background load for both): "
          + ", ".join(f"{k} {v * 1000:.0f} ms/batch = {per_epoch[k]:.0f} s/epoch"
                      for k, v in per_batch.items())
          + f"; channels_last / contiguous = {per_batch['channels_last'] / per_batch['contiguous']:.2f}")
    print(f"load average after: {', '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
