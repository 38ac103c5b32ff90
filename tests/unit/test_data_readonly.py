"""Read-only data folders (issue: shared mounts), the unpack race, and setting the folder late.

Tests run as root in CI containers, and root ignores file permissions, so the read-only
checks run twice: in a child process as the unprivileged user ``nobody`` (through
``setpriv``) on a ``chmod``-ed folder, and in-process with every write under the folder made
to fail the way a read-only mount fails (``EROFS``).
"""

from __future__ import annotations

import builtins
import errno
import functools
import gzip
import json
import os
import pwd
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest
from test_data import _md5, use_table, write_cifar, write_mnist

from cnncourse import data
from cnncourse.data import files

pytestmark = pytest.mark.usefixtures("clean_data_state")

# Run in a child process: point the checksum table at the fake files, then load.
PRELUDE = """
import json, sys
from cnncourse.data import files
table = json.load(open(sys.argv[1]))
archive = table.pop("_archive", None)
files.expected_files = lambda name: table[files.canonical_name(name)]
files.expected_archive = lambda name: tuple(archive) if archive and files.canonical_name(name) == "cifar10" else None
"""


def _tree(root: Path) -> dict[str, int]:
    """Every path under ``root`` with its size: a snapshot to prove nothing changed."""
    return {str(p.relative_to(root)): p.stat().st_size if p.is_file() else -1
            for p in sorted(root.rglob("*"))}


def _make_read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)


