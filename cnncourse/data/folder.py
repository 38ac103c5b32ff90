"""``load_folder``: your own images, in torchvision's ImageFolder layout, as a course ``Data``.

Two layouts are understood::

    root/train/<class>/<image>  and  root/test/<class>/<image>   (splits given)
    root/<class>/<image>                                       (split by fractions)

Every image is decoded with PIL, composited on white when it has transparency, converted to
one channel count, cropped to the target aspect and resized to ``image_size`` (``ImageOps.fit``),
so mixed sizes and modes (L, RGB, RGBA, P, ...) become one tensor ``(N, C, H, W)``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from cnncourse.data.containers import Data, Split, build, pixel_stats, split_off, subset
from cnncourse.data.messages import DataError
from cnncourse.validate import whole_number, whole_numbers

_GREY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "F"}
_BYTES_PER_VALUE = 5   # uint8 while loading + float32 once normalised


def _class_folders(root: Path) -> list[str]:
    """Sub-folder names of ``root``, sorted; hidden ones (.ipynb_checkpoints) are skipped."""
    return sorted(e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith("."))


def _image_folder(root: Path, class_to_idx: dict[str, int] | None = None) -> Any:
    """torchvision's ImageFolder over ``root``, with :func:`_class_folders` as its classes."""
    from torchvision.datasets import ImageFolder

    if class_to_idx is None:
        classes = _class_folders(root)
        if len(classes) < 2:
            found = f"only the class folder {classes[0]!r}" if classes else "no class folders"
            raise DataError(f"load_folder: found {found} in {root}; a classifier needs at "
                            f"least two classes. Put each class's images in its own folder: "
                            f"{root}/<class>/<image> (e.g. {root}/cats/1.jpg, "
                            f"{root}/dogs/1.jpg).")
        class_to_idx = {name: i for i, name in enumerate(classes)}
    mapping = class_to_idx

    class CourseImageFolder(ImageFolder):
        def find_classes(self, directory: str) -> tuple[list[str], dict[str, int]]:
            return list(mapping), mapping

    return CourseImageFolder(str(root), allow_empty=True)


def _check_classes(root: Path, ds: Any) -> None:
    from torchvision.datasets.folder import IMG_EXTENSIONS

    counts = torch.bincount(torch.as_tensor(ds.targets, dtype=torch.long),
                            minlength=len(ds.classes))
    empty = [name for name, n in zip(ds.classes, counts.tolist(), strict=True) if n == 0]
    if empty:
        raise DataError(f"load_folder: class folder(s) {', '.join(str(root / e) for e in empty)} "
                        f"hold no images (looked for {' '.join(IMG_EXTENSIONS)}). Add images "
                        f"or remove the folder.")


