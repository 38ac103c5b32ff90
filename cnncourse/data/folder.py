"""``load_folder``: your own images, in torchvision's ImageFolder layout, as a course ``Data``::

    root/train/<class>/<image>  and  root/test/<class>/<image>   (splits given)
    root/<class>/<image>                                       (split by fractions)

Every image file is decoded once with PIL and fitted to one size; files that cannot be decoded
are listed with their reason and skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from cnncourse.data.containers import Data, build, pixel_stats, split_off, subset
from cnncourse.data.files import DataError
from cnncourse.validate import whole_number, whole_numbers

_GREY_MODES = {"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "F"}
_BYTES_PER_VALUE = 5   # uint8 while loading + float32 once normalised


def _class_folders(root: Path) -> list[str]:
    """Sub-folder names of ``root``, sorted; hidden ones (.ipynb_checkpoints) are skipped."""
    return sorted(e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith("."))


def _samples(root: Path, class_to_idx: dict[str, int] | None = None,
             ) -> tuple[list[str], list[tuple[str, int]]]:
    """``(classes, [(path, class index)])`` of ``root/<class>/**`` with torchvision's
    ``make_dataset``: image extensions in any case, hidden files and folders left out."""
    from torchvision.datasets.folder import IMG_EXTENSIONS, make_dataset

    if class_to_idx is None:
        classes = _class_folders(root)
        if len(classes) < 2:
            found = f"only the class folder {classes[0]!r}" if classes else "no class folders"
            raise DataError(f"load_folder: found {found} in {root}; a classifier needs at "
                            f"least two classes. Put each class's images in its own folder: "
                            f"{root}/<class>/<image> (e.g. {root}/cats/1.jpg, "
                            f"{root}/dogs/1.jpg).")
        class_to_idx = {name: i for i, name in enumerate(classes)}

    def visible_image(path: str) -> bool:
        parts = Path(path).relative_to(root).parts
        return path.lower().endswith(IMG_EXTENSIONS) and not any(
            part.startswith(".") for part in parts)

    samples = make_dataset(str(root), class_to_idx, is_valid_file=visible_image,
                           allow_empty=True)
    return list(class_to_idx), samples


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


def _why_unreadable(path: str, err: Exception) -> str:
    """A few words on why ``path`` is not a usable image."""
    from PIL import UnidentifiedImageError

    if os.path.getsize(path) == 0:
        return "empty file (0 bytes)"
    if isinstance(err, UnidentifiedImageError):
        return "not an image PIL can read (another kind of file with an image name?)"
    text = " ".join(str(err).split())
    if "truncated" in text.lower() or "broken data stream" in text:
        return f"truncated: the file ends early ({text})"
    return f"damaged or unsupported ({type(err).__name__}: {text})"


def _load_image(path: str, size: tuple[int, int]) -> tuple[torch.Tensor, bool]:
    """One image as RGB uint8 ``(3, H, W)`` and whether it had colour; PIL's error when
    unreadable."""
    import numpy as np
    from PIL import Image, ImageOps

    with Image.open(path) as opened:
        opened.load()                                   # decodes: a truncated file fails here
        img = ImageOps.exif_transpose(opened)           # phone photos stored on their side
    colour = img.mode not in _GREY_MODES
    if img.mode.startswith("I"):                        # 16-bit grey: scale to 0-255
        img = Image.fromarray((np.asarray(img, dtype=np.float32) / 257).clip(0, 255)
                              .astype(np.uint8))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        img = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    img = ImageOps.fit(img.convert("RGB"), (size[1], size[0]), method=Image.Resampling.BILINEAR)
    return torch.from_numpy(np.array(img, dtype=np.uint8)).permute(2, 0, 1), colour  # (3, H, W)


def _decode(samples: list[tuple[str, int]], size: tuple[int, int],
            progress: bool) -> tuple[torch.Tensor, torch.Tensor, list[bool],
                                     list[tuple[str, str]]]:
    """Decode every sample once: uint8 ``(N, C, H, W)`` (one channel when every image is
    grey), labels ``(N,)``, which ones were read, and ``(path, reason)`` for each unreadable
    one (its row stays zero)."""
    from tqdm.auto import tqdm

    out = torch.zeros(len(samples), 3, *size, dtype=torch.uint8)
    ok, bad, any_colour = [True] * len(samples), [], False
    for i, (path, _) in enumerate(tqdm(samples, desc="loading images", unit="img",
                                       disable=not progress, leave=False)):
        try:
            out[i], colour = _load_image(path, size)
            any_colour |= colour
        except Exception as err:  # noqa: BLE001 - PIL raises many kinds for a bad file
            ok[i] = False
            bad.append((path, _why_unreadable(path, err)))
    if not any_colour:
        out = out[:, :1].contiguous()   # every image was grey: one channel is enough
    labels = torch.as_tensor([target for _, target in samples], dtype=torch.long)
    return out, labels, ok, bad


def _report(bad: list[tuple[str, str]], total: int) -> None:
    """Print every unreadable file with its reason, then how many were skipped."""
    if not bad:
        return
    print(f"load_folder: skipped {len(bad)} of {total} image files that cannot be read:")
    for path, reason in bad:
        print(f"  {path}: {reason}")
    print("  To use them, replace each with a good copy; to silence this, delete or move them.")


def _check_counts(where: Path, classes: list[str], labels: torch.Tensor, need: int,
                  what: str) -> None:
    """Refuse a split where a class has fewer than ``need`` readable images."""
    from torchvision.datasets.folder import IMG_EXTENSIONS

    counts = torch.bincount(labels, minlength=len(classes)).tolist()
    short = [f"{where / name} ({n})" for name, n in zip(classes, counts, strict=True) if n < need]
    if short:
        raise DataError(f"load_folder: too few readable images in {', '.join(short)}; each "
                        f"class needs at least {need} ({what}; looked for "
                        f"{' '.join(IMG_EXTENSIONS)}, any case). Add images, or remove the "
                        f"folder. Dozens per class give a validation accuracy you can trust.")


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
                val_fraction: float = 0.1, test_fraction: float = 0.2, seed: int = 0,
                max_images: int | None = None, progress: bool = True) -> Data:
    """Load your own images (ImageFolder layout) into a :class:`Data` like ``load_data`` gives.

    Args:
        root: ``root/train/<class>/*`` plus ``root/test/<class>/*``, or one ``root/<class>/*``;
            a relative path starts from the working folder (the notebook's folder).
        image_size: side (or ``(height, width)``) every image is cropped and resized to;
            3 channels when any image has colour, else 1.
        val_fraction: share of the training images kept apart as ``data.val`` (per class).
        test_fraction: share kept for ``data.test`` when there is no ``root/test`` folder.
        seed: fixes which images land in which split (and the ``max_images`` subsample).
        max_images: load at most this many images (a fixed random subsample); more than
            half the free memory is refused.
        progress: show a tqdm progress bar while decoding.

    Returns:
        a :class:`Data` with ``train``/``val``/``test``, ``classes`` from the folder names and
        normalisation statistics measured on the training images; ``data.skipped`` lists
        ``(path, reason)`` for each file that could not be read (printed too).
    """
    from cnncourse.data.loading import _check_fraction

    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"load_folder: root must be a folder path, got {type(root).__name__}.")
    given = Path(root).expanduser()
    root = given if given.is_absolute() else Path.cwd() / given
    if not root.is_dir():
        where = "" if given.is_absolute() else (f" (the relative path {str(given)!r} starts "
                                                f"from the working folder {Path.cwd()})")
        raise FileNotFoundError(f"load_folder: {root} is not a folder{where}. Pass the folder "
                                f"that holds one sub-folder of images per class.")
    if isinstance(image_size, (tuple, list)):
        size = whole_numbers(image_size, "image_size", "load_folder", length=2,
                             hint="or one int for square images")
    else:
        side = whole_number(image_size, "image_size", "load_folder", hint="or (height, width)")
        size = (side, side)
    val_fraction = _check_fraction(val_fraction, "val_fraction", "load_folder")
    test_fraction = _check_fraction(test_fraction, "test_fraction", "load_folder")
    if max_images is not None:
        whole_number(max_images, "max_images", "load_folder", minimum=2)

    given_test = (root / "train").is_dir() and (root / "test").is_dir()
    if given_test:
        classes, pool = _samples(root / "train")
        extra = sorted(set(_class_folders(root / "test")) - set(classes))
        if extra:
            raise DataError(f"load_folder: {root / 'test'} has class folder(s) {extra} that "
                            f"{root / 'train'} does not have; both need the same classes.")
        test = _samples(root / "test", {name: i for i, name in enumerate(classes)})[1]
    else:
        (classes, pool), test = _samples(root), []

    total = len(pool) + len(test)
    if max_images is not None and total > max_images:
        keep = max_images / total
        pool = _sample(pool, max(1, round(len(pool) * keep)), seed)
        test = _sample(test, max(1, round(len(test) * keep)), seed + 1) if test else []
        total = len(pool) + len(test)
    need = total * 3 * size[0] * size[1] * _BYTES_PER_VALUE
    limit = (_available_memory() or 8 << 30) // 2
    if need > limit:
        fits = max(2, int(total * limit / need))
        raise DataError(f"load_folder: {total} images at {size[0]}x{size[1]} need about "
                        f"{need / 2**30:.1f} GiB of memory, more than the {limit / 2**30:.1f} GiB "
                        f"allowed (half the free memory). Pass max_images={fits} to load a "
                        f"random subsample, or a smaller image_size.")

    X, y, ok, bad = _decode(pool + test, size, progress)            # (N, C, H, W), (N,)
    _report(bad, total)
    rows = [(i, int(y[i])) for i in range(len(pool)) if ok[i]]
    held = [(i, int(y[i])) for i in range(len(pool), total) if ok[i]]
    labels = torch.as_tensor([t for _, t in rows], dtype=torch.long)
    if given_test:
        _check_counts(root / "train", classes, labels, 1 + (val_fraction > 0),
                      "for training and validation")
        _check_counts(root / "test", classes,
                      torch.as_tensor([t for _, t in held], dtype=torch.long), 1, "for testing")
    else:
        _check_counts(root, classes, labels, 1 + (val_fraction > 0) + (test_fraction > 0),
                      "one each for training, validation and testing")
        rows, held = _per_class_split(rows, test_fraction, seed)
    train, val = _per_class_split(rows, val_fraction, seed + 7919)
    splits = {}
    for key, part in (("train", train), ("val", val), ("test", held)):
        idx = torch.as_tensor([i for i, _ in part], dtype=torch.long)
        splits[key] = (X[idx], y[idx])
    mean, std = pixel_stats(splits["train"][0])
    data = build("folder", f"your images ({root.name})", splits, classes, mean, std, root=root)
    data.skipped = bad
    return data
