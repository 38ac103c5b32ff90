"""Benchmark: how fast does ``cnncourse.train.fit`` train compared with plain PyTorch loops?

Same data (a synthetic CIFAR-10-sized set), same model (``SimpleCNN``), same batch size, same
number of epochs, three loops:

1. ``cnncourse.train.fit`` over an in-memory ``TensorLoader``  (what the notebooks use);
2. a bare hand-written PyTorch loop over the same in-memory tensors (the speed floor);
3. the PyTorch-tutorial loop: a Dataset that turns each stored uint8 image into a PIL image,
   ``transforms.ToTensor()`` + ``Normalize``, batched by ``DataLoader(num_workers=0)``.

Targets: fit >= 0.95x the bare loop and >= 2.5x the tutorial loop. It also times
``import cnncourse`` against ``import torch``, each in a fresh interpreter.

Run:  python benchmarks/bench_training.py [--images 10000] [--epochs 2] [--repeats 2]
It prints numbers; it asserts nothing (machines differ).
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time
from collections.abc import Callable

import torch
from torch import nn


def make_data(n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """uint8 images (N, 3, 32, 32), the same normalised as float32, and labels (N,)."""
    from cnncourse.data import STATS
    from cnncourse.data.synthetic import generate

    images, labels = generate("cifar10", n, seed=seed)
    mean, std = (torch.tensor(v).view(1, 3, 1, 1) for v in STATS["cifar10"])
    X = (images.float() / 255 - mean) / std                          # (N, 3, 32, 32)
    return images, X, labels


def fresh_model(seed: int) -> nn.Module:
    from cnncourse.models import SimpleCNN

    torch.manual_seed(seed)
    return SimpleCNN()


def loop_fit(X: torch.Tensor, y: torch.Tensor, epochs: int, batch: int, seed: int) -> None:
    from cnncourse.data.loader import TensorLoader
    from cnncourse.train import fit

    model = fresh_model(seed).to(X.device)
    fit(model, TensorLoader(X, y, batch_size=batch, shuffle=True), epochs=epochs,
        lr=1e-3, progress=False)


def loop_bare(X: torch.Tensor, y: torch.Tensor, epochs: int, batch: int, seed: int) -> None:
    model = fresh_model(seed).to(X.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(X.shape[0], device=X.device)
        for start in range(0, X.shape[0], batch):
            idx = order[start:start + batch]
            xb, yb = X[idx], y[idx]
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()


def tutorial_loader(images: torch.Tensor, y: torch.Tensor, batch: int) -> object:
    """DataLoader over a Dataset that builds a PIL image per item, as the PyTorch tutorial."""
    from PIL import Image
    from torch.utils.data import DataLoader, Dataset
    from torchvision import transforms

    from cnncourse.data import STATS

    class PILImages(Dataset):
        """Like torchvision's CIFAR10: HWC uint8 in memory, a PIL image per __getitem__."""

        def __init__(self, hwc, labels, transform):
            self.hwc, self.labels, self.transform = hwc, labels, transform

        def __len__(self):
            return len(self.hwc)

        def __getitem__(self, i):
            return self.transform(Image.fromarray(self.hwc[i])), int(self.labels[i])

    mean, std = STATS["cifar10"]
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean, std)])
    dataset = PILImages(images.permute(0, 2, 3, 1).numpy(), y.numpy(), transform)
    return DataLoader(dataset, batch_size=batch, shuffle=True, num_workers=0)


def loop_tutorial(images: torch.Tensor, y: torch.Tensor, epochs: int, batch: int,
                  seed: int, device: torch.device) -> None:
    loader = tutorial_loader(images, y, batch)
    model = fresh_model(seed).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()


def timed(run: Callable[[], None], device: torch.device) -> float:
    """Seconds one run takes (waiting for the GPU to finish, on CUDA)."""
    return timed_both(run, device)[0]


