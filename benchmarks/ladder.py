"""Notebook 10's ladder, repeated over seeds: does each rung change one thing, and does it show?

    python benchmarks/ladder.py                          # the stand-in, seeds 0 1 2
    python benchmarks/ladder.py --real DATA_DIR          # also real CIFAR-10 from that folder
    python benchmarks/ladder.py --images 4000 --epochs 6 --seeds 0    # a longer ladder

Every rung keeps the rung before and changes one thing: batch norm, the one-cycle schedule
(at the same peak rate as the constant rate before it), per-image augmentation, label
smoothing, then AdamW's weight decay. The defaults are the notebook's (2,000 images, 3 epochs,
Adam at 1e-3, weight decay 0.5, 30% of the training split held out, up to 3,000 scored). For
each run it prints validation accuracy, seconds,
the weights' norm (weight decay shrinks it by lr x wd per step) and the verdict of
``compare()`` against the rung before and against the baseline, as the notebook prints them.

``--real DATA_DIR`` loads CIFAR-10 from that folder (the real-data kit's subsets need its
checksum patch on PYTHONPATH, as its run-notebooks does). It prints numbers; it asserts nothing.
"""

from __future__ import annotations

import argparse
import platform
import time

import torch
from torch import nn

from cnncourse import data as cdata
from cnncourse.augment import AugmentedLoader
from cnncourse.course.claims import compare
from cnncourse.data.loader import TensorLoader
from cnncourse.models import SimpleCNN
from cnncourse.train import fit

STEPS = [("SimpleCNN baseline", {}), ("+ batch norm", {"bn": True}),
         ("+ one-cycle schedule", {"one_cycle": True}), ("+ augmentation", {"augment": True}),
         ("+ label smoothing", {"smoothing": 0.1}), ("+ weight decay", {"decay": None})]


class SimpleCNNBN(SimpleCNN):
    """SimpleCNN with a BatchNorm2d after each conv (notebook 10's ladder, step 1)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(self.conv1, nn.BatchNorm2d(16))
        self.conv2 = nn.Sequential(self.conv2, nn.BatchNorm2d(32))


def weight_norm(model: nn.Module) -> float:
    """Euclidean norm of all conv and linear weights."""
    return torch.sqrt(sum((m.weight ** 2).sum() for m in model.modules()
                          if isinstance(m, (nn.Conv2d, nn.Linear)))).item()


def run_ladder(data, n_images: int, epochs: int, lr: float, decay: float, seed: int,
               note: str | None) -> list[tuple[str, str]]:
    """Train every rung once with ``seed``; return (comparison, verdict) pairs."""
    train = TensorLoader(data.train.X[:n_images], data.train.y[:n_images], 128, shuffle=True)
    n_val = min(len(data.val.y), 3000)                # as notebook 10 scores them
    val = TensorLoader(data.val.X[:n_val], data.val.y[:n_val], 500)
    cfg = dict(bn=False, one_cycle=False, augment=False, smoothing=0.0, decay=0.0)
    rows = []
    for name, change in STEPS:
        cfg = {**cfg, **{k: (decay if v is None else v) for k, v in change.items()}}
        torch.manual_seed(seed)
        model = SimpleCNNBN() if cfg["bn"] else SimpleCNN()
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=cfg["decay"])
        schedule = (torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr,
                                                        total_steps=epochs * len(train))
                    if cfg["one_cycle"] else None)
        start = time.perf_counter()
        h = fit(model, AugmentedLoader(train) if cfg["augment"] else train, val_data=val,
                epochs=epochs, optimizer=optimizer, scheduler=schedule, seed=seed,
                progress=False, loss_fn=nn.CrossEntropyLoss(label_smoothing=cfg["smoothing"]))
        rows.append(dict(name=name, val_acc=h["val_acc"][-1], seconds=time.perf_counter() - start,
                         norm=weight_norm(model)))
        print(f"  {name:22s} val {rows[-1]['val_acc']:6.1%}  {rows[-1]['seconds']:5.1f} s  "
              f"weight norm {rows[-1]['norm']:7.2f}", flush=True)
    verdicts = [compare(b["name"], b["val_acc"], a["name"], a["val_acc"], n_val, note=note)
                for a, b in zip(rows, rows[1:])]
    verdicts.append(compare("all ingredients", rows[-1]["val_acc"], rows[0]["name"],
                            rows[0]["val_acc"], n_val, note=note))
    pairs = [(f"{b['name']} vs {a['name']}", v) for a, b, v in zip(rows, rows[1:], verdicts)]
    return pairs + [("all ingredients vs SimpleCNN baseline", verdicts[-1])]


def main() -> None:
    """Run the ladder over seeds on the stand-in (and real CIFAR-10) and print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", default=None, help="a data folder with real CIFAR-10")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--images", type=int, default=2000, help="training images per rung")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam's rate, one-cycle's peak")
    parser.add_argument("--decay", type=float, default=0.5, help="AdamW's weight decay")
    parser.add_argument("--val-fraction", type=float, default=0.3,
                        help="share of the training split kept for validation")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-standin", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{args.threads} thread(s); {args.images} images x {args.epochs} epochs, lr {args.lr}, "
          f"weight decay {args.decay}, validation fraction {args.val_fraction}")
    roots = ([] if args.no_standin else [None]) + ([args.real] if args.real else [])
    tally: dict[str, list[str]] = {}
    for root in roots:
        data = cdata.load_data("cifar10", root=root, download=False, fallback=root is None,
                               quick=False, val_fraction=args.val_fraction)
        note = "stand-in" if data.synthetic else None
        for seed in args.seeds:
            print(f"{'stand-in' if data.synthetic else 'real'} seed {seed}: "
                  f"{min(args.images, len(data.train.y))} training, {min(len(data.val.y), 3000)} "
                  f"validation images", flush=True)
            for what, verdict in run_ladder(data, args.images, args.epochs, args.lr, args.decay,
                                            seed, note):
                tally.setdefault(what, []).append(verdict)
    print("\nverdicts per comparison, over every run:")
    for what, verdicts in tally.items():
        print(f"  {what:45s} " + " | ".join(verdicts))


if __name__ == "__main__":
    main()