def _available_memory() -> int | None:
    """Bytes of memory available now (Linux ``MemAvailable``), or None when unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _load_image(path: str, size: tuple[int, int], channels: int) -> tuple[torch.Tensor, bool]:
    """One image as uint8 ``(C, H, W)``, and whether it had colour; clear error when unreadable."""
    import numpy as np
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as img:
            img.load()
            colour = img.mode not in _GREY_MODES
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                rgba = img.convert("RGBA")
                img = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
            img = img.convert("L" if channels == 1 else "RGB")
            img = ImageOps.fit(img, (size[1], size[0]), method=Image.Resampling.BILINEAR)
            array = np.asarray(img, dtype=np.uint8).reshape(size[0], size[1], channels)
    except Exception as err:  # noqa: BLE001 - PIL raises many kinds for a bad file
        raise DataError(f"load_folder: cannot read the image {path} ({err}). Replace or delete "
                        f"that file (or move it out of the folder) and load again.") from err
    return torch.from_numpy(array.copy()).permute(2, 0, 1), colour   # (C, H, W)


def _decode(samples: list[tuple[str, int]], size: tuple[int, int], channels: int | None,
            progress: bool) -> Split:
    """Decode every sample: uint8 ``(N, C, H, W)`` and int64 labels ``(N,)``."""
    from tqdm.auto import tqdm

    out = torch.empty(len(samples), 3 if channels is None else channels, *size, dtype=torch.uint8)
    any_colour = False
    for i, (path, _) in enumerate(tqdm(samples, desc="loading images", unit="img",
                                       disable=not progress, leave=False)):
        out[i], colour = _load_image(path, size, 3 if channels is None else channels)
        any_colour |= colour
    if channels is None and not any_colour:
        out = out[:, :1].contiguous()   # every image was grey: one channel is enough
    labels = torch.as_tensor([target for _, target in samples], dtype=torch.long)
    return out, labels


def _size(image_size: Any) -> tuple[int, int]:
    """``image_size`` (one int, or ``(height, width)``) as ``(height, width)``."""
    if isinstance(image_size, (tuple, list)):
        return whole_numbers(image_size, "image_size", "load_folder", length=2,
                             hint="or one int for square images")
    side = whole_number(image_size, "image_size", "load_folder",
                        hint="or (height, width)")
    return side, side


def _per_class_split(samples: list[tuple[str, int]], fraction: float,
                     seed: int) -> tuple[list, list]:
    """Split ``(path, class)`` samples into ``(rest, part)`` class by class (fixed by seed)."""
    rest, part = [], []
    targets = torch.as_tensor([t for _, t in samples], dtype=torch.long)
    for c in sorted(set(targets.tolist())):
        idx = (targets == c).nonzero(as_tuple=True)[0]
        (keep, _), (take, _) = split_off(idx, idx, fraction, seed + c)
        rest += [samples[i] for i in keep.tolist()]
        part += [samples[i] for i in take.tolist()]
    return rest, part


def _sample(samples: list, n: int, seed: int) -> list:
    """A fixed random ``n`` of ``samples``, in their original order."""
    idx = torch.arange(len(samples))
    return [samples[i] for i in subset(idx, idx, n, seed)[0].tolist()]


def load_folder(root: str | Path, image_size: int | tuple[int, int] = 32,
                channels: int | None = None, val_fraction: float = 0.1,
                test_fraction: float = 0.2, seed: int = 0, max_images: int | None = None,
                max_memory: int | None = None, progress: bool = True) -> Data:
    """Load your own images (ImageFolder layout) into a :class:`Data` like ``load_data`` gives.

    Args:
        root: ``root/train/<class>/*`` plus ``root/test/<class>/*``, or one ``root/<class>/*``.
        image_size: side (or ``(height, width)``) every image is cropped and resized to.
        channels: 1 or 3; default 3 when any image has colour, else 1.
        val_fraction: share of the training images kept apart as ``data.val`` (per class).
        test_fraction: share kept for ``data.test`` when there is no ``root/test`` folder.
        seed: fixes which images land in which split (and the ``max_images`` subsample).
        max_images: load at most this many images (a fixed random subsample).
        max_memory: refuse to load more than this many bytes (default: half the free memory).
        progress: show a tqdm progress bar while decoding.

    Returns:
        a :class:`Data` with ``train``/``val``/``test``, ``classes`` from the folder names and
        normalisation statistics measured on the training images.
    """
    from cnncourse.data.loading import _check_fraction

    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"load_folder: root must be a folder path, got {type(root).__name__}.")
    root = Path(root).expanduser()
    if not root.is_dir():
        raise FileNotFoundError(f"load_folder: {root} is not a folder. Pass the folder that "
                                f"holds one sub-folder of images per class.")
    size = _size(image_size)
    if channels not in (None, 1, 3):
        raise ValueError(f"load_folder: channels must be 1, 3 or None, got {channels!r}.")
    val_fraction = _check_fraction(val_fraction, "val_fraction", "load_folder")
    test_fraction = _check_fraction(test_fraction, "test_fraction", "load_folder")
    if max_images is not None:
        whole_number(max_images, "max_images", "load_folder", minimum=2)

    if (root / "train").is_dir() and (root / "test").is_dir():
        train_ds = _image_folder(root / "train")
        _check_classes(root / "train", train_ds)
        test_ds = _image_folder(root / "test", train_ds.class_to_idx)
        extra = sorted(set(_class_folders(root / "test")) - set(train_ds.classes))
        if extra:
            raise DataError(f"load_folder: {root / 'test'} has class folder(s) {extra} that "
                            f"{root / 'train'} does not have; both need the same classes.")
        train, test = train_ds.samples, test_ds.samples
    else:
        train_ds = _image_folder(root)
        _check_classes(root, train_ds)
        train, test = _per_class_split(train_ds.samples, test_fraction, seed)

    total = len(train) + len(test)
    if max_images is not None and total > max_images:
        keep = max_images / total
        train = _sample(train, max(1, round(len(train) * keep)), seed)
        test = _sample(test, max(1, round(len(test) * keep)), seed + 1)
        total = len(train) + len(test)
    need = total * (3 if channels is None else channels) * size[0] * size[1] * _BYTES_PER_VALUE
    limit = max_memory if max_memory is not None else (_available_memory() or 8 << 30) // 2
    if need > limit:
        fits = max(2, int(total * limit / need))
        raise DataError(f"load_folder: {total} images at {size[0]}x{size[1]} need about "
                        f"{need / 2**30:.1f} GiB of memory, more than the {limit / 2**30:.1f} GiB "
                        f"allowed. Pass max_images={fits} to load a random subsample, or a "
                        f"smaller image_size, or raise max_memory.")

    train, val = _per_class_split(train, val_fraction, seed + 7919)
    X, y = _decode(train + val + test, size, channels, progress)  # (N, C, H, W), (N,)
    ends = {"train": len(train), "val": len(train) + len(val), "test": len(X)}
    splits, start = {}, 0
    for key, end in ends.items():
        splits[key], start = (X[start:end], y[start:end]), end
    mean, std = pixel_stats(splits["train"][0])
    return build("folder", f"your images ({root.name})", splits, list(train_ds.classes),
                 mean, std, root=root)
