"""Notebook 10's short sections, repeated over seeds: does each comparison show its effect?

    python benchmarks/expert_sections.py skips                    # the stand-in, seeds 0 1 2
    python benchmarks/expert_sections.py skips augment --real DATA_DIR   # also real CIFAR-10
    python benchmarks/expert_sections.py optim --set sgd_lr=0.01 --seeds 0

Sections: ``skips`` (a deep plain network against the same network with shortcuts, and against
a shallow plain one, on training accuracy), ``augment`` (augmentation, dropout + weight decay
on a small training set trained long enough to overfit), ``optim`` (SGD, SGD + momentum, Adam
at one budget) and ``schedule`` (constant rate against one-cycle at the same peak). The
defaults are the notebook's settings; ``--set NAME=VALUE`` changes one (see ``DEFAULTS``).
Every comparison goes through ``compare()``, as the notebook prints it, and a summary counts
the verdicts per comparison over every run. It prints numbers; it asserts nothing.

``--real DATA_DIR`` loads CIFAR-10 from that folder (the real-data kit's subsets need its
checksum patch on PYTHONPATH, as its run-notebooks does).
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
from cnncourse.models import PlainDeepCNN, SmallResNet
from cnncourse.train import evaluate, fit

DEFAULTS = dict(
    # skips: plain vs residual at the same depth, Kaiming init + batch norm everywhere; the
    # residual blocks start as the identity (zero_init: their last batch norm's scale is 0)
    deep_images=2000, deep_epochs=3, deep_lr=0.05, deep_blocks=3, shallow_blocks=1,
    deep_widths="8,16,32", zero_init=1,
    # augment: a small training set trained long enough to overfit
    reg_images=1000, reg_epochs=30, reg_lr=2e-3, reg_decay=0.5, reg_dropout=0.5,
    # optim: SGD and momentum at sgd_lr, Adam at adam_lr (the notebook: 1e-3 for all three);
    # schedule: Adam at sched_lr (0: adam_lr; the notebook uses its range test's suggestion)
    opt_images=2000, opt_epochs=4, sgd_lr=1e-3, adam_lr=1e-3, sched_lr=0.0, sched_epochs=4,
)


def small_cnn(dropout: float) -> nn.Module:
    """Notebook 10's section 4 network."""
    return nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Dropout(dropout), nn.Linear(32 * 8 * 8, 128),
                         nn.ReLU(), nn.Dropout(dropout), nn.Linear(128, 10))


