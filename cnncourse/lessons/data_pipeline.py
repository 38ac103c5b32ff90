"""Lesson 07 · Data in PyTorch: the reference solutions, their checks, and the quizzes."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset

from cnncourse.course.exercises import Checks, Mistake, expect_close
from cnncourse.course.quiz import Quizzes

check = Checks("data_pipeline")
quiz = Quizzes("data_pipeline")


# Reference solutions ------------------------------------------------------------------------------

def channel_stats(images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-channel mean and std ``(C,)`` each, of images ``(N, C, H, W)`` with values in [0, 1]."""
    return images.mean(dim=(0, 2, 3)), images.std(dim=(0, 2, 3))


class FolderCSVDataset(Dataset):
    """The images listed in a CSV file (columns ``filename,label``), read from ``folder``."""

    def __init__(self, folder, csv_file, transform=None):
        from PIL import Image  # noqa: F401  (imported here only to fail early without Pillow)

        self.folder, self.transform = Path(folder), transform
        with open(csv_file, newline="") as f:
            self.rows = [(row["filename"], int(row["label"])) for row in csv.DictReader(f)]

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        from PIL import Image

        filename, label = self.rows[index]
        image = Image.open(self.folder / filename).convert("RGB")
        if self.transform is not None:
            image = self.transform(image)
        return image, label


# Checks -------------------------------------------------------------------------------------------

@check.of(channel_stats)
def check_channel_stats(fn):
    """Compares with a hand count on images whose channels have known, different spreads."""
    g = torch.Generator().manual_seed(0)
    images = torch.rand(6, 3, 5, 4, generator=g) * torch.tensor([0.2, 0.6, 1.0]).view(1, 3, 1, 1)
    got = fn(images)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Mistake(f"channel_stats returned {type(got).__name__}; return two tensors, "
                      f"(mean, std), each with one value per channel.")
    mean, std = (torch.as_tensor(v, dtype=torch.float32) for v in got)
    pixels = images.permute(1, 0, 2, 3).reshape(3, -1)             # (C, N*H*W)
    if mean.numel() == 1 or std.numel() == 1:
        raise Mistake("you returned one number for all channels; each colour channel needs its "
                      "own mean and std: average over dim=(0, 2, 3), keeping dim 1.")
    if mean.shape != (3,) or std.shape != (3,):
        raise Mistake(f"mean has shape {tuple(mean.shape)} and std {tuple(std.shape)}; both "
                      f"should be (3,) for 3 channels: reduce over images, height and width, "
                      f"dim=(0, 2, 3).")
    expect_close(mean, pixels.mean(dim=1), "your mean", atol=1e-4, mistakes=[
        (pixels.mean(dim=1) * 255, "the mean is 255 times too big: the images are already in "
                                   "[0, 1].")])
    if torch.allclose(std, pixels.std(dim=1, correction=0), atol=1e-5):   # numpy's np.std
        return ("one mean and one std per channel, over every pixel of every training image "
                "(you divided by N, like np.std; torch's std divides by N - 1: over thousands "
                "of pixels the two agree).")
    slips = [(images.mean(dim=(2, 3)).std(dim=0),             # spread of the image averages
              "your std is the spread of each image's average, which is much smaller than the "
              "spread of the pixels: take the std over all pixels of a channel, dim=(0, 2, 3)."),
             (pixels.var(dim=1), "that is the variance; Normalize divides by the standard "
                                 "deviation, its square root."),
             (images.std(dim=(2, 3)).mean(dim=0),
              "your std is the average of each image's own std, which leaves out how much the "
              "images differ from each other: take the std over all pixels of a channel at "
              "once, dim=(0, 2, 3).")]
    expect_close(std, pixels.std(dim=1), "your std", atol=1e-3, mistakes=slips)
    return "one mean and one std per channel, over every pixel of every training image."


