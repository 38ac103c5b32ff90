"""Colab: where the course lives (``REPO``, ``BRANCH``), and the runtime line its setup cell
prints there (:func:`runtime_line`)."""

from __future__ import annotations

import sys
from typing import Any

REPO = "cnncourse/cnncourse"   # GitHub owner/name
BRANCH = "main"

# In Colab the setup line says which runtime the notebook got. Learners on a CPU runtime
# often do not notice (a training notebook then takes many times longer), so the line says
# so, how to switch, and how long the training notebooks took on the measured machine.

RUN_TIMES_FILE = "timing.json"    # cnncourse/timing.json: `cnncourse-instructor stamp` copies docs/timing.json
TRAINING_SECONDS = 20.0           # notebooks that ran this long or longer are "the training ones"
SWITCH_TO_GPU = ("Runtime > Change runtime type > Hardware accelerator: a GPU (e.g. T4) > "
                 "Save, then run this notebook again from the top")


def about(seconds: float) -> str:
    """A run time as a person says it: ``about(22.4)`` -> ``"about 20 s"``.

    Rounded so that small run-to-run noise does not change the text: under 10 s, then to 5 s
    below 90 s, then to half minutes up to 10 minutes, then to whole minutes.
    """
    if seconds < 0:
        raise ValueError(f"about: expected seconds >= 0, got {seconds}.")
    if seconds < 10:
        return "under 10 s"
    if seconds < 90:
        return f"about {max(10, 5 * round(seconds / 5))} s"
    if seconds < 600:
        return f"about {round(seconds / 30) / 2:g} minutes"
    return f"about {round(seconds / 60)} minutes"


def run_times() -> dict[str, Any] | None:
    """The timing record shipped with the package (a copy of ``docs/timing.json``), or None."""
    import json
    from importlib import resources

    try:
        text = resources.files("cnncourse").joinpath(RUN_TIMES_FILE).read_text(encoding="utf-8")
        record = json.loads(text)
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("notebooks"), dict):
        return None
    return record


def training_times(record: dict[str, Any] | None) -> str | None:
    """The training notebooks' run times in one phrase, e.g. "05 about 30 s, ..., 09 about 2
    minutes (about 6.5 minutes together) on a 2-core CPU", or None without a record."""
    if not record:
        return None
    slow = {name: float(entry["seconds"]) for name, entry in sorted(record["notebooks"].items())
            if entry.get("status", "ok") == "ok"
            and float(entry.get("seconds", 0)) >= TRAINING_SECONDS}
    if not slow:
        return None
    each = ", ".join(f"{name[:2]} {about(sec)}" for name, sec in slow.items())
    mode = "" if record.get("mode", "full") == "full" else f", {record['mode']} mode"
    return (f"{each} ({about(sum(slow.values()))} together) on {record.get('where', 'a CPU')}"
            f"{mode}")


def gpu_name() -> str | None:
    """The CUDA GPU's name and memory, e.g. "Tesla T4, 15 GiB", or None without one."""
    import torch

    if not torch.cuda.is_available():
        return None
    props = torch.cuda.get_device_properties(0)
    return f"{props.name}, {props.total_memory / 2**30:.0f} GiB"


def runtime_line() -> str | None:
    """In Colab, one line on the runtime: the GPU's name, or that it is a CPU and how to switch.

    Outside Colab there is nothing to say: None.
    """
    if "google.colab" not in sys.modules:
        return None
    gpu = gpu_name()
    times = training_times(run_times())
    if gpu:
        line = f"cnncourse: Colab runs this notebook on a GPU ({gpu})."
        if times:
            line += f" The stated run times were measured without one: the training notebooks took {times}."
        return line
    line = ("cnncourse: Colab runs this notebook on a CPU, with no GPU, so training is slow. "
            f"To get a GPU: {SWITCH_TO_GPU}.")
    if times:
        line += f" On a CPU the training notebooks take {times}."
    return line
