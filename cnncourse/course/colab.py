"""Where the course lives, and the cells that open every notebook (badge and setup).

The repository address is set here and nowhere else. ``cnncourse stamp`` rewrites the
badge and setup cell of every notebook from these templates, so moving the repository is
one edit here plus one command.
"""

from __future__ import annotations

REPO = "cnncourse/cnncourse"   # GitHub owner/name
BRANCH = "main"
NOTEBOOK_DIR = "notebooks"

COLAB_BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"

SETUP_CELL_TEMPLATE = '''\
# Setup: this same cell opens every notebook. In Colab it first installs the course package.
import subprocess
import sys

COURSE_REPO = "https://github.com/{repo}"
if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    f"cnncourse @ git+{{COURSE_REPO}}@{branch}"], check=True)

import torch

import cnncourse as cc
from cnncourse.settings import is_quick, pick

device = cc.settings.start(seed=0)
cc.viz.describe_figures()   # every figure says what it shows (alt text), on a white background'''


def repo_url(repo: str = REPO) -> str:
    """The repository's web address."""
    return f"https://github.com/{repo}"


def colab_url(notebook: str, repo: str = REPO, branch: str = BRANCH) -> str:
    """The "Open in Colab" link for ``notebook`` (a file name such as ``03_convolution.ipynb``)."""
    if not notebook.endswith(".ipynb"):
        raise ValueError(f"colab_url: expected a notebook file name ending in .ipynb, "
                         f"got {notebook!r}.")
    name = notebook.rsplit("/", 1)[-1]
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{NOTEBOOK_DIR}/{name}"


def badge_markdown(notebook: str, repo: str = REPO, branch: str = BRANCH) -> str:
    """Markdown for the "Open in Colab" badge of ``notebook``."""
    return f"[![Open In Colab]({COLAB_BADGE_IMAGE})]({colab_url(notebook, repo, branch)})"


def setup_cell_source(repo: str = REPO, branch: str = BRANCH) -> str:
    """The setup cell, identical in every notebook."""
    return SETUP_CELL_TEMPLATE.format(repo=repo, branch=branch)
