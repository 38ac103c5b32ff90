"""A workshop room on one machine: a local JupyterHub with the course in every learner's home.

``cnncourse-instructor hub`` (``make hub``) writes a JupyterHub configuration and runs it:

- JupyterHub from PyPI and ``configurable-http-proxy`` from npm (``make hub-setup`` installs
  it into ``node_modules/``), everything bound to 127.0.0.1 unless ``--ip`` says otherwise;
- a shared password for a named list of learners (``SharedPasswordAuthenticator`` with
  ``allowed_users``), each a system user with their own home (``LocalProcessSpawner``; the hub
  runs as root, like The Littlest JupyterHub);
- ``CPU_LIMIT`` (and ``MEM_LIMIT``) in every learner's environment, which the course's thread
  policy honours (:func:`cnncourse.threads.core_limit`);
- one shared data folder, read-only for learners (``CNNCOURSE_DATA``), and one room leaderboard
  every learner can append to (``CNNCOURSE_LEADERBOARD``);
- the notebooks delivered by an nbgitpuller link: the first click clones the course into the
  learner's home, later clicks pull updates and keep the learner's own edits.

The same module drives a room from a script (:class:`Hub`, :class:`RoomClient`): start the
hub, start each learner's server through the hub's REST API, pull the course, and run a
notebook cell by cell in a learner's kernel over the Jupyter websocket. ``tests/e2e/room`` and
``benchmarks/room.py`` use it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parents[2]
PROXY_HINT = ("install it with `make hub-setup` (npm install into node_modules/), or "
              "`npm install -g configurable-http-proxy`")
FULL_CNN_GLOB = "*_build_a_cnn_in_pytorch.ipynb"


# --------------------------------------------------------------------------- the room


@dataclass
class Room:
    """Everything a workshop hub needs to know; :func:`write_config` turns it into a config."""

    learners: list[str]
    state: Path                      # the hub's own folder: config, database, course mirror
    data: Path                       # shared, read-only for learners (CNNCOURSE_DATA)
    leaderboard: Path                # one file every learner appends to (CNNCOURSE_LEADERBOARD)
    password: str = field(default_factory=lambda: secrets.token_urlsafe(9))
    ip: str = "127.0.0.1"
    port: int = 8000
    cpu_limit: float | None = 1.0
    mem_limit: str | None = "2G"
    quick: bool = False
    offline: bool = False
    api_token: str = field(default_factory=lambda: secrets.token_hex(24))
    python_bin: Path = field(default_factory=lambda: Path(sys.executable).parent)
    proxy: Path | None = None        # configurable-http-proxy (default: find_proxy())
    course_repo: Path = REPO_ROOT    # the git checkout pulled into every home

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.port}"

    @property
    def course_url(self) -> str:
        """The git URL learners pull from: a bare mirror of the course in the hub's folder."""
        return str(self.state / "course.git")


def check_learner_names(names: list[str]) -> list[str]:
    """Learner names as system users accept them: lower-case letters, digits, - and _."""
    ok = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        if not (name[0].isascii() and name[0].islower()) or len(name) > 32 or \
                any(not (c.isascii() and (c.islower() or c.isdigit() or c in "-_")) for c in name):
            raise ValueError(f"hub: learner name {name!r} is not a valid login name; use "
                             "lower-case letters, digits, '-' and '_', starting with a letter "
                             "(at most 32 characters), e.g. 'ada' or 'learner-07'.")
        ok.append(name)
    if not ok:
        raise ValueError("hub: expected at least one learner, e.g. --learners ada,bo,cy")
    if len(set(ok)) != len(ok):
        raise ValueError(f"hub: a learner is named twice in {ok}.")
    return ok


def find_proxy(repo: Path = REPO_ROOT) -> Path:
    """The ``configurable-http-proxy`` JupyterHub starts: the project's own, else on PATH."""
    local = repo / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return local
    found = shutil.which("configurable-http-proxy")
    if found:
        return Path(found)
    raise FileNotFoundError(f"hub: configurable-http-proxy is not installed; {PROXY_HINT}.")


