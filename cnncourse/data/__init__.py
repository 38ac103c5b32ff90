"""Datasets for the course: MNIST, Fashion-MNIST, CIFAR-10 and your own image folders.

``load_data("cifar10")`` returns a :class:`Data` with ``.train``, ``.val`` and ``.test``
image sets held in memory as tensors. The files live in one folder
(``cnncourse.settings.data_dir()``: ``CNNCOURSE_DATA`` or ``~/.cache/cnncourse``) in
torchvision's own layout, and every file is checked against the MD5 checksums torchvision
publishes. A read-only folder works: nothing is written into it.

When the files are missing and cannot be downloaded, the course carries on with a built-in
generated stand-in of the same shape and class count (``cnncourse.data.synthetic``) and says so
once. Files that are present but corrupt stop with an error naming the file and the fix.

Modules, one job each:
  catalog     dataset names, spellings, titles, shapes, classes, statistics (no torch)
  messages    DataError and the once-per-run notices
  files       expected_files (the MD5 table), checking, unpacking into the cache, status, import
  network     the one network probe (also used for pretrained weights)
  download    download_dataset and locate, with torchvision's own classes
  loading     load_data and torchvision_dataset on torchvision's classes, or the stand-in
  containers  ImageSet, Data, DatasetInfo and the normalise/split helpers
  loader      TensorLoader: mini-batches straight from in-memory tensors
  folder      load_folder: your own images in ImageFolder layout
  synthetic   the generated stand-in images (used when the real files cannot be had)
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "catalog": ["DATASETS", "TITLES", "SHAPES", "STATS", "canonical_name"],
    "containers": ["Data", "ImageSet", "DatasetInfo"],
    "files": ["expected_files", "expected_archive", "dataset_status", "import_file",
              "DataError"],
    "folder": ["load_folder"],
    "loading": ["load_data", "make_synthetic", "torchvision_dataset", "StandInImages",
                "download_dataset", "QUICK_SIZES", "SYNTHETIC_SIZES", "VAL_FRACTION"],
    "loader": ["TensorLoader"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    # Looked up at each access, in the module that defines the name, so a replaced
    # ``files.expected_files`` (tests, the real-data kit) is what callers get.
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
