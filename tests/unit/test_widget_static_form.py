"""Every course widget also works without a widget front end: displayed where widgets cannot
run (a static page, the course website, CNNCOURSE_WIDGETS=0) it shows a picture of its
current state; in a live kernel with widgets it is the widget itself."""

import os

import nbformat
import pytest

CELLS = ["import torch\nfrom cnncourse.viz.conv import conv_stepper, kernel_playground\n"
         "from cnncourse.viz.pooling import pooling_widget",
         "conv_stepper(torch.rand(5, 5), torch.ones(3, 3))", "kernel_playground(size=32)", "pooling_widget(torch.rand(6, 6))"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, list]:
    """The widgets' outputs with CNNCOURSE_WIDGETS=0, then =1, in one kernel (the setting is
    read each time a widget is displayed, so one kernel start serves both)."""
    from nbclient import NotebookClient

    shows = CELLS[1:]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in
                [CELLS[0], "%env CNNCOURSE_WIDGETS=0", *shows, "%env CNNCOURSE_WIDGETS=1", *shows]]
    env = dict(os.environ, MPLBACKEND="Agg")
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path_factory.mktemp("widgets"))}}
                   ).execute(env=env)
    cells = [cell.outputs for cell in nb.cells]
    return {"0": cells[2:2 + len(shows)], "1": cells[3 + len(shows):]}


@pytest.mark.parametrize("widgets,expected", [("0", "image/png"),
                                              ("1", "application/vnd.jupyter.widget-view+json")])
def test_widgets_show_a_picture_only_where_widgets_cannot_run(widgets, expected, outputs):
    assert len(outputs[widgets]) == len(CELLS) - 1
    for cell in outputs[widgets]:
        kinds = {key for out in cell for key in out.get("data", {})}
        assert expected in kinds, kinds
        if widgets == "0":
            assert "application/vnd.jupyter.widget-view+json" not in kinds
