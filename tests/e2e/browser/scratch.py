"""Small notebooks that prove the browser harness: one healthy, two broken on purpose.

The healthy one holds what the course notebooks show: the real setup cell, a matplotlib
figure, a ``cnncourse.course.quiz.Quiz`` and a kernel playground (a Dropdown plus an Output that
redraws an image). The broken one raises, and displays a widget whose model does not exist
and a widget twice; the harness must report all three. The third has no kernelspec, so
JupyterLab asks for a kernel; the harness must say so.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cnncourse_instructor.notebooks import setup_cell_source

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

GOOD = "scratch_widgets.ipynb"
BROKEN = "scratch_broken.ipynb"
NO_KERNELSPEC = "scratch_no_kernelspec.ipynb"

_FIGURE = '''\
import matplotlib.pyplot as plt

x = torch.linspace(-3, 3, 200)
fig, ax = plt.subplots(figsize=(4, 2.5))
ax.plot(x, torch.relu(x), label="ReLU")
ax.set(title="ReLU", xlabel="input", ylabel="output")
ax.legend()
plt.show()'''

_QUIZ = '''\
from cnncourse.course.quiz import Option, Quiz

quiz = Quiz("A 3x3 convolution with padding=1 on a 32x32 image gives an output of size...",
            [Option("30x30", feedback="That is padding=0."),
             Option("32x32", correct=True, feedback="Padding 1 adds back the lost border."),
             Option("34x34", feedback="Padding does not grow the image here.")],
            explanation="out = in + 2*padding - kernel + 1 = 32 + 2 - 3 + 1 = 32.")
quiz.show();'''

_PLAYGROUND = '''\
import ipywidgets as widgets
import torch.nn.functional as F
from IPython.display import display

image = torch.zeros(1, 1, 32, 32)
image[..., 8:24, 8:24] = 1.0                       # (N, C, H, W): a white square
kernels = {"identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
           "vertical edges": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
           "blur": [[1 / 9] * 3] * 3}
choice = widgets.Dropdown(options=list(kernels), description="kernel")
out = widgets.Output()

def redraw(*_):
    weight = torch.tensor(kernels[choice.value], dtype=torch.float32).reshape(1, 1, 3, 3)
    result = F.conv2d(image, weight, padding=1)[0, 0]  # (H, W)
    fig, ax = plt.subplots(figsize=(2.5, 2.5))
    ax.imshow(result, cmap="gray")
    ax.set_title(choice.value)
    ax.axis("off")
    with out:
        out.clear_output(wait=True)
        display(fig)
    plt.close(fig)

choice.observe(redraw, names="value")
redraw()
playground = widgets.VBox([choice, out])
playground.add_class("cnncourse-playground")
playground'''

_GHOST_WIDGET = '''\
from IPython.display import display

# A widget view whose model was never created: the front end shows an error, not a widget.
display({"application/vnd.jupyter.widget-view+json":
         {"model_id": "no-such-model", "version_major": 2, "version_minor": 0},
         "text/plain": "VBox(children=(Button(description='A'),))"}, raw=True)

# A live widget displayed twice: once by display(), once as the cell's value.
import ipywidgets as widgets

twice = widgets.Button(description="shown twice")
display(twice)
twice'''


def _notebook(title: str, cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = new_notebook(metadata={"kernelspec": KERNELSPEC,
                                "language_info": {"name": "python"}})
    nb.cells.append(new_markdown_cell(f"# {title}\n\nA scratch notebook for the browser test."))
    setup = new_code_cell(setup_cell_source())
    setup.metadata["tags"] = ["setup"]
    nb.cells.append(setup)
    for text, code in cells:
        nb.cells.append(new_markdown_cell(text))
        nb.cells.append(new_code_cell(code))
    return nb


def write_scratch_notebooks(folder: Path) -> dict[str, Path]:
    """Write the healthy and the broken scratch notebook into ``folder``; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    good = _notebook("Scratch · widgets and figures", [
        ("A matplotlib figure.", _FIGURE),
        ("Predict first: a quiz.", _QUIZ),
        ("A kernel playground: pick a kernel, see the image change.", _PLAYGROUND),
        ("The package's own kernel playground and sliding-window stepper.",
         "display(cc.viz.kernel_playground(size=64))\ndisplay(cc.viz.conv_stepper([[0, 1, 2, 3]] * 4, [[1, 0], [0, -1]]))"),
    ])
    broken = _notebook("Scratch · broken on purpose", [
        ("A figure that works.", _FIGURE),
        ("A widget whose model does not exist.", _GHOST_WIDGET),
        ("A quiz shown as static HTML (what a front end without widgets gets).",
         _QUIZ.replace("quiz.show();", "quiz  # a bare Quiz displays its static HTML")),
        ("A cell that raises.", "1 / 0"),
        ("A cell that never runs, because Run All stops at the error.", "print('unreachable')"),
    ])
    no_kernelspec = _notebook("Scratch · no kernelspec", [("A cell.", "print('hi')")])
    no_kernelspec.metadata = {}   # no kernelspec, no language: JupyterLab asks for a kernel
    paths = {GOOD: folder / GOOD, BROKEN: folder / BROKEN, NO_KERNELSPEC: folder / NO_KERNELSPEC}
    for name, nb in [(GOOD, good), (BROKEN, broken), (NO_KERNELSPEC, no_kernelspec)]:
        nbformat.write(nb, paths[name])
    return paths
