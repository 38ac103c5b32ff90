"""A workshop room on one machine: a local JupyterHub with the course in every learner's home.

``cnncourse-instructor hub`` (``make hub``) writes a JupyterHub configuration and runs it:

- JupyterHub from PyPI and ``configurable-http-proxy`` from npm (``make hub-setup`` installs
  it into ``node_modules/``), everything bound to 127.0.0.1 unless ``--ip`` says otherwise;
- one login per learner and one instructor (admin) account: each is a system user with their
  own home and their own random password, checked by JupyterHub's standard PAM
  authenticator; the passwords are written once into the room's private folder
  (``private/passwords.csv`` and a printable slip per person, mode 600) and reused when the
  hub restarts (``--new-passwords`` makes new ones);
- the room's folder split in two: ``public/`` (the course mirror learners pull from, the
  learners' Python) and ``private/`` (mode 700: the hub's database, cookie secret,
  ``room.json``, the passwords, the log); solved notebooks in the checkout are closed to
  learners;
- each learner's server in its own cgroup (:mod:`cnncourse_instructor.spawner`): a CPU
  quota and a memory limit, enforced where the host allows it, and always
  ``CPU_LIMIT``/``MEM_LIMIT`` in the learner's environment, which the course's thread policy
  honours (:func:`cnncourse.threads.core_limit`);
- one shared data folder, read-only for learners (``CNNCOURSE_DATA``); the room's leaderboard
  is kept by the progress view (:mod:`cnncourse_instructor.progress`) under each learner's
  login, never in a file learners write (a learner whose kernel cannot reach the view records
  in their own file, and is told so);
- the notebooks delivered by an nbgitpuller link: the first click clones the course into the
  learner's home, later clicks pull updates and keep the learner's own edits;
  ``cnncourse-instructor hub publish`` hands out a fix while the room runs, ``hub teardown``
  stops the room and removes its users, homes and cgroups.

The same module drives a room from a script (:class:`Hub`, :class:`RoomClient`): start the
hub, start each learner's server through the hub's REST API, pull the course, and run a
notebook cell by cell in a learner's kernel over the Jupyter websocket. ``tests/hub`` and
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
    state: Path                      # the hub's own folder: public/ and private/ (below)
    data: Path                       # shared, read-only for learners (CNNCOURSE_DATA)
    instructor: str = "instructor"   # the one admin account (a system user, like learners)
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
    enforce_limits: bool = True      # cgroups per learner where the host allows them

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.port}"

    @property
    def users(self) -> list[str]:
        """Everyone who logs in: the learners, then the instructor."""
        return [*self.learners, self.instructor]

    @property
    def public(self) -> Path:
        """What learners read: the course mirror, the learners' Python (mode 755)."""
        return self.state / "public"

    @property
    def private(self) -> Path:
        """What only the hub (root) reads: database, cookie secret, room.json, passwords,
        log (mode 700)."""
        return self.state / "private"

    @property
    def passwords_file(self) -> Path:
        return self.private / "passwords.csv"

    @property
    def course_url(self) -> str:
        """The git URL learners pull from: a bare mirror of the course in the public folder."""
        return str(self.public / "course.git")


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
    room.public.mkdir(parents=True, exist_ok=True)
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
    """A clear error when learners cannot reach the data, the course mirror or the checkout.
    The data folder is made when missing, never chmod-ed: :func:`check_data` reports files
    learners cannot read."""
    if not room.data.exists():
        room.data.mkdir(parents=True)
        os.chmod(room.data, 0o755)
    for path in (room.data, Path(room.course_url), room.course_repo):
        check_reachable(path)