def mirror_course(room: Room) -> tuple[str, str]:
    """Publish this checkout's current commit as branch ``main`` of a bare repository in the
    hub's folder, readable by every learner. Returns ``(git URL, branch)``."""
    mirror = Path(room.course_url)
    if not (mirror / "HEAD").exists():
        _git(["init", "--quiet", "--bare", str(mirror)])
        _git(["-C", str(mirror), "config", "receive.shallowUpdate", "true"])  # CI's clones
    _git(["-C", str(room.course_repo), "push", "--quiet", "--force", str(mirror),
          "HEAD:refs/heads/main"])
    _git(["-C", str(mirror), "symbolic-ref", "HEAD", "refs/heads/main"])
    _readable_by_all(mirror)
    return str(mirror), "main"


def _git(args: list[str]) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"hub: git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def _readable_by_all(path: Path) -> None:
    """Let every user read ``path`` (and files under it) and enter its folders, nobody write."""
    paths = [path, *path.rglob("*")] if path.is_dir() else [path]
    for p in paths:
        if p.is_symlink():
            continue
        mode = stat.S_IMODE(p.stat().st_mode)
        mode = (mode | 0o444 | (0o111 if p.is_dir() else 0)) & ~0o022
        os.chmod(p, mode)


def pull_link(hub_url: str, repo: str, branch: str, notebook: str = "",
              target: str = "cnncourse") -> str:
    """The nbgitpuller link to hand out: clone (first click) or update (later) the course into
    ``~/<target>`` and open ``notebook`` (a path inside the repository) in JupyterLab."""
    query = {"repo": repo, "branch": branch, "targetPath": target}
    query["urlpath"] = f"lab/tree/{target}/{notebook}".rstrip("/")
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{urlencode(query)}"


def prepare_shared(room: Room) -> None:
    """The shared data folder readable by all, writable by nobody but its owner (the
    instructor), and the room leaderboard a file every learner may append to."""
    room.data.mkdir(parents=True, exist_ok=True)
    _readable_by_all(room.data)
    room.leaderboard.parent.mkdir(parents=True, exist_ok=True)
    room.leaderboard.touch(exist_ok=True)
    os.chmod(room.leaderboard, 0o666)  # appends only, each row under a lock (capstone.record)
    for path in (room.data, room.leaderboard, Path(room.course_url), room.course_repo):
        check_reachable(path)


def check_reachable(path: Path) -> None:
    """Raise a clear error when other users (the learners) cannot reach ``path``."""
    for folder in [*reversed(path.parents), path]:
        if folder.is_dir() and not stat.S_IMODE(folder.stat().st_mode) & 0o001:
            raise PermissionError(
                f"hub: learners cannot reach {path}: {folder} is closed to other users "
                f"(mode {stat.S_IMODE(folder.stat().st_mode):o}). Fix: keep the course, its "
                f".venv, the data and the leaderboard in folders everyone may enter (e.g. "
                f"/srv/cnncourse, /srv/data), or `chmod o+x {folder}`.")


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:  # another file system: a real copy
        shutil.copy2(src, dst)


