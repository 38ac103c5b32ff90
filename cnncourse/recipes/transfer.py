"""Transfer learning that works offline: pretrain a small backbone on some classes, reuse it.

:func:`pretrain` learns five *source* classes; :func:`compare` then learns the five *target*
classes from a few labels each by feature extraction, fine-tuning and from scratch. A pretrained
backbone is cached in a per-user folder (``$CNNCOURSE_CACHE/transfer``), never the data folder.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, islice, repeat
from pathlib import Path

import torch
from torch import nn

from cnncourse import settings
from cnncourse.augment import AugmentedLoader, augment_batch
from cnncourse.data.loader import TensorLoader
from cnncourse.models import CourseBackbone
from cnncourse.train import evaluate, fit
from cnncourse.validate import whole_number

METHODS = ("feature extraction", "fine-tuning", "from scratch")
SOURCE_CLASSES = (0, 2, 4, 6, 8)
"""Classes to pretrain on: one member of each look-alike pair of the CIFAR-10 stand-in
(disc, square, plus, h-stripes, checker); on CIFAR-10: airplane, bird, deer, frog, ship."""
_CACHE_VERSION = 1   # bump when CourseBackbone or the pretraining recipe changes


# Choosing classes and a few labels ----------------------------------------------------------------

def split_classes(classes: Sequence[str],
                  source: Sequence[int] = SOURCE_CLASSES) -> tuple[list[int], list[int]]:
    """``(source, target)`` class indices: pretrain on ``source``, learn the rest from few labels."""
    n = len(classes)
    source = [int(c) for c in source]
    bad = [c for c in source if not 0 <= c < n]
    if bad or len(set(source)) != len(source) or not 0 < len(source) < n:
        raise ValueError(f"split_classes: expected distinct class indices in 0..{n - 1}, leaving "
                         f"at least one target class; got {list(source)}.")
    return source, [c for c in range(n) if c not in source]


def select_classes(X: torch.Tensor, y: torch.Tensor, classes: Sequence[int],
                   limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The images of ``classes`` only, relabelled 0..len(classes)-1 in that order.

    ``limit`` keeps at most that many images per class (the first ones), so the cost does not
    grow with the dataset.
    """
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"select_classes: X has {X.shape[0]} images but y has {y.shape[0]}.")
    keep, new = [], []
    for k, c in enumerate(classes):
        idx = (y == c).nonzero().flatten()
        if idx.numel() == 0:
            raise ValueError(f"select_classes: no image of class {c} in these labels.")
        idx = idx[:limit] if limit is not None else idx
        keep.append(idx)
        new.append(torch.full((idx.numel(),), k, dtype=torch.long))
    order = torch.cat(keep).sort()
    return X[order.values], torch.cat(new)[order.indices]


