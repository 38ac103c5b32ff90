"""Datasets for the course: MNIST, Fashion-MNIST, CIFAR-10 and your own image folders.

``load_data("cifar10")`` returns a :class:`Data` with ``.train``, ``.val`` and ``.test`` image
sets in memory as tensors. The files live in ``settings.data_dir()`` (``CNNCOURSE_DATA``, else
``~/.cache/cnncourse``) in torchvision's layout, checked against torchvision's MD5 checksums; a
read-only folder works. Without the files and the network, a generated stand-in of the same
shape takes their place, and the notebook says so.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "catalog": ["DATASETS", "TITLES", "SHAPES", "STATS", "canonical_name"],
    "containers": ["Data", "ImageSet", "DatasetInfo"],
    "files": ["expected_files", "expected_archive", "dataset_status", "DataError"],
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
