"""The in-memory containers: :class:`ImageSet` (one split) and :class:`Data` (a dataset)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from cnncourse.data.loader import TensorLoader

Split = tuple[torch.Tensor, torch.Tensor]  # uint8 images (N, C, H, W), int64 labels (N,)


@dataclass(frozen=True)
class DatasetInfo:
    """Facts about a dataset: per-channel ``mean``/``std`` and image ``shape`` ``(C, H, W)``."""

    name: str
    title: str
    mean: tuple[float, ...]
    std: tuple[float, ...]
    shape: tuple[int, int, int]
    num_classes: int

    def __getitem__(self, key: str) -> Any:
        # ``info["mean"]`` works as well as ``info.mean``.
        return getattr(self, key)


@dataclass
class ImageSet:
    """One split held in memory: ``X`` float32 normalised ``(N, C, H, W)``, ``y`` int64 ``(N,)``.

    It is a ``Dataset`` (``len(s)``, ``s[i] -> (image, label)``), so
    ``torch.utils.data.DataLoader(s, batch_size=128, shuffle=True)`` batches it; ``s.loader()``
    is the faster shortcut that slices whole batches at once.
    """

    X: torch.Tensor
    y: torch.Tensor
    classes: list[str]
    mean: tuple[float, ...]
    std: tuple[float, ...]

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.X[index], self.y[index]

    def loader(self, batch_size: int = 128, shuffle: bool = False) -> TensorLoader:
        """Mini-batches ``(X, y)`` straight from memory (shuffle the training split)."""
        return TensorLoader(self.X, self.y, batch_size=batch_size, shuffle=shuffle)

    def denormalize(self, X: torch.Tensor) -> torch.Tensor:
        """Undo the normalisation: values back in [0, 1] for display, same shape as ``X``."""
        return denormalize(X, self.mean, self.std)

    def __repr__(self) -> str:
        return (f"ImageSet({len(self)} images, X {tuple(self.X.shape[1:])}, "
                f"{len(self.classes)} classes)")


@dataclass
class Data:
    """A dataset ready for training: ``train``, ``val`` and ``test`` :class:`ImageSet` plus facts.

    ``val`` is a fixed slice of the original training split (about 10%), kept apart for
    choosing epochs and settings; ``test`` is for the one final score.
    """

    name: str
    train: ImageSet
    val: ImageSet
    test: ImageSet
    classes: list[str]
    info: DatasetInfo
    synthetic: bool = False
    reason: str | None = None          # why the synthetic stand-in is used
    root: Path | None = field(default=None, repr=False)
    skipped: list[tuple[str, str]] = field(default_factory=list, repr=False)  # load_folder's

    def denormalize(self, X: torch.Tensor) -> torch.Tensor:
        """Undo the normalisation: values back in [0, 1] for display."""
        return self.train.denormalize(X)

    def __repr__(self) -> str:
        kind = "SYNTHETIC stand-in for " if self.synthetic else ""
        return (f"Data({kind}{self.info.title}: train {len(self.train)}, val {len(self.val)}, "
                f"test {len(self.test)}, images {self.info.shape}, {len(self.classes)} classes)")


def denormalize(X: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """``X * std + mean`` per channel, clamped to [0, 1]; ``X`` is ``(C, H, W)`` or ``(N, C, H, W)``."""
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"denormalize: expected a tensor of images, got {type(X).__name__}.")
    channels = len(mean)
    if X.dim() not in (3, 4) or X.shape[-3] != channels:
        raise ValueError(f"denormalize: expected images shaped (C, H, W) or (N, C, H, W) with "
                         f"C={channels}, got {tuple(X.shape)}.")
    m = torch.tensor(mean, dtype=X.dtype, device=X.device).view(channels, 1, 1)
    s = torch.tensor(std, dtype=X.dtype, device=X.device).view(channels, 1, 1)
    return (X * s + m).clamp(0, 1)


def normalise(images: torch.Tensor, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """uint8 ``(N, C, H, W)`` -> float32 normalised ``(N, C, H, W)``."""
    c = images.shape[1]
    m = torch.tensor(mean, dtype=torch.float32).view(1, c, 1, 1)
    s = torch.tensor(std, dtype=torch.float32).view(1, c, 1, 1)
    return (images.float().div_(255) - m).div_(s)


def pixel_stats(images: torch.Tensor, limit: int = 2000) -> tuple[list[float], list[float]]:
    """Per-channel mean and std of uint8 images ``(N, C, H, W)`` (the first ``limit`` suffice)."""
    pixels = images[:limit].float().div(255)                 # (<=limit, C, H, W)
    std = pixels.std(dim=(0, 2, 3)) if pixels[:, 0].numel() > 1 else torch.ones(pixels.shape[1])
    return pixels.mean(dim=(0, 2, 3)).tolist(), std.clamp(min=1e-3).tolist()


def subset(images: torch.Tensor, labels: torch.Tensor, n: int, seed: int) -> Split:
    """A fixed random subset of ``n`` examples, in their original order (all when ``n`` >= N)."""
    if n >= images.shape[0]:
        return images, labels
    idx = torch.randperm(images.shape[0], generator=torch.Generator().manual_seed(seed))[:n]
    idx = idx.sort().values
    return images[idx], labels[idx]


def split_off(images: torch.Tensor, labels: torch.Tensor, fraction: float,
              seed: int) -> tuple[Split, Split]:
    """Split ``(images, labels)`` into ``(rest, part)``: a fixed random ``fraction`` goes to part.

    At least one example stays on each side when there are two or more; ``fraction=0`` gives
    an empty part.
    """
    n = images.shape[0]
    k = min(max(round(n * fraction), 1 if fraction > 0 else 0), max(n - 1, 0))
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    part, rest = perm[:k].sort().values, perm[k:].sort().values
    return (images[rest], labels[rest]), (images[part], labels[part])


def build(name: str, title: str, splits: dict[str, Split], classes: list[str],
          mean: Sequence[float], std: Sequence[float], *, synthetic: bool = False,
          reason: str | None = None, root: Path | None = None) -> Data:
    """A :class:`Data` from uint8 ``splits`` ("train", "val", "test"), normalised with mean/std."""
    mean, std = tuple(float(v) for v in mean), tuple(float(v) for v in std)
    shape = tuple(int(v) for v in splits["train"][0].shape[1:])
    info = DatasetInfo(name=name, title=title, mean=mean, std=std, shape=shape,  # type: ignore[arg-type]
                       num_classes=len(classes))
    sets = {key: ImageSet(normalise(x, mean, std), y, list(classes), mean, std)
            for key, (x, y) in splits.items()}
    return Data(name=name, train=sets["train"], val=sets["val"], test=sets["test"],
                classes=list(classes), info=info, synthetic=synthetic, reason=reason, root=root)