def check_reachable(path: Path) -> None:
    """Raise a clear error when other users (the learners) cannot reach ``path``."""
    for folder in [*reversed(path.parents), path]:
        if folder.is_dir() and not stat.S_IMODE(folder.stat().st_mode) & 0o001:
            raise PermissionError(
                f"hub: learners cannot reach {path}: {folder} is closed to other users "
                f"(mode {stat.S_IMODE(folder.stat().st_mode):o}). Fix: keep the course, its "
                f".venv and the data in folders everyone may enter (e.g. "
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
    copy = room.public / "python"
    venv = room.public / "venv"
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
    path = room.public / "gitconfig"
    path.write_text(f"[include]\n\tpath = /etc/gitconfig\n[safe]\n\tdirectory = "
                    f"{room.course_url}\n")
    os.chmod(path, 0o644)
    return path


# Files an earlier room kept at the top of its folder, open to learners: moved to private/.
_OLD_PRIVATE = ("room.json", "jupyterhub_config.py", "jupyterhub.sqlite",
                "jupyterhub_cookie_secret", "jupyterhub.log", "jupyterhub.pid", "proxy.pid")


def prepare_state(room: Room) -> None:
    """The room's folder: ``public/`` (mode 755, learners read it) and ``private/`` (mode 700,
    root only), and the folder itself listable by nobody but root (mode 711)."""
    room.state.mkdir(parents=True, exist_ok=True)
    os.chmod(room.state, 0o711)
    room.public.mkdir(exist_ok=True)
    os.chmod(room.public, 0o755)
    room.private.mkdir(exist_ok=True)
    os.chmod(room.private, 0o700)
    for name in _OLD_PRIVATE:
        old = room.state / name
        if old.exists() and not (room.private / name).exists():
            os.replace(old, room.private / name)
    for name in ("course.git", "python", "venv", "gitconfig"):  # the learners' part
        old = room.state / name
        if old.exists() and not (room.public / name).exists():
            os.replace(old, room.public / name)


def write_config(room: Room) -> Path:
    """Write ``jupyterhub_config.py`` (and ``room.json``) for the room into its private
    folder; returns the config's path."""
    prepare_state(room)
    proxy = room.proxy or find_proxy()
    python_bin, python_env = learner_python(room)
    env = {
        **python_env,
        "CNNCOURSE_DATA": str(room.data),
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
        "learners": room.learners, "instructor": room.instructor, "ip": room.ip,
        "port": room.port, "cpu_limit": room.cpu_limit, "mem_limit": room.mem_limit,
        "enforce_limits": room.enforce_limits,
        "env": env, "api_token": room.api_token, "proxy": str(proxy),
        "singleuser": [str(python_bin / "python"), "-m", "jupyterhub.singleuser"],
        # "state": the hub's own files (database, cookie secret, pid files): the private
        # folder, which only root may enter; "public": what learners read
        "state": str(room.private), "public": str(room.public),
        "course_repo": str(room.course_repo),
    }
    from cnncourse_instructor import progress  # the progress view: a service, its role, its URL
    settings["progress"] = progress.hub_service(room, python_bin=room.python_bin)
    env["CNNCOURSE_ROOM_URL"] = settings["progress"]["room_url"]
    (room.private / "room.json").write_text(json.dumps(settings, indent=1))
    os.chmod(room.private / "room.json", 0o600)  # holds the API token
    path = room.private / "jupyterhub_config.py"
    path.write_text(CONFIG_TEMPLATE)
    os.chmod(path, 0o600)
    return path


def read_settings(state: Path) -> dict[str, Any]:
    """The ``room.json`` a room wrote into ``state``'s private folder (for publish and
    teardown); a clear error when there is none."""
    path = Path(state) / "private" / "room.json"
    if not path.exists():
        raise FileNotFoundError(f"hub: no room in {state} (no {path}); give the --state the "
                                "room was started with (default build/hub).")
    return json.loads(path.read_text())


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

# Each person logs in with their own system account and password (PAM, JupyterHub's
# default authenticator): the learners, and one instructor who is the hub's admin.
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(room["learners"]) | {room["instructor"]}
c.Authenticator.admin_users = {room["instructor"]}

# Each learner's server runs as their own system user, in their own home, in its own cgroup
# (CPU quota, memory limit) where the host allows it.
c.JupyterHub.spawner_class = "cnncourse_instructor.spawner.RoomSpawner"
c.RoomSpawner.enforce_limits = room["enforce_limits"]
c.RoomSpawner.room_users = [*room["learners"], room["instructor"]]
c.Spawner.cmd = room["singleuser"]
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.environment = room["env"]
c.Spawner.cpu_limit = room["cpu_limit"]   # the quota, and CPU_LIMIT: the thread policy reads it
c.Spawner.mem_limit = room["mem_limit"]   # the memory limit, and MEM_LIMIT
c.Spawner.start_timeout = 300             # a loaded workshop machine starts servers slowly
c.Spawner.http_timeout = 300

# A service token to drive the room from a script (tests/hub, benchmarks/room.py).
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


def create_learners(names: list[str]) -> list[str]:
    """Create a system user with a private home (mode 700) for each name that does not exist;
    returns the names it created."""
    import pwd  # POSIX only: the room runs on Linux
    created = []
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
        created.append(name)
    return created


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


# Letters and digits that cannot be mistaken for one another on a printed slip.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def new_password(length: int = 12) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def room_passwords(room: Room, rotate: bool = False) -> dict[str, str]:
    """Each user's password: read from ``private/passwords.csv`` (mode 600), with new ones
    for users it does not hold yet (all new when ``rotate``), written back. The same
    passwords come back after a restart of the hub."""
    import csv

    known: dict[str, str] = {}
    if room.passwords_file.exists() and not rotate:
        with room.passwords_file.open(newline="") as f:
            known = {row["user"]: row["password"] for row in csv.DictReader(f)}
    passwords = {user: known.get(user) or new_password() for user in room.users}
    room.private.mkdir(parents=True, exist_ok=True)
    fd = os.open(room.passwords_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["user", "password", "role"])
        for user, password in passwords.items():
            writer.writerow([user, password,
                             "instructor" if user == room.instructor else "learner"])
    os.chmod(room.passwords_file, 0o600)
    return passwords


def set_passwords(passwords: dict[str, str]) -> None:
    """Give each system user their password (``chpasswd``, as root), which PAM then checks."""
    text = "".join(f"{user}:{password}\n" for user, password in passwords.items())
    done = subprocess.run(["chpasswd"], input=text, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"hub: chpasswd could not set the room's passwords "
                           f"({done.stderr.strip()}); the hub must run as root.")


def write_slips(room: Room, passwords: dict[str, str], url: str, link: str) -> Path:
    """One printable slip per person (``private/slips/NAME.txt``) and all of them in one file
    (``private/slips.txt``, to print and cut): the address, their login, password and the
    course link. Returns the all-in-one file."""
    folder = room.private / "slips"
    folder.mkdir(exist_ok=True)
    os.chmod(folder, 0o700)
    slips = []
    for user, password in passwords.items():
        role = "instructor (admin)" if user == room.instructor else "learner"
        slip = (f"cnncourse workshop room ({role})\n"
                f"  1. open  {url}\n"
                f"  2. log in as  {user}  with the password  {password}\n"
                f"  3. then open the course link:\n     {link}\n")
        path = folder / f"{user}.txt"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(slip)
        slips.append(slip)
    everyone = room.private / "slips.txt"
    fd = os.open(everyone, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(("\n" + "-" * 60 + "\n\n").join(slips))
    return everyone


# --------------------------------------------------------------------------- protected files

SOLVED_MARK = "Instructor copy with solutions."  # the note solved.write_solved adds
_NOT_SCANNED = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache"}


def solved_folders(repo: Path = REPO_ROOT) -> list[Path]:
    """Folders inside the course checkout that hold solved notebooks (``cnncourse-instructor
    notebooks --solved``, e.g. ``build/solved``), found by the note every solved copy has."""
    found = []
    for folder, dirs, files in os.walk(repo):
        dirs[:] = [d for d in dirs if d not in _NOT_SCANNED and not d.startswith(".venv")]
        for name in files:
            if not name.endswith(".ipynb"):
                continue
            try:
                with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
                    head = f.read(4000)
            except OSError:
                continue
            if SOLVED_MARK in head:
                found.append(Path(folder))
                break
    return found


def close_solved(repo: Path = REPO_ROOT) -> list[Path]:
    """Close every folder of solved notebooks in the checkout to other users (mode 700):
    the checkout itself must stay readable (learners' Python imports the course from it).
    Returns the folders it closed."""
    closed = []
    for folder in solved_folders(repo):
        mode = stat.S_IMODE(folder.stat().st_mode)
        if mode & 0o077:
            os.chmod(folder, mode & 0o700)
            closed.append(folder)
    return closed


# --------------------------------------------------------------------------- the machine


def learners_can_read(path: Path) -> bool:
    """Whether a user other than the owner (and not in its group) may read ``path``."""
    try:
        check_reachable(path.parent)
    except PermissionError:
        return False
    mode = stat.S_IMODE(path.stat().st_mode)
    return bool(mode & 0o004) and (not path.is_dir() or bool(mode & 0o001))


def check_data(data: Path, limit: int = 100_000) -> tuple[int, list[Path]]:
    """The files of the shared data folder learners can read, and those they cannot
    (``(readable count, unreadable paths)``); nothing is changed."""
    readable, closed = 0, []
    try:
        check_reachable(data)
    except PermissionError:
        return 0, [data]
    for folder, dirs, files in os.walk(data):
        here = Path(folder)
        if not learners_can_read(here):
            closed.append(here)
            dirs[:] = []
            continue
        for name in files:
            path = here / name
            if learners_can_read(path):
                readable += 1
            else:
                closed.append(path)
        if readable + len(closed) > limit:
            break
    return readable, closed


def mem_bytes(spec: str | None) -> int | None:
    """``"2G"`` -> bytes (K, M, G, T, powers of 1024, as JupyterHub reads ``mem_limit``)."""
    if not spec:
        return None
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    text = str(spec).strip().upper().rstrip("B")
    try:
        if text and text[-1] in units:
            return int(float(text[:-1]) * units[text[-1]])
        return int(float(text))
    except ValueError:
        raise ValueError(f"hub: memory limit {spec!r} is not a size; use e.g. 2G or 1500M.") \
            from None


def machine_size() -> tuple[int, int]:
    """The cores this process may use and the machine's memory in bytes."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return cores, memory


# The guide's sizing: one core and 2 GB per learner who trains at the same moment (notebook 08
# through a real hub peaked at about 1.2 GiB per learner, benchmarks/room.py).
GUIDE_CORES_PER_LEARNER = 1.0
GUIDE_BYTES_PER_LEARNER = 2 << 30


def sizing_warnings(learners: int, cpu_limit: float | None, mem_limit: str | None,
                    cores: int, memory: int) -> list[str]:
    """What the instructor should hear when the learners outnumber what the machine holds
    at the guide's sizing (one core and 2 GB each, or the room's own limits if larger)."""
    per_core = max(cpu_limit or 0, GUIDE_CORES_PER_LEARNER)
    per_mem = max(mem_bytes(mem_limit) or 0, GUIDE_BYTES_PER_LEARNER)
    warnings = []
    if learners * per_core > cores:
        fits = max(0, int(cores // per_core))
        warnings.append(
            f"{learners} learners at {per_core:g} core each need {learners * per_core:g} "
            f"cores; this machine has {cores}, enough for {fits} training at once. When more "
            "train at the same moment each run slows in proportion (the guide's table, "
            "'Measured: a room on a 2-core machine').")
    if learners * per_mem > memory:
        fits = int(memory // per_mem)
        warnings.append(
            f"{learners} learners at {per_mem / 2**30:.1f} GiB each need "
            f"{learners * per_mem / 2**30:.0f} GiB; this machine has {memory / 2**30:.0f} GiB, "
            f"enough for {fits}. Kernels will die when memory runs out: fewer learners per "
            "machine, or a bigger one.")
    return warnings


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

    def __init__(self, room: Room, log: Path | None = None, new_passwords: bool = False):
        self.room = room
        self.log_path = log or room.private / "jupyterhub.log"
        self.process: subprocess.Popen | None = None
        self.new_passwords = new_passwords
        self.passwords: dict[str, str] = {}
        self.closed: list[Path] = []  # folders of solved notebooks closed to learners

    def start(self, timeout: float = 120) -> Hub:
        """Write the config, publish the course, close what learners must not read, give
        every user their password, start JupyterHub and wait until it answers."""
        config = write_config(self.room)
        mirror_course(self.room)
        prepare_shared(self.room)
        self.closed = close_solved(self.room.course_repo)
        self.passwords = room_passwords(self.room, rotate=self.new_passwords)
        set_passwords({u: p for u, p in self.passwords.items() if _user_exists(u)})
        log = open(self.log_path, "ab")
        os.chmod(self.log_path, 0o600)
        self.process = subprocess.Popen(
            [str(self.room.python_bin / "jupyterhub"), "-f", str(config)],
            cwd=self.room.private, stdout=log, stderr=subprocess.STDOUT,
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
        pid_file = self.room.private / "proxy.pid"  # the proxy, should the hub have left it
        try:
            os.kill(int(pid_file.read_text().strip()), 15)
        except (OSError, ValueError):
            pass
        remove_cgroups(self.room.users)  # the spawner removes each on stop; any left over

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
        """Run ``code``; wait for its reply and for the kernel to go idle (TimeoutError after
        ``timeout`` seconds, also when the kernel died and sends nothing)."""
        from websocket import WebSocketTimeoutException

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
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.user}: a cell ran past {timeout:.0f} s (no reply: "
                                   "did the kernel die?)")
            # A dead kernel sends nothing, and the server's websocket pings (every 30 s) would
            # keep one long recv() waiting for ever: wait in short steps, check the deadline.
            self.ws.settimeout(min(left, 10))
            try:
                raw = self.ws.recv()
            except WebSocketTimeoutException:
                continue
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


def remove_cgroups(users: list[str]) -> None:
    """Delete the room's cgroups of ``users`` (and what still runs in them)."""
    from cnncourse_instructor import cgroups

    support = cgroups.host_support()
    if support.enforced:
        for user in users:
            cgroups.UserCgroup(user, support.version).remove()


def _err(message: str) -> None:
    print(f"cnncourse-instructor {message}", file=sys.stderr)


def main(args: Any) -> int:
    """``cnncourse-instructor hub [start|publish|teardown]``."""
    action = getattr(args, "action", None) or "start"
    if action == "start":
        return start(args)
    if os.geteuid() != 0:
        _err(ROOT_HINT)
        return 2
    if action == "publish":
        return publish(Path(args.state))
    if action == "teardown":
        return teardown(Path(args.state), keep_users=args.keep_users)
    raise ValueError(f"hub: unknown action {action!r}; expected start, publish or teardown.")


ROOT_HINT = ("hub: run it as root (sudo make hub): each learner's server runs as their own "
             "system user, which only root may start, and the room's files belong to root.")


def publish(state: Path) -> int:
    """``hub publish``: push the checkout's current commit to the mirror learners pull from,
    while the room runs. Each learner gets it at their next click on the course link."""
    try:
        settings = read_settings(state)
    except FileNotFoundError as err:
        _err(str(err))
        return 2
    room = Room(learners=settings["learners"], state=Path(state).resolve(), data=Path("/"),
                course_repo=Path(settings["course_repo"]))
    try:
        before = _git(["-C", room.course_url, "rev-parse", "main"]).strip()
        mirror_course(room)
        after = _git(["-C", room.course_url, "rev-parse", "main"]).strip()
        subject = _git(["-C", room.course_url, "log", "-1", "--format=%s", "main"]).strip()
    except RuntimeError as err:
        _err(str(err))
        return 1
    dirty = _git(["-C", str(room.course_repo), "status", "--porcelain",
                  "--untracked-files=no"]).strip()
    if before == after:
        print(f"cnncourse-instructor hub publish: the mirror already has {after[:10]} "
              f"({subject}); commit your fix in {room.course_repo} first.")
    else:
        print(f"cnncourse-instructor hub publish: published {after[:10]} ({subject}) "
              f"to {room.course_url}, was {before[:10]}.\n  Learners get it when they click "
              "the course link again; a cell a learner has edited keeps their version "
              "(docs/instructor-guide.md, 'Publish a fix').")
    if dirty:
        print("  note: uncommitted changes in the checkout were not published (git commit "
              "them, then publish again):\n    " + dirty.replace("\n", "\n    "))
    return 0


def teardown(state: Path, keep_users: bool = False) -> int:
    """``hub teardown``: stop the room's hub (and every learner's server), remove the
    learners' and the instructor's system users and homes (those the room created), their
    cgroups and the passwords. The log and the progress view's records stay."""
    try:
        settings = read_settings(state)
    except FileNotFoundError as err:
        _err(str(err))
        return 2
    private = Path(state) / "private"
    stopped = _stop_pid(private / "jupyterhub.pid")
    _stop_pid(private / "proxy.pid")
    users = [*settings["learners"], settings["instructor"]]
    created_file = private / "created-users.json"
    created = json.loads(created_file.read_text()) if created_file.exists() else []
    removed = [] if keep_users else [u for u in users if u in created and _user_exists(u)]
    remove_learners(removed)
    remove_cgroups(users)
    for path in (private / "passwords.csv", private / "slips.txt", created_file):
        path.unlink(missing_ok=True)
    shutil.rmtree(private / "slips", ignore_errors=True)
    kept = [u for u in users if _user_exists(u)]
    print(f"cnncourse-instructor hub teardown: {'stopped the hub; ' if stopped else ''}"
          f"removed {len(removed)} users and their homes ({', '.join(removed) or 'none'}), "
          f"their cgroups and the passwords.")
    if kept:
        print(f"  kept the users the room did not create: {', '.join(kept)} "
              "(`userdel --remove NAME` removes one).")
    print(f"  kept: the log ({private / 'jupyterhub.log'}) and the progress view's records "
          "(the leaderboard among them); "
          f"`rm -rf {state}` removes the rest.")
    return 0


def _stop_pid(pid_file: Path, wait: float = 60) -> bool:
    """SIGTERM the process in ``pid_file`` and wait for it to end; False when none ran."""
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError):
        return False
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        time.sleep(0.2)
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    return True


