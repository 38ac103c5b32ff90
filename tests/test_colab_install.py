"""Installing the course in Colab upgrades nothing and adds nothing.

Colab's setup cell runs ``pip install "cnncourse @ git+..."`` (no extras). This resolves that
install offline against Colab's published frozen environment (tests/data/colab-pip-freeze.txt,
Python 3.13 on Linux): every core requirement of pyproject.toml, its markers evaluated there,
must be a package Colab already has, at a version inside the requirement's range. So a new
dependency Colab lacks (jupyterlab was one) or a range that excludes Colab's version fails here.
"""

import re
import sys
from pathlib import Path
from urllib.parse import unquote

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from cnncourse_instructor import notebooks

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
FREEZE = ROOT / "tests" / "data" / "colab-pip-freeze.txt"

# Colab's runtime: the frozen list comes from Python 3.13 on x86-64 Linux.
COLAB_ENV = {**default_environment(), "python_version": "3.13", "python_full_version": "3.13.0",
             "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
             "platform_machine": "x86_64", "implementation_name": "cpython",
             "platform_python_implementation": "CPython", "extra": ""}


def colab_versions(text: str) -> dict[str, Version]:
    """``{name: version}`` from a ``pip freeze`` listing (``name==v`` and ``name @ URL`` lines)."""
    found = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "==" in line:
            name, version = line.split("==", 1)
            found[canonicalize_name(name)] = Version(version.strip())
        elif " @ " in line:
            name, url = line.split(" @ ", 1)
            filename = unquote(url.split("#", 1)[0].rsplit("/", 1)[-1])
            if filename.endswith(".whl"):      # torch @ .../torch-2.11.0%2Bcpu-cp313-...whl
                found[canonicalize_name(name)] = parse_wheel_filename(filename)[1]
            else:                              # a source archive or a git checkout: any version
                found[canonicalize_name(name)] = None
    return found


def core_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(text) for text in project["dependencies"]]


def unmet(requirements: list[Requirement], versions: dict[str, Version]) -> list[str]:
    """What pip would add or upgrade in Colab, one line each (empty: nothing)."""
    problems = []
    for req in requirements:
        if req.marker is not None and not req.marker.evaluate(COLAB_ENV):
            continue
        name = canonicalize_name(req.name)
        if name not in versions:
            problems.append(f"{req}: Colab does not have {req.name}; pip would add it")
            continue
        have = versions[name]
        if have is not None and not req.specifier.contains(have, prereleases=True):
            problems.append(f"{req}: Colab has {req.name} {have}; pip would change it")
    return problems


def test_the_frozen_list_is_colabs():
    versions = colab_versions(FREEZE.read_text())
    assert len(versions) > 500
    assert str(versions["torch"]) == "2.11.0+cpu" and str(versions["torchvision"]) == "0.26.0+cpu"
    assert versions["ipywidgets"] == Version("7.7.1")


def test_colab_installs_the_course_without_changing_or_adding_a_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert Requirement(f"x{project['requires-python']}").specifier.contains("3.13"), \
        "requires-python must admit Colab's Python 3.13"
    problems = unmet(core_requirements(), colab_versions(FREEZE.read_text()))
    assert not problems, ("installing cnncourse in Colab would change its environment; keep "
                          "such packages in an extra (lab, dev) or widen the range:\n  "
                          + "\n  ".join(problems))


def test_colabs_setup_cell_installs_no_extras():
    spec = re.search(r'f"(cnncourse[^"]*)"', notebooks.SETUP_CELL_TEMPLATE).group(1)
    assert spec.startswith("cnncourse @ "), spec   # not cnncourse[lab], which adds JupyterLab


def test_the_check_catches_a_missing_package_and_an_excluded_version():
    versions = colab_versions(FREEZE.read_text())
    problems = unmet([Requirement("jupyterlab>=4.0"), Requirement("torch>=2.12"),
                      Requirement("tqdm>=4.60"), Requirement("tomli>=2; python_version < '3.11'")],
                     versions)
    assert len(problems) == 2
    assert "pip would add it" in problems[0] and "jupyterlab" in problems[0]
    assert "Colab has torch 2.11.0+cpu" in problems[1]
