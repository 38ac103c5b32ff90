"""Every course widget also works without a widget front end: displayed where widgets cannot
run (a static page, the course website, CNNCOURSE_WIDGETS=0) it shows a picture of its
current state; in a live kernel with widgets it is the widget itself."""

import os

import nbformat
import pytest

CELLS = ["import torch\nfrom cnncourse.viz.conv import conv_stepper, kernel_playground\n"
         "from cnncourse.viz.pooling import pooling_widget",
         "conv_stepper()", "kernel_playground(size=32)", "pooling_widget(torch.rand(6, 6))"]


def _run(widgets: str, tmp_path) -> list:
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    env = dict(os.environ, CNNCOURSE_WIDGETS=widgets, MPLBACKEND="Agg")
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)
    return [cell.outputs for cell in nb.cells[1:]]


@pytest.mark.parametrize("widgets,expected", [("0", "image/png"),
                                              ("1", "application/vnd.jupyter.widget-view+json")])
def test_widgets_show_a_picture_only_where_widgets_cannot_run(widgets, expected, tmp_path):
    for outputs in _run(widgets, tmp_path):
        kinds = {key for out in outputs for key in out.get("data", {})}
        assert expected in kinds, kinds
        if widgets == "0":
            assert "application/vnd.jupyter.widget-view+json" not in kinds