def learner_python(room: Room) -> tuple[Path, dict[str, str]]:
    """A Python every learner may run, with this project's packages: ``(bin folder, env)``.

    Usually that is simply this virtual environment. When its base interpreter sits where
    other users cannot go (pyenv under ``/root``, a home of mode 700), the hub publishes the
    interpreter and its standard library into its own folder (hard links: no extra disk) and
    makes a small virtual environment there that reads this one's packages, read-only.
    """
    venv_bin = Path(sys.executable).parent
    real = Path(sys.executable).resolve()
    try:
        check_reachable(real)
        check_reachable(Path(sys.base_prefix) / "lib")
        return venv_bin, {}
    except PermissionError:
        pass
    base = Path(sys.base_prefix)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    copy = room.state / "python"
    venv = room.state / "venv"
    purelib = Path(sysconfig.get_paths()["purelib"])
    if not (venv / "bin" / "python").exists():
        shutil.rmtree(copy, ignore_errors=True)
        (copy / "bin").mkdir(parents=True)
        _link_or_copy(str(real), str(copy / "bin" / real.name))
        (copy / "lib").mkdir()
        for lib in base.joinpath("lib").glob("libpython*"):
            if lib.is_file():
                _link_or_copy(str(lib), str(copy / "lib" / lib.name))
        shutil.copytree(base / "lib" / version, copy / "lib" / version,
                        copy_function=_link_or_copy, symlinks=True,
                        ignore=shutil.ignore_patterns("site-packages", "test"))
        (copy / "lib" / version / "site-packages").mkdir()
        subprocess.run([str(copy / "bin" / real.name), "-m", "venv", "--without-pip",
                        str(venv)], check=True, capture_output=True,
                       env={**os.environ, "LD_LIBRARY_PATH": str(copy / "lib")})
        site = venv / "lib" / version / "site-packages"
        (site / "cnncourse-room.pth").write_text(
            f"import site; site.addsitedir({str(purelib)!r})\n")
        _readable_by_all(copy)
        _readable_by_all(venv)
    env = {"LD_LIBRARY_PATH": str(copy / "lib"),  # its RUNPATH names the closed folder
           # Jupyter's settings and JupyterLab's files stay those of this environment
           "JUPYTER_CONFIG_PATH": str(Path(sys.prefix) / "etc" / "jupyter"),
           "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
           "JUPYTERLAB_DIR": str(Path(sys.prefix) / "share" / "jupyter" / "lab")}
    return venv / "bin", env


def _room_gitconfig(room: Room) -> Path:
    """The machine's git settings plus one: learners may pull from the course mirror."""
    path = room.state / "gitconfig"
    path.write_text(f"[include]\n\tpath = /etc/gitconfig\n[safe]\n\tdirectory = "
                    f"{room.course_url}\n")
    os.chmod(path, 0o644)
    return path


def write_config(room: Room) -> Path:
    """Write ``jupyterhub_config.py`` for the room into ``room.state``; returns its path."""
    room.state.mkdir(parents=True, exist_ok=True)
    os.chmod(room.state, 0o755)  # learners read the course mirror inside it
    proxy = room.proxy or find_proxy(room.course_repo)
    python_bin, python_env = learner_python(room)
    env = {
        **python_env,
        "CNNCOURSE_DATA": str(room.data),
        "CNNCOURSE_LEADERBOARD": str(room.leaderboard),
        "PATH": f"{python_bin}:{room.python_bin}:/usr/local/bin:/usr/bin:/bin",
        # the bare mirror belongs to the hub's user (root): git trusts it only when a
        # system-wide setting says so (a GitHub URL needs none of this)
        "GIT_CONFIG_SYSTEM": str(_room_gitconfig(room)),
    }
    if room.quick:
        env["CNNCOURSE_QUICK"] = "1"
    if room.offline:
        env["CNNCOURSE_OFFLINE"] = "1"
    settings = {
        "learners": room.learners, "password": room.password, "ip": room.ip,
        "port": room.port, "cpu_limit": room.cpu_limit, "mem_limit": room.mem_limit,
        "env": env, "api_token": room.api_token, "proxy": str(proxy),
        "singleuser": [str(python_bin / "python"), "-m", "jupyterhub.singleuser"],
        "state": str(room.state),
    }
    from cnncourse_instructor import progress  # the progress view: a service, its role, its URL
    settings["progress"] = progress.hub_service(room, python_bin=room.python_bin)
    env["CNNCOURSE_ROOM_URL"] = settings["progress"]["room_url"]
    (room.state / "room.json").write_text(json.dumps(settings, indent=1))
    os.chmod(room.state / "room.json", 0o600)  # holds the password and the API token
    path = room.state / "jupyterhub_config.py"
    path.write_text(CONFIG_TEMPLATE)
    return path