def opt_net() -> nn.Module:
    """Notebook 10's section 5 network: three conv-BN-ReLU-pool blocks, pool, linear."""
    def block(c_in, c_out):
        return [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
                nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*block(3, 16), *block(16, 32), *block(32, 64),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def section_skips(data, val, n_val, seed, s, note):
    n = min(int(s["deep_images"]), len(data.train.y))
    X, y = data.train.X[:n], data.train.y[:n]
    widths = tuple(int(w) for w in str(s["deep_widths"]).split(","))
    acc = {}
    for name, blocks, skip in (("plain, shallow", int(s["shallow_blocks"]), False),
                               ("plain, deep", int(s["deep_blocks"]), False),
                               ("ResNet, deep", int(s["deep_blocks"]), True)):
        torch.manual_seed(seed)
        cls = SmallResNet if skip else PlainDeepCNN
        model = cls(widths=widths, blocks_per_stage=blocks, batch_norm=True, init="kaiming")
        if s["zero_init"] and skip:
            for m in model.modules():
                if hasattr(m, "bn2"):
                    nn.init.zeros_(m.bn2.weight)
        opt = torch.optim.SGD(model.parameters(), lr=s["deep_lr"], momentum=0.9)
        start = time.perf_counter()
        fit(model, TensorLoader(X, y, 64, shuffle=True), epochs=int(s["deep_epochs"]),
            optimizer=opt, seed=seed, progress=False)
        acc[name] = evaluate(model, TensorLoader(X, y, 500))["accuracy"]
        print(f"    {name:15s} train acc {acc[name]:6.1%}  {time.perf_counter() - start:5.1f} s",
              flush=True)
    return [("deep plain vs shallow plain (lesson: shallow higher)",
             compare("plain, deep", acc["plain, deep"], "plain, shallow", acc["plain, shallow"],
                     n, metric="training accuracy", note=note), "plain, shallow higher"),
            ("ResNet vs plain, same depth (lesson: ResNet higher)",
             compare("ResNet, deep", acc["ResNet, deep"], "plain, deep", acc["plain, deep"], n,
                     metric="training accuracy", note=note), "ResNet, deep higher")]


def section_augment(data, val, n_val, seed, s, note):
    n = int(s["reg_images"])
    X, y = data.train.X[:n], data.train.y[:n]
    # scored once, after training, on every image these models never saw: the validation
    # split and the rest of the training split
    X_out = torch.cat([data.val.X, data.train.X[n:]])
    y_out = torch.cat([data.val.y, data.train.y[n:]])
    n_out = len(y_out)
    held_out = TensorLoader(X_out, y_out, 500)
    res = {}
    for name, augment, dropout, decay in [("baseline", False, 0.0, 0.0),
                                          ("augmentation", True, 0.0, 0.0),
                                          ("dropout + weight decay", False, s["reg_dropout"],
                                           s["reg_decay"])]:
        torch.manual_seed(seed)
        model = small_cnn(dropout)
        loader = TensorLoader(X, y, 64, shuffle=True)
        opt = torch.optim.AdamW(model.parameters(), lr=s["reg_lr"], weight_decay=decay)
        start = time.perf_counter()
        fit(model, AugmentedLoader(loader) if augment else loader,
            epochs=int(s["reg_epochs"]), optimizer=opt, seed=seed, progress=False)
        tr = evaluate(model, TensorLoader(X, y, 256))["accuracy"]
        va = evaluate(model, held_out)["accuracy"]
        res[name] = (tr, va)
        print(f"    {name:24s} train {tr:6.1%} held-out {va:6.1%} ({n_out}) gap "
              f"{tr - va:+6.1%}  {time.perf_counter() - start:5.1f} s", flush=True)
    out = []
    for name in ("augmentation", "dropout + weight decay"):
        out.append((f"{name} vs baseline, held out (lesson: {name} higher)",
                    compare(name, res[name][1], "baseline", res["baseline"][1], n_out,
                            metric="held-out accuracy", note=note), f"{name} higher"))
        out.append((f"{name} vs baseline, train (lesson: baseline higher)",
                    compare(name, res[name][0], "baseline", res["baseline"][0], n,
                            metric="training accuracy", note=note), "baseline higher"))
    return out


def _opt_run(data, val, s, optimizer, lr, seed, schedule=None, epochs=None):
    n = int(s["opt_images"])
    torch.manual_seed(seed)
    train = TensorLoader(data.train.X[:n], data.train.y[:n], 64, shuffle=True)
    start = time.perf_counter()
    model = opt_net()
    h = fit(model, train, val_data=val, epochs=int(epochs or s["opt_epochs"]),
            optimizer=optimizer, lr=lr, schedule=schedule, seed=seed, progress=False)
    h.train_acc = evaluate(model, TensorLoader(data.train.X[:n], data.train.y[:n], 500))[
        "accuracy"]
    print(f"    {optimizer:8s} lr {lr:<7g} {schedule or 'constant':9s} train loss "
          f"{h['train_loss'][-1]:.3f} train acc {h.train_acc:6.1%} val {h['val_acc'][-1]:6.1%}"
          f"  {time.perf_counter() - start:5.1f} s", flush=True)
    return h


def section_optim(data, val, n_val, seed, s, note):
    runs = {name: _opt_run(data, val, s, opt, lr, seed)
            for name, opt, lr in [("SGD", "sgd", s["sgd_lr"]),
                                  ("SGD + momentum", "momentum", s["sgd_lr"]),
                                  ("Adam", "adam", s["adam_lr"])]}
    again = _opt_run(data, val, s, "adam", s["adam_lr"], seed + 100)
    n = int(s["opt_images"])
    train = {name: h.train_acc for name, h in runs.items()}
    tgap = abs(again.train_acc - train["Adam"])
    out = [("momentum vs SGD, train (lesson: momentum higher)",
            compare("SGD + momentum", train["SGD + momentum"], "SGD", train["SGD"], n,
                    metric="training accuracy", note=note, noise_floor=tgap),
            "SGD + momentum higher"),
           ("Adam vs SGD, train (lesson: Adam higher)",
            compare("Adam", train["Adam"], "SGD", train["SGD"], n, metric="training accuracy",
                    note=note, noise_floor=tgap), "Adam higher")]
    final = {name: h["val_acc"][-1] for name, h in runs.items()}
    gap = abs(again["val_acc"][-1] - final["Adam"])
    return out + [("momentum vs SGD (lesson: momentum higher)",
             compare("SGD + momentum", final["SGD + momentum"], "SGD", final["SGD"], n_val,
                     note=note, noise_floor=gap), "SGD + momentum higher"),
            ("Adam vs SGD (lesson: Adam higher)",
             compare("Adam", final["Adam"], "SGD", final["SGD"], n_val, note=note,
                     noise_floor=gap), "Adam higher"),
            ("Adam vs momentum (no direction)",
             compare("Adam", final["Adam"], "SGD + momentum", final["SGD + momentum"], n_val,
                     note=note, noise_floor=gap), "")]


def section_schedule(data, val, n_val, seed, s, note):
    lr = s["sched_lr"] or s["adam_lr"]
    runs = {label: _opt_run(data, val, s, "adam", lr, seed, schedule, s["sched_epochs"])
            for label, schedule in [("constant", None), ("one-cycle", "one_cycle")]}
    again = _opt_run(data, val, s, "adam", lr, seed + 100, None, s["sched_epochs"])
    gap = abs(again["val_acc"][-1] - runs["constant"]["val_acc"][-1])
    return [("one-cycle vs constant (lesson: one-cycle higher)",
             compare("one-cycle", runs["one-cycle"]["val_acc"][-1], "constant",
                     runs["constant"]["val_acc"][-1], n_val, note=note, noise_floor=gap),
             "one-cycle higher"),
            ("one-cycle vs constant, no rerun floor",
             compare("one-cycle", runs["one-cycle"]["val_acc"][-1], "constant",
                     runs["constant"]["val_acc"][-1], n_val, note=note), "one-cycle higher")]


SECTIONS = {"skips": section_skips, "augment": section_augment, "optim": section_optim,
            "schedule": section_schedule}


def main() -> None:
    """Run the chosen sections over seeds on the stand-in (and real CIFAR-10); summarise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="+", choices=sorted(SECTIONS))
    parser.add_argument("--real", default=None, help="a data folder with real CIFAR-10")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help=f"change a setting; the defaults: {DEFAULTS}")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-standin", action="store_true")
    args = parser.parse_args()
    settings = dict(DEFAULTS)
    for item in args.set:
        name, _, value = item.partition("=")
        if name not in DEFAULTS:
            parser.error(f"--set {item!r}: unknown setting {name!r}; expected one of "
                         f"{', '.join(DEFAULTS)}")
        settings[name] = value if name == "deep_widths" else float(value)
    torch.set_num_threads(args.threads)
    print(f"{platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{args.threads} thread(s); settings {settings}")
    roots = ([] if args.no_standin else [None]) + ([args.real] if args.real else [])
    tally: dict[str, list[str]] = {}
    for root in roots:
        data = cdata.load_data("cifar10", root=root, download=False, fallback=root is None,
                               quick=False, val_fraction=0.3)
        note = "stand-in" if data.synthetic else None
        n_val = min(len(data.val.y), 3000)
        val = TensorLoader(data.val.X[:n_val], data.val.y[:n_val], 500)
        for seed in args.seeds:
            print(f"{'stand-in' if data.synthetic else 'real'} seed {seed}: {n_val} validation "
                  f"images", flush=True)
            for section in args.sections:
                for what, verdict, lesson in SECTIONS[section](data, val, n_val, seed, settings,
                                                               note):
                    tally.setdefault(what, []).append("LESSON" if verdict == lesson
                                                      else verdict)
    print("\nverdicts per comparison, over every run (LESSON: clear, in the lesson's direction):")
    for what, verdicts in tally.items():
        print(f"  {what:55s} {verdicts.count('LESSON')}/{len(verdicts)}  " + " | ".join(verdicts))


if __name__ == "__main__":
    main()
