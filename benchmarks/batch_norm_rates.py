"""Notebook 10, section 2, repeated over seeds: does batch norm cope with a ten times larger rate?

    python benchmarks/batch_norm_rates.py                       # the stand-in, seeds 0 1 2
    python benchmarks/batch_norm_rates.py --real DATA_DIR       # also real CIFAR-10 there
    python benchmarks/batch_norm_rates.py --rates 0.02 0.1 0.2 --seeds 0

The notebook's five-conv network, He-initialised, with and without a BatchNorm2d after every
conv, trained with SGD (momentum 0.9) on its 1,000 images for 2 epochs, with 30% of the
training split held out for validation (up to 3,000 images scored). For each run it prints
the final training loss and validation accuracy, then ``compare()``'s verdict per rate.

``--real DATA_DIR`` loads CIFAR-10 from that folder (the real-data kit's subsets need its
checksum patch on PYTHONPATH, as its run-notebooks does). It prints numbers; it asserts nothing.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch import nn

from cnncourse import data as cdata
from cnncourse.course.claims import compare
from cnncourse.data.loader import TensorLoader
from cnncourse.models import kaiming_init
from cnncourse.train import fit


def conv_net(batch_norm: bool) -> nn.Module:
    """Five 3x3 convs (16-16-32-32-64 channels), two poolings, global average, linear."""
    def block(c_in, c_out):
        norm = [nn.BatchNorm2d(c_out)] if batch_norm else []
        return [nn.Conv2d(c_in, c_out, 3, padding=1), *norm, nn.ReLU()]
    net = nn.Sequential(*block(3, 16), *block(16, 16), nn.MaxPool2d(2),
                        *block(16, 32), *block(32, 32), nn.MaxPool2d(2), *block(32, 64),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
    return kaiming_init(net)


def main() -> None:
    """Train with and without batch norm at each rate and seed; print losses and verdicts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", default=None, help="a data folder with real CIFAR-10")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rates", type=float, nargs="+", default=[0.02, 0.2])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-standin", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    roots = ([] if args.no_standin else [None]) + ([args.real] if args.real else [])
    for root in roots:
        data = cdata.load_data("cifar10", root=root, download=False, fallback=root is None,
                               quick=False, val_fraction=0.3)
        note = "stand-in" if data.synthetic else None
        n_val = min(len(data.val), 3000)
        val = TensorLoader(data.val.X[:n_val], data.val.y[:n_val], 500)
        X, y = data.train.X[:args.images], data.train.y[:args.images]
        for seed in args.seeds:
            runs = {}
            for batch_norm in (False, True):
                for lr in args.rates:
                    torch.manual_seed(seed)
                    model = conv_net(batch_norm)
                    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
                    start = time.perf_counter()
                    h = fit(model, TensorLoader(X, y, 64, shuffle=True), val_data=val,
                            epochs=args.epochs, optimizer=optimizer, seed=seed, progress=False)
                    runs[(batch_norm, lr)] = h
                    print(f"{note or 'real'} seed {seed}, batch norm {'on ' if batch_norm else 'off'}"
                          f", lr {lr:<5}: train loss {h['train_loss'][-1]:.3f}, val "
                          f"{h['val_acc'][-1]:6.1%} ({time.perf_counter() - start:.0f} s)",
                          flush=True)
            for lr in args.rates:
                compare(f"with batch norm (lr {lr})", runs[(True, lr)]["val_acc"][-1],
                        f"without (lr {lr})", runs[(False, lr)]["val_acc"][-1], n_val, note=note)


if __name__ == "__main__":
    main()
