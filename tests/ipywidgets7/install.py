"""Put ipywidgets 7 (Colab's major version) in a folder that can go first on PYTHONPATH.

The main venv keeps ipywidgets 8; the Colab widget test runs a subprocess with this folder
first on ``PYTHONPATH`` so ``import ipywidgets`` gets 7.x there. Wheels are cached, so after
one online run (``python tests/ipywidgets7/install.py``, which ``make`` can call) the test
works offline.

    python tests/ipywidgets7/install.py            # download if needed, install, print the folder
    CNNCOURSE_IPYW7_DIR=/some/cache python ...     # another cache location
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# ipywidgets 7 and what it needs beyond the main venv; the front-end packages are the
# matching majors (Colab ships ipywidgets 7.7 with widgetsnbextension 3).
REQUIREMENTS = ["ipywidgets>=7.6,<8", "ipython_genutils~=0.2.0", "widgetsnbextension>=3.6,<4",
                "jupyterlab_widgets>=1,<2"]


def cache_dir() -> Path:
    """``$CNNCOURSE_IPYW7_DIR`` or ``<this venv>/ipywidgets7`` (wheels/ and site/ inside)."""
    env = os.environ.get("CNNCOURSE_IPYW7_DIR", "").strip()
    return Path(env).expanduser() if env else Path(sys.prefix) / "ipywidgets7"


def installed_version(site: Path) -> str | None:
    """The ipywidgets version installed in ``site``, or None."""
    found = sorted(site.glob("ipywidgets-*.dist-info"))
    return found[-1].name.split("-")[1].removesuffix(".dist-info") if found else None


def _pip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", *args, "--disable-pip-version-check"],
                          capture_output=True, text=True, timeout=600)


def ensure(root: Path | None = None) -> Path:
    """Return the site folder holding ipywidgets 7, installing it from cached wheels first.

    Raises RuntimeError (with pip's message) when it can neither install from the cache nor
    download the wheels.
    """
    root = root or cache_dir()
    site, wheels = root / "site", root / "wheels"
    version = installed_version(site) if site.is_dir() else None
    if version and version.startswith("7."):
        return site

    def install() -> subprocess.CompletedProcess:
        return _pip("install", "--quiet", "--no-deps", "--no-index", "--find-links", str(wheels),
                    "--target", str(site), "--upgrade", *REQUIREMENTS)

    result = install() if wheels.is_dir() else None
    if result is None or result.returncode != 0:
        wheels.mkdir(parents=True, exist_ok=True)
        download = _pip("download", "--quiet", "--no-deps", "--dest", str(wheels), *REQUIREMENTS)
        if download.returncode != 0:
            raise RuntimeError("could not download ipywidgets 7 wheels (offline, and no cached "
                               f"wheels in {wheels}): {download.stderr.strip()[-500:]}")
        result = install()
    if result.returncode != 0:
        raise RuntimeError(f"could not install ipywidgets 7 into {site}: "
                           f"{result.stderr.strip()[-500:]}")
    version = installed_version(site)
    if not (version and version.startswith("7.")):
        raise RuntimeError(f"expected ipywidgets 7 in {site}, found {version}")
    return site


if __name__ == "__main__":
    print(ensure())
