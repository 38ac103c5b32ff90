"""Datasets for the course: MNIST, Fashion-MNIST, CIFAR-10 and your own image folders.

``load_data("cifar10")`` returns a :class:`Data` with ``.train``, ``.val`` and ``.test``
image sets held in memory as tensors. The files live in one folder
(``cnncourse.settings.data_dir()``: ``CNNCOURSE_DATA`` or ``~/.cache/cnncourse``) in
torchvision's own layout, and every file is checked against the MD5 checksums torchvision
publishes. A read-only folder works: nothing is written into it.

When the files are missing and cannot be downloaded, the course carries on with a built-in
generated stand-in of the same shape and class count (``cnncourse.data.synthetic``) and says so
once. Files that are present but corrupt stop with an error naming the file and the fix.

Modules, one concept each:
  catalog     dataset names, spellings, titles, shapes, classes, statistics (no torch)
  containers  ImageSet, Data, DatasetInfo and the normalise/split helpers
  files       expected_files (the MD5 table), check_files, file_status, md5sum
  network     the one network probe (also used for pretrained weights)
  unpack      archives unpacked atomically under a lock; the per-user cache
  readers     MNIST .gz and CIFAR-10 pickles into tensors
  download    download_dataset with torchvision's helpers
  importer    import_file: official files obtained elsewhere, verified and put in place
  status      dataset_status: every expected file present, missing or corrupt
  loading     load_data and make_synthetic
  folder      load_folder: your own images in ImageFolder layout
  standard    torchvision_dataset: torchvision's own dataset classes on the verified files
  messages    DataError and the once-per-run notices
  synthetic   the generated stand-in images (used when the real files cannot be had)
  loader      TensorLoader: mini-batches straight from in-memory tensors
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "catalog": ["DATASETS", "TITLES", "SHAPES", "STATS", "NUM_CLASSES", "CIFAR10_CLASSES",
                "canonical_name"],
    "containers": ["Data", "ImageSet", "DatasetInfo"],
    "files": ["expected_files", "expected_archive", "check_files", "file_status",
              "md5sum"],
    "network": ["PROBE_TIMEOUT", "DOWNLOAD_TIMEOUT", "can_connect", "can_reach"],
    "unpack": ["cache_dir"],
    "download": ["download_dataset"],
    "importer": ["import_file"],
    "status": ["dataset_status", "DatasetStatus", "is_available"],
    "folder": ["load_folder"],
    "standard": ["torchvision_dataset", "StandInImages"],
    "loading": ["load_data", "make_synthetic", "QUICK_SIZES", "SYNTHETIC_SIZES",
                "VAL_FRACTION"],
    "messages": ["DataError"],
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
