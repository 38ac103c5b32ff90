"""``import_files``: official dataset files obtained elsewhere, verified and put in their place.

For a machine that cannot download: fetch ``train-images-idx3-ubyte.gz`` and friends, or
``cifar-10-python.tar.gz``, with a browser elsewhere, bring them on a USB stick, and run
``cnncourse data import FILE...``. Each file is recognised by its MD5 checksum (so a renamed
download works), copied into the layout torchvision uses, and archives are unpacked.
"""

from __future__ import annotations

from pathlib import Path

from cnncourse.data import files, unpack
from cnncourse.data.catalog import DATASETS, TITLES
from cnncourse.data.messages import DataError


def _known() -> dict[str, tuple[str, str, bool]]:
    """MD5 -> (dataset, path in the data folder, is an archive) for every official file."""
    table = {}
    for name in DATASETS:
        for rel, md5 in files.expected_files(name).items():
            table[md5] = (name, rel, False)
        archive = files.expected_archive(name)
        if archive is not None:
            table[archive[1]] = (name, archive[0], True)
    return table


def import_file(path: str | Path, root: str | Path | None = None) -> tuple[str, Path]:
    """Verify one official file and put it in its place; returns ``(dataset, where it went)``.

    Raises :class:`DataError` for a file that is not one of the datasets' files, or one whose
    name is known but whose checksum does not match (a cut-short download).
    """
    source = Path(path).expanduser()
    if not source.is_file():
        raise DataError(f"{source} is not a file; pass the path of a downloaded dataset file.")
    root = files.resolve_root(root, must_exist=False)
    known = _known()
    entry = known.get(files.md5sum(source))
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
    if not unpack.writable(root):
        raise DataError(f"cannot import into {root}: the folder is read-only. Pass a writable "
                        f"folder with --dir and set CNNCOURSE_DATA to it.")
    target = unpack.copy_into_place(source, root / rel)
    if is_archive:
        unpack.unpack_archive(name, root)
        target.unlink()                  # unpacked: the folder stays half the size to share
        target = root / Path(next(iter(files.expected_files(name)))).parent
    return name, target
