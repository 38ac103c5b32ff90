"""Import the course's dataset and weights files obtained elsewhere (``cnncourse-instructor
data import`` / ``weights import``): each file is recognised by its checksum, so a renamed
download works, verified, and put where cnncourse looks for it in the data folder. Also the
state of the weights there (``weights status``).

A learner without network copies files into the paths ``cnncourse data status`` lists; this is
the instructor's way to fill the folder a room shares, from files under any name.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from torchvision.datasets import utils as tv_utils

from cnncourse import settings
from cnncourse.data import DATASETS, TITLES, DataError, files  # files.*: tests replace its table
from cnncourse.recipes import pretrained


def _copy(source: Path, target: Path) -> Path:
    return settings.write_atomic(target, lambda tmp: shutil.copyfile(source, tmp))


def import_dataset_file(path: str | Path, root: Path) -> tuple[str, Path]:
    """Verify one official dataset file (known by its MD5) and put it in its place in ``root``;
    returns ``(dataset, where it went)``, or raises :class:`~cnncourse.data.DataError`.

    CIFAR-10's ``cifar-10-python.tar.gz`` is unpacked and its copy removed, so the folder
    to share stays half the size.
    """
    source = Path(path).expanduser()
    if not source.is_file():
        raise DataError(f"{source} is not a file; pass the path of a downloaded dataset file.")
    known = {}                                       # MD5 -> (dataset, path, is an archive)
    for name in DATASETS:
        known.update({md5: (name, rel, False) for rel, md5 in files.expected_files(name).items()})
        archive = files.expected_archive(name)
        if archive is not None:
            known[archive[1]] = (name, archive[0], True)
    entry = known.get(tv_utils.calculate_md5(str(source)))
    if entry is None:
        names: dict[str, set[str]] = {}   # MNIST and Fashion-MNIST share file names
        for name, rel, _ in known.values():
            names.setdefault(Path(rel).name, set()).add(TITLES[name])
        if source.name in names:
            titles = " or ".join(sorted(names[source.name]))
            raise DataError(f"{source} is corrupt or incomplete: its MD5 checksum does not "
                            f"match the official {titles} file of that name. Download it "
                            f"again (the download may have been cut short).")
        raise DataError(f"{source} is not a file of the course datasets. Expected one of: "
                        f"{', '.join(sorted(names))} (the official files, names as published).")
    name, rel, is_archive = entry
    if not files.writable(root):
        raise DataError(f"cannot import into {root}: the folder is read-only. Pass a writable "
                        f"folder with --dir and set CNNCOURSE_DATA to it.")
    target = _copy(source, root / rel)
    if is_archive:
        files.unpack_archive(name, root)
        target.unlink()                  # unpacked: the folder stays half the size to share
        target = root / Path(next(iter(files.expected_files(name)))).parent
    return name, target


def import_weights_file(path: str | Path, root: Path) -> Path:
    """Copy a torchvision weights file (known by its SHA-256) into ``<root>/weights``.

    Returns where it was put; raises :class:`~cnncourse.recipes.pretrained.WeightsError` for
    an unknown or corrupt file.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise pretrained.WeightsError(f"{path} is not a file; pass the path of a downloaded "
                                      f".pth file.")
    known = [pretrained.weights_filename(name) for name in pretrained.MODELS]
    digest = pretrained.sha256sum(path)
    matches = [fname for fname in known if digest.startswith(pretrained.hash_prefix(fname) or "-")]
    if not matches:
        if path.name in known:
            raise pretrained.WeightsError(
                f"{path} is corrupt or incomplete (its SHA-256 does not start with "
                f"{pretrained.hash_prefix(path.name)}); download it again.")
        raise pretrained.WeightsError(f"{path} is not one of the course's weights files; "
                                      f"expected one of {', '.join(sorted(known))} (as "
                                      f"torchvision publishes them).")
    return _copy(path, pretrained.weights_dir(root) / matches[0])


def weights_status(name: str, root: str | Path | None = None) -> tuple[Path, str]:
    """Where the weights of ``name`` belong and their state: "present", "missing", "corrupt".

    A verified copy in the torch hub cache counts as present (its path is returned).
    """
    target = pretrained.weights_dir(root) / pretrained.weights_filename(name)
    found = pretrained.find_weights(name, root) or target
    if not found.is_file():
        return target, "missing"
    return found, "present" if pretrained.sha256_ok(found) else "corrupt"