def _write_check_files(folder: Path) -> list[tuple[str, int, tuple[int, int, int]]]:
    """Six small PNGs, one gray and one with an alpha channel, listed out of name order."""
    from PIL import Image

    rows = []
    for k, (name, label) in enumerate([("b_3.png", 1), ("a_1.png", 0), ("c_0.png", 2),
                                       ("a_2.png", 0), ("b_1.png", 1), ("c_9.png", 2)]):
        colour = (40 * k + 10, 200 - 30 * k, 25 * label + 5)
        mode = "L" if k == 2 else "RGBA" if k == 4 else "RGB"
        image = Image.new("RGB", (6 + k, 5), colour)
        if mode == "L":
            image = image.convert("L")
            colour = (image.getpixel((0, 0)),) * 3
        image.convert(mode).save(folder / name)
        rows.append((name, label, colour))
    with open(folder / "labels.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["filename", "label"])
        writer.writerows((name, label) for name, label, _ in rows)
    return rows


@check.of(FolderCSVDataset)
def check_folder_csv_dataset(cls):
    """Builds your class on six small files (one gray, one with transparency) and a CSV."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = _write_check_files(folder)
        ds = cls(folder, folder / "labels.csv")
        if not hasattr(ds, "__len__") or not hasattr(ds, "__getitem__"):
            raise Mistake(f"FolderCSVDataset(folder, csv_file) gave a {type(ds).__name__}; it "
                          f"should be a class with __len__ and __getitem__ (a Dataset).")
        n = len(ds)
        if n == len(rows) + 1:
            raise Mistake(f"len(ds) is {n} for a CSV with {len(rows)} images: the header line "
                          f"(filename,label) was counted as an image; csv.DictReader skips it.")
        if n == len(rows) - 1:
            raise Mistake(f"len(ds) is {n} for a CSV with {len(rows)} images: one short. "
                          f"__len__ should return len(self.rows) (csv.DictReader already "
                          f"leaves out the header, so subtract nothing).")
        if n != len(rows):
            raise Mistake(f"len(ds) is {n}; the CSV lists {len(rows)} images.")
        for i, (name, label, colour) in enumerate(rows):
            item = ds[i]
            if not isinstance(item, tuple) or len(item) != 2:
                raise Mistake(f"ds[{i}] returned {type(item).__name__}; return a pair "
                              f"(image, label), like torchvision's datasets.")
            image, got = item
            if isinstance(got, str):
                raise Mistake(f"ds[{i}] gave the label {got!r} as text; convert it with "
                              f"int(...) so the loss can use it.")
            if isinstance(got, (float, torch.Tensor)) and torch.is_floating_point(
                    torch.as_tensor(got)):
                raise Mistake(f"ds[{i}] gave the label {got!r}, a float; class labels are "
                              f"whole numbers (int, or a torch.long tensor): the DataLoader "
                              f"would stack floats into a float tensor, and CrossEntropyLoss "
                              f"wants class indices. Use int(label).")
            if isinstance(got, torch.Tensor) and got.numel() == 1:
                got = int(got)
            if hasattr(got, "dtype") and getattr(got, "ndim", 1) == 0 and str(got.dtype)[:3] in (
                    "int", "uin"):
                got = int(got)   # a numpy integer batches like an int
            if not isinstance(got, int) or isinstance(got, bool):
                raise Mistake(f"ds[{i}] gave the label {got!r}; expected the int {label}.")
            if not isinstance(image, Image.Image):
                raise Mistake(f"ds[{i}] gave a {type(image).__name__} without a transform; "
                              f"with transform=None return the PIL image as it was opened.")
            if image.mode != "RGB":
                raise Mistake(f"ds[{i}] ({name}) is a {image.mode!r} image; call "
                              f".convert('RGB') after Image.open, so gray and transparent "
                              f"files also give three channels.")
            if image.getpixel((0, 0)) != colour or got != label:
                raise Mistake(f"ds[{i}] is not {name} with label {label}, the CSV's row {i + 1}: "
                              f"keep the rows in the CSV's order (do not sort or list the "
                              f"folder).")
        seen = []

        def transform(image: Any) -> str:
            seen.append(image)
            return "transformed"

        image, _ = cls(folder, folder / "labels.csv", transform=transform)[0]
        if image != "transformed" or len(seen) != 1:
            raise Mistake("with transform=t, ds[i] should return t(image): your "
                          "__getitem__ ignores the transform (or applies it more than once).")
    return ("len counts the CSV's rows, ds[i] opens one file as RGB, applies the transform and "
            "returns (image, int label).")