def _cifar_archive(root: Path) -> dict:
    """``root/cifar-10-python.tar.gz`` with fake batches; returns the table incl. the archive."""
    build = root.parent / f"{root.name}-build"
    table = write_cifar(build)
    root.mkdir(parents=True, exist_ok=True)
    archive = root / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(build / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    shutil.rmtree(build)
    return {"cifar10": table, "_archive": [archive.name, _md5(archive)]}


@pytest.fixture
def shared_tmp():
    """A temporary folder the unprivileged user can enter (pytest's own is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="cnncourse-ro-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)


@functools.cache
def _drop_root() -> tuple[str, ...]:
    """The ``setpriv`` prefix that runs this Python as ``nobody``, or skip with the reason.

    A checkout in a private home (``/root``, a ``mktemp -d``) hides this interpreter and the
    package from ``nobody``. Then ``nobody`` keeps one capability, ``CAP_DAC_READ_SEARCH``:
    it may read and enter every folder, but still write nowhere it lacks permission, so the
    read-only checks stay real.
    """
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv is needed to drop root for a real permission check")
    nobody = pwd.getpwnam("nobody")
    plain = ("setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups")
    reader = (*plain, "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search")
    probe = [sys.executable, "-c", "import cnncourse, torch"]
    for prefix in (plain, reader):
        done = subprocess.run([*prefix, *probe], capture_output=True, text=True, timeout=120,
                              cwd="/")
        if done.returncode == 0:
            return prefix
    pytest.skip(f"the user nobody cannot run {sys.executable} with cnncourse here, not even "
                f"with CAP_DAC_READ_SEARCH (a private checkout): {done.stderr.strip()[-200:]}")


def _as_other_user(script: str, table_file: Path, home: Path,
                   **env: str) -> subprocess.CompletedProcess:
    """Run ``script`` in a fresh interpreter as a user without write access to the data."""
    args = [sys.executable, "-c", PRELUDE + script, str(table_file)]
    home.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(home, nobody.pw_uid, nobody.pw_gid)
        args = [*_drop_root(), *args]
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("CNNCOURSE_") and k != "XDG_CACHE_HOME"}
    base.update(HOME=str(home), CNNCOURSE_OFFLINE="1", PYTHONDONTWRITEBYTECODE="1", **env)
    return subprocess.run(args, env=base, capture_output=True, text=True, timeout=300,
                          cwd=str(home))


def test_mnist_loads_from_a_read_only_folder_as_another_user(shared_tmp):
    root = shared_tmp / "data"
    table_file = shared_tmp / "table.json"
    table_file.write_text(json.dumps({"mnist": write_mnist(root)}))
    _make_read_only(root)
    before = _tree(root)
    result = _as_other_user(
        "from cnncourse.data import load_data\n"
        f"d = load_data('mnist', root={str(root)!r})\n"
        "print('RESULT', d.synthetic, len(d.train) + len(d.val), len(d.test))\n",
        table_file, shared_tmp / "home")
    assert result.returncode == 0, result.stderr
    assert "RESULT False 30 12" in result.stdout
    assert "corrupt" not in (result.stdout + result.stderr).lower()
    assert _tree(root) == before


def test_cifar_archive_in_a_read_only_folder_is_unpacked_into_the_user_cache(shared_tmp):
    root = shared_tmp / "data"
    table_file = shared_tmp / "table.json"
    table_file.write_text(json.dumps(_cifar_archive(root)))
    _make_read_only(root)
    before = _tree(root)
    home = shared_tmp / "home"
    script = ("from cnncourse.data import load_data, dataset_status\n"
              f"d = load_data('cifar10', root={str(root)!r})\n"
              "print('RESULT', d.synthetic, len(d.train) + len(d.val), d.root)\n"
              f"print('AVAILABLE', dataset_status('cifar10', {str(root)!r})[0] == 'ready')\n")
    result = _as_other_user(script, table_file, home)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    cache = home / ".cache" / "cnncourse" / "unpacked"
    assert "RESULT False 30 " + str(cache) in out and "AVAILABLE True" in out
    notice = [line for line in out.splitlines() if "read-only" in line]
    assert len(notice) == 1 and str(cache) in notice[0] and "cache" in notice[0]
    assert "corrupt" not in (out + result.stderr).lower()
    assert _tree(root) == before
    assert (next(cache.iterdir()) / "cifar-10-batches-py" / "test_batch").is_file()
    # A second run uses the unpacked copy and says nothing about unpacking; then, in the same
    # process (the variable is read at each load), CNNCOURSE_CACHE chooses the cache folder.
    chosen = shared_tmp / "home" / "elsewhere"
    again = _as_other_user(script + "print('CHOSEN')\nimport os\n"
                           f"os.environ['CNNCOURSE_CACHE'] = {str(chosen)!r}\n" + script,
                           table_file, home)
    first, _, third = again.stdout.partition("CHOSEN")
    assert "RESULT False 30" in first and "read-only" not in first, again.stdout + again.stderr
    assert f"RESULT False 30 {chosen}" in third, again.stdout + again.stderr


@pytest.fixture
def erofs(monkeypatch):
    """``erofs(root)``: from now on every write under ``root`` fails like a read-only mount."""
    def install(root: Path) -> list[str]:
        root = str(root.resolve())
        tried: list[str] = []

        def inside(path) -> bool:
            try:
                return os.path.abspath(os.fspath(path)).startswith(root)
            except TypeError:
                return False

        def refuse(path) -> None:
            tried.append(os.fspath(path))
            raise OSError(errno.EROFS, "Read-only file system", os.fspath(path))

        real_open, real_os_open = builtins.open, os.open
        write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT

        def fake_open(file, mode="r", *args, **kwargs):
            if inside(file) and any(ch in mode for ch in "wax+"):
                refuse(file)
            return real_open(file, mode, *args, **kwargs)

        def fake_os_open(path, flags, *args, **kwargs):
            if inside(path) and flags & write_flags:
                refuse(path)
            return real_os_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", fake_open)
        monkeypatch.setattr(os, "open", fake_os_open)
        for name in ("mkdir", "rename", "replace", "unlink", "rmdir"):
            real = getattr(os, name)

            def guarded(path, *args, _real=real, **kwargs):
                if inside(path) or any(inside(a) for a in args if isinstance(a, (str, Path))):
                    refuse(path)
                return _real(path, *args, **kwargs)

            monkeypatch.setattr(os, name, guarded)
        return tried
    return install


def test_read_only_mount_is_detected_and_never_written(tmp_path, monkeypatch, erofs, capsys):
    root = tmp_path / "share"
    table = _cifar_archive(root)
    archive = table.pop("_archive")
    use_table(monkeypatch, table)
    monkeypatch.setattr(files, "expected_archive", lambda name: tuple(archive))
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    monkeypatch.setenv("CNNCOURSE_CACHE", str(tmp_path / "cache"))
    assert files.writable(root)
    before = _tree(root)
    tried = erofs(root)
    assert not files.writable(root)
    d = data.load_data("cifar10", root=root)
    assert not d.synthetic and d.root == files.cache_for(root)
    assert _tree(root) == before and tried          # it asked, was refused, wrote nothing
    out = capsys.readouterr().out
    assert out.count("read-only") == 1 and str(tmp_path / "cache") in out
    state, summary, _ = data.dataset_status("cifar10", root)
    assert state == "ready" and "cache" in summary


# --------------------------------------------------------------------------- the unpack race

SLOW_EXTRACT = """
import os, tarfile, time
from pathlib import Path
import torchvision.datasets.utils as tvu

def slow_extract(from_path, to_path=None, remove_finished=False):
    # Writes each file in two halves with a pause between: a reader that looks into the
    # folder being filled sees truncated files, as on a slow disk.
    Path(os.environ["MARKER"]).touch()
    with tarfile.open(from_path) as tar:
        for member in tar.getmembers():
            target = os.path.join(to_path, member.name)
            if member.isdir():
                os.makedirs(target, exist_ok=True)
                continue
            payload = tar.extractfile(member).read()
            with open(target, "wb") as f:
                f.write(payload[: len(payload) // 2]); f.flush()
                time.sleep(0.6)
                f.write(payload[len(payload) // 2:])
    return to_path

tvu.extract_archive = slow_extract
"""

WAIT_FOR_MARKER = """
import os, time
import filelock, torchvision.datasets.utils, cnncourse.data.loading
while not os.path.exists(os.environ["MARKER"]):
    time.sleep(0.05)
time.sleep(0.5)   # well inside the other process's unpacking
"""

LOAD = """
from cnncourse.data import load_data
d = load_data("cifar10", root=os.environ["ROOT"])
print("RESULT", d.synthetic, len(d.train) + len(d.val), flush=True)
"""


def test_two_processes_unpacking_at_once_both_get_the_data(tmp_path):
    root = tmp_path / "data"
    table_file = tmp_path / "table.json"
    table_file.write_text(json.dumps(_cifar_archive(root)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CNNCOURSE_")}
    env.update(CNNCOURSE_OFFLINE="1", ROOT=str(root), MARKER=str(tmp_path / "started"))
    first = subprocess.Popen(
        [sys.executable, "-c", PRELUDE + "import os\n" + SLOW_EXTRACT + LOAD, str(table_file)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(
        [sys.executable, "-c", PRELUDE + "import os\n" + WAIT_FOR_MARKER + LOAD,
         str(table_file)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outs = [p.communicate(timeout=300) for p in (first, second)]
    for proc, (out, err) in zip((first, second), outs, strict=True):
        assert proc.returncode == 0, err
        assert "RESULT False 30" in out
        assert "corrupt" not in (out + err).lower()
    assert "another process is unpacking CIFAR-10" in outs[1][0]
    # Exactly one copy, no scratch folders left behind.
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".cifar10")) == \
        ["cifar-10-batches-py", "cifar-10-python.tar.gz"]


# --------------------------------------------------------------------------- setting the folder late


def test_data_folder_set_after_import_is_honoured(tmp_path, monkeypatch):
    """``os.environ["CNNCOURSE_DATA"] = ...`` (what ``%env`` does) works without a restart."""
    use_table(monkeypatch, {"mnist": write_mnist(tmp_path / "shared")})
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    monkeypatch.setenv("CNNCOURSE_DATA", str(tmp_path / "empty"))
    assert data.load_data("mnist").synthetic
    os.environ["CNNCOURSE_DATA"] = str(tmp_path / "shared")   # monkeypatch restores it
    d = data.load_data("mnist")
    assert not d.synthetic and len(d.train) + len(d.val) == 30


def test_percent_env_in_a_running_ipython_kernel(tmp_path):
    ipython = Path(sys.executable).with_name("ipython")
    if not ipython.exists():
        pytest.skip("IPython is not installed")
    shared = tmp_path / "shared"
    table_file = tmp_path / "table.json"
    table_file.write_text(json.dumps({"mnist": write_mnist(shared)}))
    script = tmp_path / "cells.ipy"
    script.write_text(
        f"import sys; sys.argv = ['x', {str(table_file)!r}]\n"
        + PRELUDE
        + "from cnncourse.data import load_data\n"
        "print('BEFORE', load_data('mnist').synthetic)\n"
        f"%env CNNCOURSE_DATA={shared}\n"
        "print('AFTER', load_data('mnist').synthetic)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CNNCOURSE_")}
    env.update(CNNCOURSE_OFFLINE="1", CNNCOURSE_QUICK="1",
               CNNCOURSE_DATA=str(tmp_path / "empty"), IPYTHONDIR=str(tmp_path / "ipy"))
    result = subprocess.run([str(ipython), "--no-banner", "--quick", str(script)], env=env,
                            capture_output=True, text=True, timeout=300)
    assert "BEFORE True" in result.stdout, result.stdout + result.stderr
    assert "AFTER False" in result.stdout, result.stdout + result.stderr


def test_mnist_in_a_read_only_mount_is_unpacked_into_the_cache(tmp_path, monkeypatch, erofs):
    root = tmp_path / "share"
    use_table(monkeypatch, {"mnist": write_mnist(root)})
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    monkeypatch.setenv("CNNCOURSE_CACHE", str(tmp_path / "cache"))
    before = _tree(root)
    erofs(root)
    d = data.load_data("mnist", root=root)
    assert not d.synthetic and len(d.train) + len(d.val) == 30 and len(d.test) == 12
    assert _tree(root) == before                    # nothing written into the shared folder
    raw = files.cache_for(root) / "MNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir() if not p.name.startswith(".")) == sorted(
        rel.removesuffix(".gz").split("/")[-1] for rel in files.expected_files("mnist"))
    ds = data.torchvision_dataset("mnist", train=False, root=root, quick=False)
    assert len(ds) == 12 and ds.root == str(files.cache_for(root))


def test_unpacked_mnist_files_are_used_only_when_they_match_the_gz(tmp_path, monkeypatch):
    table = write_mnist(tmp_path)
    use_table(monkeypatch, {"mnist": table})
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    raw = tmp_path / "MNIST" / "raw"
    for rel in table:                                # as torchvision's own download leaves them
        gz = tmp_path / rel
        gz.with_suffix("").write_bytes(gzip.decompress(gz.read_bytes()))
    stale = raw / "t10k-labels-idx1-ubyte"
    stale.write_bytes(b"cut short")                  # not what the verified .gz holds
    before = _tree(tmp_path)
    d = data.load_data("mnist", root=tmp_path)
    assert len(d.test) == 12 and d.test.y.tolist() == [i % 10 for i in range(12)]
    assert _tree(tmp_path) == before                 # unpacked again into the cache instead
    assert data.torchvision_dataset("mnist", root=tmp_path).root == str(files.cache_for(tmp_path))
    stale.write_bytes(gzip.decompress((raw / "t10k-labels-idx1-ubyte.gz").read_bytes()))
    assert data.torchvision_dataset("mnist", root=tmp_path).root == str(tmp_path)  # beside


def test_no_private_torchvision_method_is_overridden():
    """The data layer stands on torchvision's public API (issue 31): subclasses set public
    class attributes only, as torchvision's own CIFAR100 does."""
    import inspect

    from torchvision.datasets import VisionDataset

    classes = [files.CourseCIFAR10]
    for module in ("catalog", "containers", "files", "folder", "loading"):
        mod = __import__(f"cnncourse.data.{module}", fromlist=["_"])
        classes += [c for _, c in inspect.getmembers(mod, inspect.isclass)
                    if issubclass(c, VisionDataset) and c.__module__.startswith("cnncourse")]
    for cls in classes:
        own = [k for k, v in vars(cls).items() if k.startswith("_") and not k.startswith("__")]
        assert not own, f"{cls.__name__} overrides torchvision internals: {own}"
        methods = [k for k, v in vars(cls).items() if callable(v)]
        assert not methods, f"{cls.__name__} overrides methods: {methods}"


def test_a_folder_without_write_bits_counts_as_read_only_even_for_root(tmp_path, monkeypatch):
    root = tmp_path / "kit"
    use_table(monkeypatch, {"mnist": write_mnist(root), "fashion_mnist": {}, "cifar10": {}})
    monkeypatch.setattr(files, "expected_archive", lambda name: None)
    monkeypatch.setenv("CNNCOURSE_OFFLINE", "1")
    assert files.writable(root)
    _make_read_only(root)                             # chmod a-w, as a shared kit is
    before = _tree(root)
    try:
        assert not files.writable(root) and not files.writable(root / "MNIST" / "new")
        assert not data.load_data("mnist", root=root).synthetic
        assert _tree(root) == before
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
