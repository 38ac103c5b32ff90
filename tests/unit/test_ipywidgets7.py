"""Colab runs ipywidgets 7: the course widgets must build and respond there too.

The main venv has ipywidgets 8, so these tests put ipywidgets 7 (installed once into a
cached folder by ``tests/ipywidgets7/install.py``) first on ``PYTHONPATH`` of a subprocess
or a kernel. They skip, saying why, only when ipywidgets 7 can be neither installed from the
wheel cache nor downloaded.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

HERE = Path(__file__).resolve().parents[1]   # tests/
sys.path.insert(0, str(HERE / "ipywidgets7"))
import install as ipyw7  # noqa: E402  (tests/ipywidgets7/install.py)

sys.path.pop(0)


@pytest.fixture(scope="module")
def ipyw7_env():
    try:
        site = ipyw7.ensure()
    except RuntimeError as err:
        pytest.skip(f"ipywidgets 7 unavailable: {err}. Run `python tests/ipywidgets7/install.py` "
                    "once with network access.")
    env = dict(os.environ, MPLBACKEND="Agg", CNNCOURSE_QUICK="1", CNNCOURSE_OFFLINE="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    env.pop("CNNCOURSE_WIDGETS", None)
    return env


def test_course_widgets_build_and_update_under_ipywidgets7(ipyw7_env):
    result = subprocess.run([sys.executable, str(HERE / "ipywidgets7" / "check_widgets.py")],
                            env=ipyw7_env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK ipywidgets 7." in result.stdout
    assert "OK kernel_playground" in result.stdout
    assert result.stdout.splitlines()[-1] == "OK all widgets"


@pytest.mark.notebooks
def test_quiz_displays_as_a_v7_widget_in_a_kernel(ipyw7_env, tmp_path):
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import ipywidgets\nprint(ipywidgets.__version__)"),
        nbformat.v4.new_code_cell(
            "from cnncourse.course.quiz import Quiz\n"
            "q = Quiz('Does pooling add information?', [('Yes', False), ('No', True)], 'It '"
            "'only keeps a summary.')\n"
            "q.show()\n"
            "box = q.box\n"
            "box.buttons[1].click()\n"
            "print(type(box).__name__, q.answer, 'Right' in box.feedback.value)"),
        nbformat.v4.new_code_cell(
            "from IPython.display import display\n"
            "from cnncourse.viz.conv import kernel_playground\n"
            "pg = kernel_playground(size=48)\n"
            "display(pg)\n"
            "pg.dropdown.value = [o for o in pg.dropdown.options if o != pg.dropdown.value][0]\n"
            "print('playground', pg.dropdown.value, len(pg.image.value) > 100)"),
    ]
    client = NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=ipyw7_env)
    def stdout(cell):
        return "".join(o.get("text", "") for o in cell.outputs
                       if o.output_type == "stream" and o.name == "stdout")

    version = stdout(nb.cells[0]).strip()
    assert version.startswith("7."), json.dumps(nb.cells[0].outputs)[:500]
    outputs = nb.cells[1].outputs
    views = [o for o in outputs if o.output_type == "display_data"
             and "application/vnd.jupyter.widget-view+json" in o.data]
    assert views, f"no widget view displayed: {json.dumps(outputs)[:500]}"
    assert "VBox 1 True" in stdout(nb.cells[1]), json.dumps(outputs)[:800]
    playground = nb.cells[2].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for o in playground), f"playground not displayed: {json.dumps(playground)[:500]}"
    assert stdout(nb.cells[2]).strip().endswith("True"), json.dumps(playground)[:800]
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    controls = {m["model_module_version"] for m in state.values()
                if m["model_module"] == "@jupyter-widgets/controls"}
    assert controls == {"1.5.0"}, f"expected ipywidgets-7 models (controls 1.5.0), got {controls}"
    names = {m["model_name"] for m in state.values()}
    assert {"ButtonModel", "DropdownModel", "ImageModel", "FloatTextModel"} <= names, names