def timed_both(run: Callable[[], None], device: torch.device) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run of this process.

    On a shared machine the CPU time (with ``--threads 1``) is the steadier figure: other
    people's jobs stretch the wall clock but not the work this process does.
    """
    start, cpu = time.perf_counter(), time.process_time()
    run()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start, time.process_time() - cpu


def input_only(batches: Callable[[], object], device: torch.device) -> float:
    """Seconds to produce one epoch of batches on ``device``, with no model at all."""
    def run() -> None:
        for xb, yb in batches():
            xb.to(device), yb.to(device)
    return timed(run, device)


def import_time(module: str, repeats: int = 3) -> float:
    """Fastest time to import ``module`` in a fresh interpreter, in seconds."""
    code = (f"import time; t = time.perf_counter(); import {module}; "
            f"print(time.perf_counter() - t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(repeats)]
    return min(runs)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000, help="training images")
    parser.add_argument("--epochs", type=int, default=2, help="epochs per loop")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=2,
                        help="rounds of all three loops, interleaved; each loop's best is kept")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch CPU threads (default: torch's choice)")
    args = parser.parse_args(argv)
    if args.images < args.batch_size or args.epochs < 1 or args.repeats < 1:
        parser.error("need --images >= --batch-size, --epochs >= 1 and --repeats >= 1")

    device = torch.device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"Python {platform.python_version()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, CPU: {platform.processor() or platform.machine()}"
          f", device: {device}")
    images, X, y = make_data(args.images)
    Xd, yd = X.to(device), y.to(device)
    n, e, b = args.images, args.epochs, args.batch_size
    print(f"SimpleCNN, synthetic CIFAR-10-sized data: {n} images x {e} epochs, batch {b}, "
          f"best of {args.repeats} interleaved rounds\n")

    loops = {
        "fit (TensorLoader)": lambda: loop_fit(Xd, yd, e, b, seed=0),
        "bare PyTorch loop": lambda: loop_bare(Xd, yd, e, b, seed=0),
        "tutorial (PIL+DataLoader)": lambda: loop_tutorial(images, y, e, b, 0, device),
    }
    # Warm-up: first-call costs (kernel selection, allocator) stay out of the figures.
    loop_fit(Xd[:512], yd[:512], 1, b, 0)
    loop_bare(Xd[:512], yd[:512], 1, b, 0)
    wall: dict[str, list[float]] = {label: [] for label in loops}
    cpu: dict[str, list[float]] = {label: [] for label in loops}
    for _ in range(args.repeats):   # interleaved, so a busy moment hurts every loop alike
        for label, run in loops.items():
            w, c = timed_both(run, device)
            wall[label].append(w)
            cpu[label].append(c)
    print(f"  {'loop':<27} {'wall s':>7} {'images/s':>9}   {'CPU s':>7} {'images/s':>9}")
    for label in loops:
        w, c = min(wall[label]), min(cpu[label])
        print(f"  {label:<27} {w:7.2f} {n * e / w:9.0f}   {c:7.2f} {n * e / c:9.0f}"
              f"   (wall runs: {', '.join(f'{t:.2f}' for t in wall[label])})")

    for clock, table in (("wall clock", wall), ("CPU time", cpu)):
        fit_t, bare_t, tut_t = (min(v) for v in table.values())
        print(f"\n  by {clock}: fit / bare = {bare_t / fit_t:5.2f}x (target >= 0.95x: "
              f"{'met' if bare_t / fit_t >= 0.95 else 'NOT met'}),  fit / tutorial = "
              f"{tut_t / fit_t:5.2f}x (target >= 2.5x: "
              f"{'met' if tut_t / fit_t >= 2.5 else 'NOT met'})")
    seconds = wall

    from cnncourse.data.loader import TensorLoader

    mem = min(input_only(lambda: TensorLoader(Xd, yd, b, shuffle=True), device)
              for _ in range(args.repeats))
    pil = min(input_only(lambda: tutorial_loader(images, y, b), device)
              for _ in range(args.repeats))
    print(f"\n  input pipeline alone, one epoch, no model: TensorLoader {mem * 1000:.0f} ms, "
          f"PIL+DataLoader {pil * 1000:.0f} ms ({pil / mem:.0f}x slower)")
    print(f"  share of the tutorial loop spent making batches: "
          f"{pil * e / min(seconds['tutorial (PIL+DataLoader)']):.0%}")

    t_cc, t_torch = import_time("cnncourse"), import_time("torch")
    print(f"\n  import cnncourse: {t_cc * 1000:7.1f} ms   import torch: {t_torch * 1000:7.1f} ms"
          f"   (fresh interpreter, best of 3)")


if __name__ == "__main__":
    main()
