"""Lesson 07 (data_pipeline): the checks accept the references and name realistic mistakes."""

import csv
from pathlib import Path

import pytest
import torch
from PIL import Image
from torch.utils.data import Dataset

from cnncourse.course.exercises import CORRECT, NOT_ATTEMPTED, WRONG
from cnncourse.lessons import data_pipeline
from cnncourse.lessons.data_pipeline import check


def test_references_pass():
    assert check.channel_stats.verdict(data_pipeline.channel_stats).status == CORRECT
    assert check.FolderCSVDataset.verdict(data_pipeline.FolderCSVDataset).status == CORRECT


@pytest.mark.parametrize("wrong,message", [
    (lambda X: (X.mean(), X.std()), "one number for all channels"),
    (lambda X: (X.mean(dim=0), X.std(dim=0)), "should be (3,)"),
    (lambda X: (X.mean(dim=(0, 2, 3)), X.mean(dim=(2, 3)).std(dim=0)), "spread of each image"),
    (lambda X: (X.mean(dim=(0, 2, 3)), X.var(dim=(0, 2, 3))), "that is the variance"),
    (lambda X: (X.mean(dim=(0, 2, 3)) * 255, X.std(dim=(0, 2, 3)) * 255), "255 times too big"),
    (lambda X: X.mean(dim=(0, 2, 3)), "return two tensors"),
    (lambda X: (X.mean(dim=(0, 2, 3)), X.std(dim=(2, 3)).mean(dim=0)), "each image's own std"),
])
def test_channel_stats_mistakes_are_named(wrong, message):
    verdict = check.channel_stats.verdict(wrong)
    assert verdict.status == WRONG
    assert message in verdict.message


class _Base(Dataset):
    def __init__(self, folder, csv_file, transform=None):
        self.folder, self.transform = Path(folder), transform
        with open(csv_file, newline="") as f:
            self.rows = [(r["filename"], int(r["label"])) for r in csv.DictReader(f)]

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        name, label = self.rows[i]
        image = Image.open(self.folder / name).convert("RGB")
        return (self.transform(image) if self.transform else image), label


class HeaderCounted(_Base):
    def __init__(self, folder, csv_file, transform=None):
        super().__init__(folder, csv_file, transform)
        self.rows = [("filename", "label"), *self.rows]

    def __getitem__(self, i):
        return super().__getitem__(i + 1)


class LabelAsText(_Base):
    def __getitem__(self, i):
        image, label = super().__getitem__(i)
        return image, str(label)


class NoRGB(_Base):
    def __getitem__(self, i):
        name, label = self.rows[i]
        image = Image.open(self.folder / name)
        return (self.transform(image) if self.transform else image), label


class SortedFolder(_Base):
    def __init__(self, folder, csv_file, transform=None):
        super().__init__(folder, csv_file, transform)
        labels = dict(self.rows)
        self.rows = [(p.name, labels[p.name]) for p in sorted(Path(folder).glob("*.png"))]


class IgnoresTransform(_Base):
    def __getitem__(self, i):
        name, label = self.rows[i]
        return Image.open(self.folder / name).convert("RGB"), label


class OneShort(_Base):
    def __len__(self):
        return len(self.rows) - 1


class LabelAsFloatTensor(_Base):
    def __getitem__(self, i):
        image, label = super().__getitem__(i)
        return image, torch.tensor(label, dtype=torch.float32)


class LabelAsNumpyInt(_Base):
    def __getitem__(self, i):
        import numpy as np

        image, label = super().__getitem__(i)
        return image, np.int64(label)


class NotYet(Dataset):
    def __init__(self, folder, csv_file, transform=None):
        raise NotImplementedError("Hint: ...")


@pytest.mark.parametrize("wrong,message", [
    (HeaderCounted, "header line"),
    (LabelAsText, "as text"),
    (NoRGB, ".convert('RGB')"),
    (SortedFolder, "keep the rows in the CSV's order"),
    (IgnoresTransform, "ignores the transform"),
    (OneShort, "one short"),
    (LabelAsFloatTensor, "a float; class labels are whole numbers"),
    (lambda folder, csv_file, transform=None: None, "should be a class with __len__"),
])
def test_folder_csv_dataset_mistakes_are_named(wrong, message):
    verdict = check.FolderCSVDataset.verdict(wrong)
    assert verdict.status == WRONG, verdict.message
    assert message in verdict.message


def test_population_std_and_numpy_labels_are_accepted():
    # np.std divides by N (torch.std by N - 1); both are fine statistics for Normalize
    population = check.channel_stats.verdict(
        lambda X: (X.mean(dim=(0, 2, 3)), X.std(dim=(0, 2, 3), correction=0)))
    assert population.status == CORRECT and "np.std" in population.message
    # a numpy integer label batches like an int, so it passes
    assert check.FolderCSVDataset.verdict(LabelAsNumpyInt).status == CORRECT


def test_unfinished_class_is_not_attempted():
    assert check.FolderCSVDataset.verdict(NotYet).status == NOT_ATTEMPTED


def test_reference_dataset_batches_with_a_dataloader(tmp_path):
    from torchvision.transforms import v2

    rows = data_pipeline._write_check_files(tmp_path)
    tf = v2.Compose([v2.ToImage(), v2.Resize((4, 4)), v2.ToDtype(torch.float32, scale=True)])
    ds = data_pipeline.FolderCSVDataset(tmp_path, tmp_path / "labels.csv", transform=tf)
    X, y = next(iter(torch.utils.data.DataLoader(ds, batch_size=6)))
    assert X.shape == (6, 3, 4, 4) and y.tolist() == [label for _, label, _ in rows]