CONFIG_TEMPLATE = '''\
# A workshop room for cnncourse, written by `cnncourse-instructor hub`; the values are in room.json.
import json
from pathlib import Path

room = json.loads((Path(__file__).parent / "room.json").read_text())
c = get_config()  # noqa: F821

# Listen on one address only (127.0.0.1 unless `cnncourse-instructor hub --ip` said otherwise).
c.JupyterHub.bind_url = f"http://{room['ip']}:{room['port']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = room["port"] + 2
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{room['port'] + 1}"
c.ConfigurableHTTPProxy.command = [room["proxy"]]
c.ConfigurableHTTPProxy.pid_file = f"{room['state']}/proxy.pid"
c.JupyterHub.db_url = f"sqlite:///{room['state']}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{room['state']}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{room['state']}/jupyterhub.pid"

# The named learners log in with the room's shared password.
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = room["password"]
c.Authenticator.allowed_users = set(room["learners"])

# Each learner's server runs as their own system user, in their own home.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = room["singleuser"]
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.environment = room["env"]
c.Spawner.cpu_limit = room["cpu_limit"]   # exported as CPU_LIMIT: the thread policy reads it
c.Spawner.mem_limit = room["mem_limit"]   # exported as MEM_LIMIT
c.Spawner.start_timeout = 300             # a loaded workshop machine starts servers slowly
c.Spawner.http_timeout = 300

# A service token to drive the room from a script (tests/e2e/room, benchmarks/room.py).
c.JupyterHub.services = [{"name": "room", "api_token": room["api_token"]}]
c.JupyterHub.load_roles = [{
    "name": "room-driver", "services": ["room"],
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:users", "tokens"],
}]
# The progress view (/services/progress/, cnncourse_instructor/progress.py) and its roles.
c.JupyterHub.services.append(room["progress"]["service"])
c.JupyterHub.load_roles += room["progress"]["roles"]
'''


# --------------------------------------------------------------------------- system users


def create_learners(names: list[str]) -> None:
    """Create a system user with a private home (mode 700) for each name that does not exist."""
    import pwd  # POSIX only: the room runs on Linux
    for name in names:
        try:
            pwd.getpwnam(name)
            continue
        except KeyError:
            pass
        done = subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"hub: could not create the system user {name!r} "
                               f"({done.stderr.strip()}); the hub must run as root to create "
                               "learners, or create them yourself with `useradd -m NAME`.")
        os.chmod(pwd.getpwnam(name).pw_dir, 0o700)


def remove_learners(names: list[str]) -> None:
    """Stop every process of each user and delete the user and their home."""
    import pwd
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        for _ in range(50):
            if subprocess.run(["pgrep", "-u", name], capture_output=True).returncode != 0:
                break
            time.sleep(0.1)
        subprocess.run(["userdel", "--remove", name], capture_output=True)


# --------------------------------------------------------------------------- running it


