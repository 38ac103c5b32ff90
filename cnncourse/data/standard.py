"""torchvision's own dataset classes on the files the course verified, or the stand-in.

``torchvision_dataset("mnist", train=True, transform=t)`` returns a real
``torchvision.datasets.MNIST`` (or ``FashionMNIST``, ``CIFAR10``) whose ``ds[i]`` is
``(PIL image, label)`` with ``transform`` applied, exactly as in any PyTorch tutorial. Two
differences are hidden inside a thin subclass: its file check goes through the course's
verification (:func:`cnncourse.data.files.expected_files`, so an instructor's copy or the
course's own cache passes), and MNIST is read straight from its ``.gz`` files (torchvision
wants them unpacked, which a read-only data folder cannot do).

Without the files and without a network, the stand-in comes back as a :class:`StandInImages`
with the same contract (``ds[i] -> (PIL image, label)``, ``classes``, ``targets``), and the
notebook says so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from cnncourse import settings
from cnncourse.data import files
from cnncourse.data.catalog import STANDIN_CLASSES, TITLES, canonical_name
from cnncourse.data.messages import DataError, tell_fallback

_classes: dict[str, Any] = {}


def _pil(image: torch.Tensor) -> Any:
    """uint8 ``(C, H, W)`` -> a PIL image (mode "L" for one channel, "RGB" for three)."""
    from PIL import Image

    if image.shape[0] == 1:
        return Image.fromarray(image[0].numpy(), mode="L")
    return Image.fromarray(image.permute(1, 2, 0).contiguous().numpy(), mode="RGB")


class StandInImages(torch.utils.data.Dataset):
    """The course's generated stand-in as a ``Dataset``: ``ds[i] -> (PIL image, label)``.

    Used when the real files are not on this computer and cannot be downloaded. It has the
    attributes of torchvision's classes that the course uses (``classes``, ``class_to_idx``,
    ``targets``, ``data``, ``transform``), and ``synthetic = True``.
    """

    synthetic = True

    def __init__(self, name: str, images: torch.Tensor, labels: torch.Tensor, train: bool,
                 transform: Callable | None = None, target_transform: Callable | None = None):
        self.name, self.train = name, train
        self.images = images                          # uint8 (N, C, H, W)
        self.targets = labels.tolist()                # int labels, as CIFAR10.targets
        self.classes = list(STANDIN_CLASSES[name])
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
        self.transform, self.target_transform = transform, target_transform

    @property
    def data(self) -> Any:
        """The images as torchvision keeps them: ``(N, H, W)`` for gray, ``(N, H, W, 3)`` RGB."""
        if self.images.shape[1] == 1:
            return self.images[:, 0]
        return self.images.permute(0, 2, 3, 1).numpy()

    def __len__(self) -> int:
        return int(self.images.shape[0])

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image, target = _pil(self.images[index]), int(self.targets[index])
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        lines = [f"Dataset {TITLES[self.name]} stand-in (generated, not real images)",
                 f"    Number of datapoints: {len(self)}", f"    Split: {split}"]
        if self.transform is not None:
            lines.append("    " + repr(self.transform).replace("\n", "\n    "))
        return "\n".join(lines)


_CLASS_NAMES = {"mnist": "VerifiedMNIST", "fashion_mnist": "VerifiedFashionMNIST",
                "cifar10": "VerifiedCIFAR10"}


def _verified_class(name: str) -> Any:
    """A subclass of torchvision's class for ``name`` that trusts the course's verification.

    It lives in this module under ``VerifiedMNIST`` etc., so pickle finds it by name: a
    DataLoader's workers started with "spawn" (macOS, Windows) can rebuild the dataset.
    """
    if name in _classes:
        return _classes[name]
    body: dict[str, Any] = {"__module__": __name__, "__qualname__": _CLASS_NAMES[name],
                            "synthetic": False}  # real images; the stand-in says True
    if name == "cifar10":
        from cnncourse.data.readers import _VerifiedCIFAR10

        base = _VerifiedCIFAR10.get()
        body["__doc__"] = "torchvision's CIFAR10, its files checked by cnncourse."
    else:
        from cnncourse.data.readers import _mnist_split

        base = files.torchvision_class(name)

        def _check_exists(self: Any) -> bool:
            # The course's table (which an instructor's checksums can replace), not
            # torchvision's check for unpacked files.
            try:
                return not files.check_files(name, self.root)[1]
            except DataError:
                return False

        def _load_data(self: Any) -> tuple[torch.Tensor, torch.Tensor]:
            images, labels = _mnist_split(name, Path(self.root), self.train)
            return images[:, 0], labels                               # (N, 28, 28), (N,)

        body.update(__doc__=f"torchvision's {base.__name__}, read from the verified .gz files.",
                    _check_exists=_check_exists, _load_data=_load_data,
                    _check_legacy_exist=lambda self: False)
    cls = type(_CLASS_NAMES[name], (base,), body)
    _classes[name] = cls
    return cls


def __getattr__(attr: str) -> Any:
    # ``cnncourse.data.standard.VerifiedCIFAR10`` etc. are built on first use (pickle asks).
    for name, cls_name in _CLASS_NAMES.items():
        if attr == cls_name:
            return _verified_class(name)
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


def torchvision_dataset(name: str, train: bool = True, transform: Callable | None = None, *,
                        target_transform: Callable | None = None,
                        root: str | Path | None = None, download: bool | None = None,
                        quick: bool | None = None) -> Any:
    """torchvision's ``MNIST``, ``FashionMNIST`` or ``CIFAR10`` on the course's verified files.

    The same as ``torchvision.datasets.MNIST(root, train=train, transform=transform)``:
    ``ds[i]`` is ``(PIL image, label)`` with ``transform`` applied. Files are found, checked
    and downloaded as for :func:`cnncourse.data.load_data`; a read-only folder works.

    Args:
        name: "mnist", "fashion_mnist" or "cifar10".
        train: the training split (``True``) or the test split.
        transform: applied to each PIL image, e.g. ``v2.Compose([v2.ToImage(), ...])``.
        target_transform: applied to each label.
        root: the data folder; default ``cnncourse.settings.data_dir()``.
        download: fetch missing files (default: yes, unless ``CNNCOURSE_OFFLINE=1``).
        quick: keep only the first 1024 (train) or 512 (test) images (default:
            ``CNNCOURSE_QUICK``).

    Returns:
        a torchvision dataset, or a :class:`StandInImages` (``ds.synthetic`` is ``True``) when
        the files are missing and cannot be downloaded.
    """
    from cnncourse.data.download import locate
    from cnncourse.data.loading import QUICK_SIZES, SYNTHETIC_SIZES

    name = canonical_name(name)
    for arg, value in (("train", train), ("download", download), ("quick", quick)):
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"torchvision_dataset: {arg} must be True or False, got {value!r}.")
    for arg, value in (("transform", transform), ("target_transform", target_transform)):
        if value is not None and not callable(value):
            raise TypeError(f"torchvision_dataset: {arg} must be a callable such as "
                            f"v2.Compose([...]) or None, got {type(value).__name__}.")
    root = files.resolve_root(root, must_exist=root is not None)
    quick = settings.is_quick() if quick is None else quick
    limit = QUICK_SIZES[0 if train else 1] if quick else None

    folder, reason = locate(name, root, download)  # raises DataError for corrupt files

    if folder is None:
        from cnncourse.data import synthetic

        tell_fallback(name, reason or "its files are missing", root)
        n = limit or SYNTHETIC_SIZES[0 if train else 1]
        images, labels = synthetic.generate(name, n, seed=0 if train else 7919)
        return StandInImages(name, images, labels, train, transform, target_transform)

    ds = _verified_class(name)(str(folder), train=train, transform=transform,
                               target_transform=target_transform, download=False)
    if limit is not None and len(ds) > limit:
        ds.data, ds.targets = ds.data[:limit], ds.targets[:limit]
    return ds