def few_per_class(X: torch.Tensor, y: torch.Tensor, per_class: int,
                  seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A balanced sample: ``per_class`` random images of every label in ``y``."""
    whole_number(per_class, "per_class", "few_per_class")
    g = torch.Generator().manual_seed(seed)
    picks = []
    for c in y.unique().tolist():
        idx = (y == c).nonzero().flatten()
        if idx.numel() < per_class:
            raise ValueError(f"few_per_class: class {c} has only {idx.numel()} images, fewer "
                             f"than per_class={per_class}; ask for fewer labels.")
        picks.append(idx[torch.randperm(idx.numel(), generator=g)[:per_class]])
    idx = torch.cat(picks)
    return X[idx], y[idx]


# Training -----------------------------------------------------------------------------------------

def _train(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, steps: int, lr: float,
           batch_size: int, seed: int, params: list | None = None,
           augmented: bool = False) -> nn.Module:
    """Adam for ``steps`` mini-batches (reshuffled each pass), a fixed budget whatever N is:
    ``cnncourse.train.fit`` over one pass of those batches, on the model's device."""
    batches = TensorLoader(X, y, batch_size, shuffle=True)
    if augmented:
        batches = AugmentedLoader(batches, partial(augment_batch, padding=2))
    opt = torch.optim.Adam(params if params is not None else model.parameters(), lr=lr)
    fit(model, islice(chain.from_iterable(repeat(batches)), steps),   # passes until `steps`
        epochs=1, lr=lr, optimizer=opt, progress=False, seed=seed)
    return model.eval()


def accuracy(model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch_size: int = 256) -> float:
    """Share of ``X`` that ``model`` classifies as ``y``: ``cnncourse.train.evaluate`` on them."""
    return evaluate(model, TensorLoader(X, y, batch_size))["accuracy"]


def cache_dir() -> Path:
    """The per-user folder for pretrained course backbones (never the data folder):
    ``settings.user_dir("cache", "transfer")``."""
    return settings.user_dir("cache", "transfer")


def cache_key(X: torch.Tensor, y: torch.Tensor, **choices: object) -> str:
    """A short digest of the images, labels and settings: a different input, a different file."""
    h = hashlib.sha256()
    h.update(f"v{_CACHE_VERSION} {tuple(X.shape)} {sorted(choices.items())}".encode())
    h.update(X.detach().cpu().contiguous().numpy().tobytes())
    h.update(y.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]


@dataclass
class PretrainInfo:
    """How :func:`pretrain` got its backbone: trained now or loaded from the cache."""

    cached: bool
    seconds: float
    path: Path | None          # the cache file (None when caching is off or not writable)
    images: int
    train_accuracy: float

    def __str__(self) -> str:
        how = "loaded from the cache" if self.cached else "trained now"
        where = f" ({self.path})" if self.path is not None else ""
        return (f"backbone {how} in {self.seconds:.1f} s{where}: {self.images} images, "
                f"train accuracy {self.train_accuracy:.1%}")


def pretrain(X: torch.Tensor, y: torch.Tensor, *, steps: int = 600, lr: float = 2e-3,
             batch_size: int = 64, width: int = 16, seed: int = 0, augmented: bool = True,
             cache: bool = True, tag: str = "", device: str | None = None) -> tuple[CourseBackbone, PretrainInfo]:
    """Train a :class:`CourseBackbone` on ``(X, y)`` (the source classes), or load it cached.

    Args:
        X, y: images ``(N, 3, H, W)`` and labels ``0..K-1`` of the source classes.
        steps: mini-batches of ``batch_size`` (a fixed budget, whatever N is).
        augmented: random flips and small shifts of the training images (``cnncourse.augment.augment_batch``).
        cache: load/store the weights in :func:`cache_dir`, keyed by the data and settings.
        tag: extra words for the key, e.g. the dataset name.

    Returns:
        ``(backbone, info)``, the backbone in eval mode on ``device`` (default CPU).
    """
    if X.dim() != 4 or y.dim() != 1 or X.shape[0] != y.shape[0]:
        raise ValueError(f"pretrain: expected images (N, C, H, W) and labels (N,), got "
                         f"{tuple(X.shape)} and {tuple(y.shape)}.")
    num_classes = int(y.max()) + 1
    start = time.perf_counter()
    torch.manual_seed(seed)                        # the same start weights on every run
    model = CourseBackbone(num_classes, width, X.shape[1]).to(device or "cpu")
    path = None
    if cache:
        key = cache_key(X, y, steps=steps, lr=lr, batch_size=batch_size, width=width, seed=seed,
                        augmented=augmented, tag=tag)
        path = cache_dir() / f"backbone-{key}.pt"
        if path.is_file():
            try:
                model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
                return model.eval(), PretrainInfo(True, time.perf_counter() - start, path,
                                                  X.shape[0], accuracy(model, X, y))
            except (RuntimeError, OSError, EOFError, ValueError, pickle.UnpicklingError):
                pass                               # unreadable or stale: train again below
    _train(model, X, y, steps=steps, lr=lr, batch_size=batch_size, seed=seed,
           augmented=augmented)
    if path is not None:
        weights = {k: v.cpu() for k, v in model.state_dict().items()}
        try:
            path = settings.write_atomic(path, lambda tmp: torch.save(weights, tmp))
        except OSError:                            # read-only home: run without a cache
            path = None
    return model, PretrainInfo(False, time.perf_counter() - start, path, X.shape[0],
                               accuracy(model, X, y))


def reuse(backbone: nn.Module, X: torch.Tensor, y: torch.Tensor, method: str, *,
          steps: int = 150, lr: float = 1e-3, batch_size: int = 32, seed: int = 0,
          augmented: bool = True) -> nn.Module:
    """Learn the classes of ``y`` from the few images ``X`` with one of :data:`METHODS`.

    - ``"feature extraction"``: frozen backbone features (computed once), a new Linear head;
    - ``"fine-tuning"``: a new head, then every layer trains (the backbone at ``lr / 10``, so
      the pretrained features are adjusted, not overwritten);
    - ``"from scratch"``: a fresh model of the same architecture, every layer at ``lr``.

    ``augmented`` flips and shifts the images of the methods that train convolutions (the
    frozen features of feature extraction are computed once, from the images as they are).
    ``backbone`` is never modified. Returns a new model in eval mode: image in, logits out.
    """
    from cnncourse.modelutils import model_device
    from cnncourse.recipes import pretrained

    if method not in METHODS:
        raise ValueError(f"reuse: method must be one of {METHODS}, got {method!r}.")
    num_classes = int(y.max()) + 1
    device = model_device(backbone)
    torch.manual_seed(seed)                        # the same new head in every method
    if method == "from scratch":
        width = getattr(backbone, "width", 16)
        model = CourseBackbone(num_classes, width, X.shape[1]).to(device)
        return _train(model, X, y, steps=steps, lr=lr, batch_size=batch_size, seed=seed,
                      augmented=augmented)
    model = pretrained.replace_head(copy.deepcopy(backbone), num_classes).to(device)
    head, _ = pretrained.head(model)
    if method == "feature extraction":
        pretrained.freeze_backbone(model)
        feats = pretrained.extract_features(model, X)                     # (N, D), once
        _train(head, feats, y, steps=steps, lr=lr, batch_size=batch_size, seed=seed)
        return model.eval()
    head_ids = {id(p) for p in head.parameters()}
    body = [p for p in model.parameters() if id(p) not in head_ids]
    groups = [{"params": list(head.parameters()), "lr": lr},
              {"params": body, "lr": lr / 10}]
    return _train(model, X, y, steps=steps, lr=lr, batch_size=batch_size, seed=seed,
                  params=groups, augmented=augmented)


def compare(backbone: nn.Module, train: tuple[torch.Tensor, torch.Tensor],
            val: tuple[torch.Tensor, torch.Tensor], per_class: Sequence[int] = (10, 25, 50), *,
            repeats: int = 1, methods: Sequence[str] = METHODS, steps: int = 150,
            lr: float = 1e-3, seed: int = 0, augmented: bool = True) -> list[dict]:
    """Validation accuracy of each method for each number of labels per class.

    For every ``k`` in ``per_class`` and each of ``repeats`` draws, the same ``k`` labelled
    images per class go to every method. Returns one row per ``(k, method)``:
    ``{"per_class", "method", "val_acc" (mean over draws), "accs", "models"}``.
    """
    X, y = train
    rows = []
    for k in per_class:
        draws = [few_per_class(X, y, k, seed=seed + r) for r in range(repeats)]
        for method in methods:
            models = [reuse(backbone, Xk, yk, method, steps=steps, lr=lr, seed=seed + r,
                            augmented=augmented)
                      for r, (Xk, yk) in enumerate(draws)]
            accs = [accuracy(m, *val) for m in models]
            rows.append({"per_class": k, "method": method, "val_acc": sum(accs) / len(accs),
                         "accs": accs, "models": models})
    return rows