def free_port_block(count: int = 4) -> int:
    """A port P with P..P+count-1 free on 127.0.0.1 (the hub, its proxy API, the hub API,
    the progress view)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + count >= 65535:
            continue
        if all(_port_free(port + i) for i in range(count)):
            return port
    raise RuntimeError("hub: found no free block of ports on 127.0.0.1")


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Hub:
    """A running JupyterHub for a :class:`Room` (a context manager that stops it)."""

    def __init__(self, room: Room, log: Path | None = None):
        self.room = room
        self.log_path = log or room.state / "jupyterhub.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> Hub:
        config = write_config(self.room)
        mirror_course(self.room)
        prepare_shared(self.room)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(self.room.python_bin / "jupyterhub"), "-f", str(config)],
            cwd=self.room.state, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        client = RoomClient(self.room)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hub: JupyterHub exited ({self.process.returncode}); "
                                   f"see {self.log_path}:\n{self.log_tail()}")
            try:
                if client.get("/hub/api/").ok:
                    return self
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"hub: JupyterHub did not answer in {timeout:.0f} s; "
                           f"see {self.log_path}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the hub; it stops the learners' servers and its proxy on the way out."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait()
        pid_file = self.room.state / "proxy.pid"  # the proxy, should the hub have left it
        try:
            os.kill(int(pid_file.read_text().strip()), 15)
        except (OSError, ValueError):
            pass

    def __enter__(self) -> Hub:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class RoomClient:
    """The hub's REST API and each learner's Jupyter server, with the room's service token."""

    def __init__(self, room: Room):
        import requests

        self.room = room
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {room.api_token}"

    def get(self, path: str, **kw: Any) -> Any:
        return self.http.get(self.room.url + path, timeout=kw.pop("timeout", 30), **kw)

    def start_server(self, name: str, timeout: float = 300) -> None:
        """Start ``name``'s server through the hub's REST API and wait until it is ready."""
        got = self.http.post(f"{self.room.url}/hub/api/users/{name}/server", timeout=60)
        if got.status_code not in (201, 202, 400):  # 400: already running
            raise RuntimeError(f"hub: starting {name}'s server: {got.status_code} {got.text}")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.get(f"/hub/api/users/{name}").json()
            server = (model.get("servers") or {}).get("")
            if server and server.get("ready"):
                return
            if not model.get("pending") and not server:
                raise RuntimeError(f"hub: {name}'s server stopped while starting: {model}")
            time.sleep(1)
        raise RuntimeError(f"hub: {name}'s server was not ready in {timeout:.0f} s")

    def stop_server(self, name: str) -> None:
        self.http.delete(f"{self.room.url}/hub/api/users/{name}/server", timeout=60)

    def pull(self, name: str, repo: str, branch: str, target: str = "cnncourse") -> list[str]:
        """What the nbgitpuller link does for ``name``: clone or update the course into their
        home. Returns nbgitpuller's progress lines; raises when it reports an error."""
        query = urlencode({"repo": repo, "branch": branch, "targetpath": target})
        got = self.get(f"/user/{name}/git-pull/api?{query}", timeout=300, stream=True)
        got.raise_for_status()
        events = [json.loads(line[len("data: "):]) for line in got.iter_lines(decode_unicode=True)
                  if line and line.startswith("data: ")]
        if not events or events[-1].get("phase") != "finished":
            raise RuntimeError(f"hub: nbgitpuller for {name} did not finish: {events[-3:]}")
        return [e.get("output", "") for e in events]

    def contents(self, name: str, path: str) -> Any:
        """A file in ``name``'s home through their server's Contents API (a notebook: its
        JSON; any other file: its text)."""
        got = self.get(f"/user/{name}/api/contents/{path}?content=1", timeout=60)
        got.raise_for_status()
        return got.json()["content"]

    def save_text(self, name: str, path: str, text: str) -> None:
        """Save a text file in ``name``'s home, as JupyterLab's editor does."""
        got = self.http.put(f"{self.room.url}/user/{name}/api/contents/{path}", timeout=60,
                            json={"type": "file", "format": "text", "content": text})
        got.raise_for_status()

    def kernel(self, name: str, notebook_path: str) -> Kernel:
        """Open a notebook session (a fresh kernel whose working folder is the notebook's)."""
        body = {"path": notebook_path, "type": "notebook", "name": Path(notebook_path).name,
                "kernel": {"name": "python3"}}
        got = self.http.post(f"{self.room.url}/user/{name}/api/sessions", json=body, timeout=120)
        got.raise_for_status()
        return Kernel(self, name, got.json()["kernel"]["id"], got.json()["id"])


@dataclass
class CellResult:
    status: str        # "ok" or "error"
    stdout: str
    error: str = ""