def start(args: Any) -> int:
    """``hub`` (``hub start``): prepare the room and run JupyterHub until Ctrl+C."""
    from cnncourse_instructor import cgroups

    try:
        learners = check_learner_names((args.learners or "").split(","))
        instructor = check_learner_names([args.instructor])[0]
        mem_bytes(args.mem_limit)
    except ValueError as err:
        _err(str(err).replace("learner name", "name"))
        return 2
    if instructor in learners:
        _err(f"hub: {instructor!r} is both a learner and the instructor; pick another "
             "--instructor NAME.")
        return 2
    if os.geteuid() != 0:
        _err(ROOT_HINT)
        return 2
    try:
        proxy = find_proxy()
    except FileNotFoundError as err:
        _err(str(err))
        return 2
    state = Path(args.state).resolve()
    room = Room(learners=learners, state=state, data=Path(args.data).resolve(),
                instructor=instructor,
                ip=args.ip, port=args.port, cpu_limit=args.cpu_limit or None,
                mem_limit=args.mem_limit or None, quick=args.quick, offline=args.offline,
                proxy=proxy)
    if args.create_users:
        try:
            created = create_learners(room.users)
        except RuntimeError as err:
            _err(str(err))
            return 1
        prepare_state(room)
        created_file = room.private / "created-users.json"
        before = json.loads(created_file.read_text()) if created_file.exists() else []
        created_file.write_text(json.dumps(sorted(set(before) | set(created))))
    missing = [n for n in room.users if not _user_exists(n)]
    if missing:
        _err(f"hub: no system user for {', '.join(missing)}; add --create-users or create "
             "them with `useradd -m NAME`.")
        return 2
    for warning in sizing_warnings(len(learners), room.cpu_limit, room.mem_limit,
                                   *machine_size()):
        print(f"cnncourse-instructor hub: WARNING: {warning}")
    support = cgroups.host_support()
    hub = Hub(room, new_passwords=args.new_passwords)
    try:
        hub.start()
    except (RuntimeError, OSError) as err:
        _err(str(err))
        return 1
    repo, branch = room.course_url, "main"
    start_nb = sorted((room.course_repo / "notebooks").glob("00_*.ipynb"))
    public = room.url if room.ip != "0.0.0.0" else f"http://{socket.getfqdn()}:{room.port}"
    link = pull_link(public, repo, branch,
                     f"notebooks/{start_nb[0].name}" if start_nb else "notebooks")
    slips = write_slips(room, hub.passwords, public, link)
    readable, closed = check_data(room.data)
    print(f"cnncourse-instructor hub: {public} for {', '.join(learners)}; instructor (admin): "
          f"{instructor}")
    print(f"  logins: each person their own password, in {room.passwords_file} and one "
          f"slip each to print and hand out: {slips} (both root-only; the same after a "
          f"restart, --new-passwords makes new ones)")
    if support.enforced:
        print(f"  limits, enforced ({support.reason}, a cgroup per learner): "
              f"{_cores(room.cpu_limit)}, {room.mem_limit or 'no limit on'} memory each")
    else:
        print(f"  limits: ADVISORY ONLY ({support.reason}): CPU_LIMIT={room.cpu_limit or 'none'}"
              f" and MEM_LIMIT={room.mem_limit} are in each learner's environment, which the "
              "course's thread policy honours, but nothing enforces them")
    print(f"  data {room.data} (read-only): {readable} file(s) learners can read"
          + (", nothing in it yet" if readable == 0 and not closed else ""))
    if closed:
        shown = ", ".join(str(p) for p in closed[:5]) + (" ..." if len(closed) > 5 else "")
        print(f"  WARNING: learners cannot read {len(closed)} of its files or folders: "
              f"{shown}\n  fix: chmod -R a+rX,go-w {room.data}")
    for folder in hub.closed:
        print(f"  closed {folder} to learners (solved notebooks; mode 700)")
    print(f"  progress and leaderboard: {room.url}/services/progress/ (instructor only); "
          f"learners offline: {'yes' if room.offline else 'no'}")
    print(f"  hand out this link (clones the course into ~/cnncourse, later clicks update "
          f"it and keep each learner's edits):\n  {link}")
    where = "" if args.state == "build/hub" else f" --state {args.state}"
    print(f"  log: {hub.log_path}. Publish a fix: `cnncourse-instructor hub publish{where}` "
          f"(make hub-publish). Ctrl+C stops the hub and every learner's server; "
          f"`cnncourse-instructor hub teardown{where}` (make hub-teardown) also removes the "
          "users, homes and cgroups.")
    sys.stdout.flush()

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


def _cores(limit: float | None) -> str:
    return "no CPU quota" if not limit else f"{limit:g} core{'' if limit == 1 else 's'}"


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
