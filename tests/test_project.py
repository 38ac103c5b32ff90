"""Project hygiene: clean notebooks, matching dependency lists, a light `import cnncourse`."""

import json
import re
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_notebooks_exist_and_are_numbered():
    names = [p.name for p in NOTEBOOKS]
    assert "00_start_here.ipynb" in names
    assert all(re.match(r"\d\d_[a-z0-9_]+\.ipynb$", n) for n in names), names


def test_notebooks_have_no_outputs_and_a_kernelspec():
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "python3", path.name
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell.get("outputs") == [], f"{path.name} has stored outputs"
                assert cell.get("execution_count") is None, f"{path.name} has execution counts"


def test_every_code_cell_follows_an_explanation():
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for before, cell in zip(cells, cells[1:]):
            if cell["cell_type"] == "code":
                assert before["cell_type"] == "markdown", (
                    f"{path.name}: code cell {''.join(cell['source'])[:60]!r} has no "
                    "Markdown explanation before it")


def _names(requirements):
    return {re.split(r"[<>=!~ \[]", r.strip(), maxsplit=1)[0].lower() for r in requirements}


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _names(project["dependencies"] + project["optional-dependencies"]["lab"])
    conda_names = {"pytorch": "torch"}
    listed = set()
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"  - ([A-Za-z][\w.-]*)", line)
        if m and m.group(1) not in {"python", "pip"}:
            listed.add(conda_names.get(m.group(1), m.group(1)).lower())
    assert listed == wanted
    assert "-e ." in text and "conda-forge" in text


def test_import_cnncourse_does_not_import_torch_or_matplotlib():
    code = ("import sys, cnncourse, cnncourse.settings, cnncourse.course.colab; "
            "print(sorted(m for m in ('torch', 'matplotlib', 'torchvision') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_lazy_submodules_resolve():
    import cnncourse

    assert cnncourse.settings.is_quick.__module__ == "cnncourse.settings"
    try:
        cnncourse.not_a_module  # noqa: B018
    except AttributeError as err:
        assert "not_a_module" in str(err)
    else:
        raise AssertionError("unknown attribute did not raise")


def test_python_version_is_stated_the_same_everywhere():
    from cnncourse.cli import MIN_PYTHON

    wanted = f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]}"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == f">={wanted}"
    assert f"Python {wanted}+" in (ROOT / "README.md").read_text()
    assert f"python>={wanted}" in (ROOT / "environment.yml").read_text()