class Kernel:
    """One learner's kernel, driven over the Jupyter server's websocket (as JupyterLab does)."""

    def __init__(self, client: RoomClient, user: str, kernel_id: str, session_id: str):
        import websocket

        self.client, self.user, self.id, self.session_id = client, user, kernel_id, session_id
        url = client.room.url.replace("http://", "ws://")
        self.ws = websocket.create_connection(
            f"{url}/user/{user}/api/kernels/{kernel_id}/channels",
            header=[f"Authorization: token {client.room.api_token}"], timeout=900)
        self.session = uuid.uuid4().hex

    def execute(self, code: str, timeout: float = 900) -> CellResult:
        """Run ``code``; wait for its reply and for the kernel to go idle."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.user, "session": self.session,
                       "msg_type": "execute_request", "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        out, status, error, idle = [], None, "", False
        deadline = time.monotonic() + timeout
        while status is None or not idle:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.user}: a cell ran past {timeout:.0f} s")
            raw = self.ws.recv()
            if isinstance(raw, bytes):  # a message with binary buffers (a widget's image)
                continue
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content.get("name") == "stdout":
                out.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "execute_reply":
                status = content["status"]
                if status != "ok" and not error:
                    error = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        return CellResult(status, "".join(out), error)

    def run_notebook(self, notebook: dict[str, Any]) -> list[CellResult]:
        """Run every code cell of ``notebook`` (its JSON) in order; stop at the first error,
        like Run All."""
        cells = notebook["cells"]
        results = []
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            if not source.strip():
                continue
            result = self.execute(source)
            results.append(result)
            if result.status != "ok":
                break
        return results

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.client.http.delete(
                f"{self.client.room.url}/user/{self.user}/api/sessions/{self.session_id}",
                timeout=60)


def full_cnn_notebook(repo: Path = REPO_ROOT) -> Path:
    """The course's full-CNN notebook (found by name, whatever its number)."""
    found = sorted((repo / "notebooks").glob(FULL_CNN_GLOB))
    if not found:
        raise FileNotFoundError(f"no notebooks/{FULL_CNN_GLOB} in {repo}")
    return found[0]


RECORD_CODE = '''\
import json as _json, time as _time
from cnncourse.recipes import capstone as _capstone
from cnncourse.models import count_parameters as _count
_row = _capstone.record_run("room: SimpleCNN (notebook {number})", "cifar10",
                            scores["accuracy"], {seconds!r}, _count(model),
                            synthetic=data.synthetic, val_accuracy=max(history["val_acc"]))
print(_json.dumps(_row))
'''


def folder_digest(folder: Path) -> str:
    """A digest of every file's path, mode and bytes under ``folder`` (byte-for-byte check)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        digest.update(f"{path.relative_to(folder)}\0{info.st_mode:o}\0".encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def rss_kib(user: str) -> int:
    """The summed resident memory (KiB) of every process of ``user`` right now."""
    done = subprocess.run(["ps", "-o", "rss=", "-u", user], capture_output=True, text=True)
    return sum(int(x) for x in done.stdout.split() if x.isdigit())


class MemoryWatch:
    """Samples each learner's summed resident memory every ``every`` seconds; keeps the peak."""

    def __init__(self, users: list[str], every: float = 1.0):
        import threading

        self.peak = dict.fromkeys(users, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)

    def _run(self, every: float) -> None:
        while not self._stop.is_set():
            for user in self.peak:
                self.peak[user] = max(self.peak[user], rss_kib(user))
            self._stop.wait(every)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class LearnerRun:
    """One learner's run of a notebook through the hub."""

    user: str
    seconds: float             # from the first cell to the last reply
    cells: int                 # code cells that ran
    total: int                 # code cells in the notebook
    failed: CellResult | None  # the cell that raised, if any
    row: dict[str, str] | None = None  # the leaderboard row recorded afterwards

    @property
    def finished(self) -> bool:
        return self.failed is None and self.cells == self.total


