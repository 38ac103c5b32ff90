"""Test defaults: offline, quick mode, a throwaway data folder, and a non-GUI plot backend.

`make test` sets these too; the defaults make a bare `pytest` run just as safe. Notebook
kernels started by nbval inherit this environment.
"""

import os
import tempfile

os.environ.setdefault("CNNCOURSE_QUICK", "1")
os.environ.setdefault("CNNCOURSE_OFFLINE", "1")
os.environ.setdefault("CNNCOURSE_DATA", tempfile.mkdtemp(prefix="cnncourse-test-data-"))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
