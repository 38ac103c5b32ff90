"""Start and stop a throwaway JupyterLab server for the browser tests.

The server runs from the current Python environment on 127.0.0.1, a free port and a random
token, with its own config, runtime, data, settings and workspace folders under a temporary
directory, so nothing from the user's own Jupyter setup leaks in and nothing leaks out.
Announcements (news) and update checks are off, so no toast covers the notebook and no
request leaves the machine. The kernels inherit ``CNNCOURSE_QUICK=1`` and
``CNNCOURSE_OFFLINE=1``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

# Plugins that only talk to the internet or pop up notices; none is needed to run notebooks.
DISABLED_PLUGINS = [
    "@jupyterlab/apputils-extension:announcements",   # "get Jupyter news?" toast + feed
    "@jupyterlab/extensionmanager-extension",          # queries PyPI for extensions
]

# Settings a learner would not change but that make the page deterministic to test.
USER_SETTINGS = {
    # Render every cell into the page (JupyterLab 4 windowing keeps off-screen cells out of
    # the DOM), so the test can see each output and widget.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JupyterLabServer:
    """A JupyterLab process serving a copy of ``notebook_dir``; use as a context manager."""

    def __init__(self, notebook_dir: Path, workdir: Path, extra_env: dict[str, str] | None = None,
                 startup_timeout: float = 90.0):
        notebook_dir = Path(notebook_dir)
        if not notebook_dir.is_dir():
            raise FileNotFoundError(f"JupyterLabServer: expected a folder of notebooks, got "
                                    f"{str(notebook_dir)!r}, which is not a directory.")
        self.workdir = Path(workdir)
        self.root = self.workdir / "notebooks"
        shutil.copytree(notebook_dir, self.root, ignore=shutil.ignore_patterns(
            ".ipynb_checkpoints", "__pycache__"))
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.workdir / "jupyterlab.log"
        self.extra_env = dict(extra_env or {})
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self._log = None

    # Set-up ------------------------------------------------------------------------------------
    def _environment(self) -> dict[str, str]:
        dirs = {name: self.workdir / name for name in
                ("config", "runtime", "jupyter_data", "ipython", "settings", "workspaces",
                 "cnncourse_data", "mplconfig")}
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        # Server-side switches: no news feed, no update check.
        (dirs["config"] / "jupyter_server_config.json").write_text(json.dumps({
            "LabApp": {"news_url": None,
                       "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"},
        }, indent=1))
        # Front-end switches: plugins turned off through page_config.
        labconfig = dirs["config"] / "labconfig"
        labconfig.mkdir(exist_ok=True)
        (labconfig / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {name: True for name in DISABLED_PLUGINS}}, indent=1))
        for rel, values in USER_SETTINGS.items():
            path = dirs["settings"] / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=1))
        self._settings_dir, self._workspaces_dir = dirs["settings"], dirs["workspaces"]

        env = dict(os.environ)
        for name in ("MPLBACKEND", "CNNCOURSE_WIDGETS", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH",
                     "PYTHONSTARTUP"):
            env.pop(name, None)     # the learner's defaults: inline figures, live widgets
        env.update({
            "CNNCOURSE_QUICK": "1",
            "CNNCOURSE_OFFLINE": "1",
            "CNNCOURSE_DATA": str(dirs["cnncourse_data"]),
            "JUPYTER_CONFIG_DIR": str(dirs["config"]),
            "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
            "JUPYTER_DATA_DIR": str(dirs["jupyter_data"]),
            "JUPYTER_PLATFORM_DIRS": "1",
            "IPYTHONDIR": str(dirs["ipython"]),
            "MPLCONFIGDIR": str(dirs["mplconfig"]),
            "PYTHONUNBUFFERED": "1",
        })
        env.update(self.extra_env)
        return env

    def command(self) -> list[str]:
        """The command line that starts the server."""
        return [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--allow-root",                    # CI containers often run as root
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.terminals_enabled=False",
            f"--LabApp.user_settings_dir={self._settings_dir}",
            f"--LabApp.workspaces_dir={self._workspaces_dir}",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp, read by the test
        ]

    def start(self) -> JupyterLabServer:
        """Start the server and wait until its REST API answers."""
        env = self._environment()
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        # A new session (process group) so stop() can end the server and everything it spawned.
        self.process = subprocess.Popen(self.command(), cwd=self.root, env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True,
                                        preexec_fn=_die_with_parent)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode} "
                                   f"before it was ready. Log:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise TimeoutError(f"JupyterLab did not answer on {self.base_url} within "
                           f"{self.startup_timeout:.0f} s. Log:\n{self.log_tail()}")

    # Use ---------------------------------------------------------------------------------------
    def api(self, method: str, path: str) -> object:
        """Call the server's REST API and return the decoded JSON (None when empty)."""
        request = urllib.request.Request(self.base_url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def lab_url(self, notebook: str) -> str:
        """The address that opens ``notebook`` (relative to the served folder) in JupyterLab."""
        return f"{self.base_url}/lab/tree/{notebook}?token={self.token}&reset"

    def shutdown_kernels(self) -> None:
        """Shut down every running kernel (between notebooks, to free CPU and memory)."""
        try:
            for kernel in self.api("GET", "/api/kernels") or []:
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass   # the server is already gone; stop() still cleans up the processes

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server log (kernel crashes and server errors show up here)."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    # Tear-down ---------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop kernels and server; kill whatever is left. Safe to call twice."""
        if self.process is None:
            return
        process, self.process = self.process, None
        # Kernels run in their own sessions, so collect every descendant before the server
        # goes away and the kernels get re-parented.
        descendants = _descendants(process.pid)
        self.shutdown_kernels()
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        _kill_all(descendants)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> JupyterLabServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _die_with_parent() -> None:
    """In the child, on Linux: get SIGTERM if the test process dies before it can clean up
    (killed, crashed), so no JupyterLab outlives its test run. Elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _descendants(pid: int) -> list:
    """psutil handles on every descendant of ``pid`` (empty without psutil)."""
    try:
        import psutil
    except ImportError:   # psutil comes with ipykernel; without it the process group suffices
        return []
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def _kill_all(procs: list) -> None:
    """Terminate, then kill, the processes that are still alive (psutil checks identity)."""
    if not procs:
        return
    import psutil

    for proc in procs:
        try:
            proc.terminate()
        except psutil.Error:
            pass
    _gone, alive = psutil.wait_procs(procs, timeout=5)
    for proc in alive:
        try:
            proc.kill()
        except psutil.Error:
            pass