def run_in_kernel(client: RoomClient, user: str, name: str, target: str = "cnncourse",
                  record: bool = True) -> LearnerRun:
    """Run the course notebook ``name`` from ``user``'s own pulled copy (``~/<target>``) in a
    fresh kernel of their server, then record the run on the leaderboard from that kernel."""
    rel = f"{target}/notebooks/{name}"
    notebook = client.contents(user, rel)
    total = sum(1 for c in notebook["cells"]
                if c["cell_type"] == "code" and "".join(c["source"]).strip())
    kernel = client.kernel(user, rel)
    try:
        t0 = time.perf_counter()
        results = kernel.run_notebook(notebook)
        seconds = time.perf_counter() - t0
        failed = next((r for r in results if r.status != "ok"), None)
        run = LearnerRun(user, seconds, len(results), total, failed)
        if record and run.finished:
            number = name.split("_", 1)[0]
            done = kernel.execute(RECORD_CODE.format(number=number, seconds=round(seconds, 1)))
            if done.status != "ok":
                run.failed = done
            else:
                run.row = json.loads(done.stdout.strip().splitlines()[-1])
        return run
    finally:
        kernel.close()


# --------------------------------------------------------------------------- the command


def main(args: Any) -> int:
    """``cnncourse-instructor hub``: prepare the room and run JupyterHub until Ctrl+C."""
    try:
        learners = check_learner_names(args.learners.split(","))
    except ValueError as err:
        print(f"cnncourse-instructor {err}", file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("cnncourse-instructor hub: run it as root (sudo make hub): each learner's server runs as "
              "their own system user, which only root may start.", file=sys.stderr)
        return 2
    try:
        proxy = find_proxy()
    except FileNotFoundError as err:
        print(f"cnncourse-instructor {err}", file=sys.stderr)
        return 2
    state = Path(args.state).resolve()
    room = Room(learners=learners, state=state, data=Path(args.data).resolve(),
                leaderboard=Path(args.leaderboard).resolve(), ip=args.ip, port=args.port,
                cpu_limit=args.cpu_limit or None, mem_limit=args.mem_limit or None,
                quick=args.quick, offline=args.offline, proxy=proxy)
    if args.password:
        room.password = args.password
    if len(room.password) < 8:
        print("cnncourse-instructor hub: --password must be at least 8 characters.", file=sys.stderr)
        return 2
    if args.create_users:
        create_learners(learners)
    missing = [n for n in learners if not _user_exists(n)]
    if missing:
        print(f"cnncourse-instructor hub: no system user for {', '.join(missing)}; add --create-users "
              "or create them with `useradd -m NAME`.", file=sys.stderr)
        return 2
    hub = Hub(room)
    try:
        hub.start()
    except (RuntimeError, OSError) as err:
        print(f"cnncourse-instructor {err}", file=sys.stderr)
        return 1
    repo, branch = room.course_url, "main"
    start_nb = sorted((REPO_ROOT / "notebooks").glob("00_*.ipynb"))
    public = room.url if room.ip != "0.0.0.0" else f"http://{socket.getfqdn()}:{room.port}"
    link = pull_link(public, repo, branch,
                     f"notebooks/{start_nb[0].name}" if start_nb else "notebooks")
    print(f"cnncourse-instructor hub: {public} for {', '.join(learners)} (shared password: "
          f"{room.password})")
    print(f"  each learner: CPU_LIMIT={room.cpu_limit or 'none'}, MEM_LIMIT={room.mem_limit}, "
          f"data {room.data} (read-only), leaderboard {room.leaderboard}")
    print(f"  hand out this link (clones the course into ~/cnncourse, later clicks update "
          f"it and keep each learner's edits):\n  {link}")
    print(f"  log: {hub.log_path}; Ctrl+C stops the hub and every learner's server.")

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)   # also when started in the background
    signal.signal(signal.SIGTERM, interrupt)  # `kill`, systemd: stop the room cleanly too
    try:
        while hub.process is not None and hub.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
    return 0


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
