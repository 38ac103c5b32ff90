"""Fixtures every test may use. The safe environment (offline, quick mode, throwaway folders,
the Agg backend) and the order of a notebook's cells are set in the root ``conftest.py``, which
every run loads, ``pytest --nbval-lax notebooks/...`` included.

Order does not matter: pytest-randomly shuffles the tests (`-p randomly`, `--randomly-seed=N`
to repeat an order), and every test starts from its own fixed random state (`_own_seed`).
"""

import socket
import urllib.request
import zlib

import pytest


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Tests run on tiny tensors, where more torch threads only wait for each other (the
    budget tests on a shared 2-core machine: 30 s of CPU with the default threads, 3 s with one).
    Notebook kernels choose their own."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _own_seed(request):
    """Each test starts from a random state fixed by its own name, whatever ran before it.

    A test that builds a model or draws random numbers therefore gets the same numbers in any
    order; tests that train still seed explicitly where the numbers matter.
    """
    import random

    import numpy as np
    import torch

    seed = zlib.crc32(request.node.nodeid.encode())
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


@pytest.fixture(autouse=True)
def _no_figures_left_open():
    """Each test starts with no matplotlib figure open, whatever ran before it, so a test that
    checks a plot closed its figure (``plt.get_fignums() == []``) holds in any order."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def clean_data_state(monkeypatch, tmp_path_factory):
    """Fresh data-layer caches, no quick/offline flags, and an empty data folder."""
    from cnncourse.data import files

    monkeypatch.setattr(files, "_verified", {})
    monkeypatch.setattr(files, "_told", set())
    for var in ("CNNCOURSE_QUICK", "CNNCOURSE_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("CNNCOURSE_DATA", str(tmp_path_factory.mktemp("default-data")))
    monkeypatch.setenv("CNNCOURSE_CACHE", str(tmp_path_factory.mktemp("user-cache")))


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if anything tries to open a connection."""
    def refuse(*args, **kwargs):
        raise AssertionError("the network was touched")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.fixture
def empty_hub(monkeypatch, tmp_path):
    """An empty torch hub cache, so only the data folder's weights count."""
    import torch

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    return tmp_path / "hub"
