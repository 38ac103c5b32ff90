"""One real room shared by the access tests (test_room_access.py) and the progress-view tests
(test_progress_room.py): both need two learners and an instructor on a hub with enforced
limits, and starting a JupyterHub, its users and their servers is most of their time.

Each module takes what it needs from it and leaves it usable for the other, in either order:
the access tests stop only bo's server (the progress tests start it again) and kill only
kernels of their own; the progress tests record only through their own kernels.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from ._room import course_clone


@pytest.fixture(scope="session")
def shared_room():
    """``(room, client, running hub, first passwords)``: two learners (ada, bo) and an
    instructor, 1 core and 1 GiB each, the course published from a throwaway clone with its
    solved notebooks (as `make test` leaves them); the hub is started, stopped and started
    again (the restart every room sees when the instructor fixes something), then ada's
    server runs."""
    from cnncourse_instructor import hub
    from cnncourse_instructor.solved import write_solved

    top = Path(tempfile.mkdtemp(prefix="cnncourse-room-"))
    os.chmod(top, 0o755)
    course = course_clone(top / "course")
    write_solved(course / "build" / "solved", course / "notebooks")
    os.chmod(course / "build" / "solved", 0o755)
    (top / "data").mkdir()
    tag = uuid.uuid4().hex[:5]
    the_room = hub.Room(learners=[f"cnr{tag}-ada", f"cnr{tag}-bo"], instructor=f"cnr{tag}-t",
                        state=top / "hub", data=top / "data",
                        port=hub.free_port_block(), cpu_limit=1, mem_limit="1G",
                        quick=True, offline=True, course_repo=course)
    hub.create_learners(the_room.users)
    running = hub.Hub(the_room)
    try:
        try:
            running.start()
            first = dict(running.passwords)
            running.stop()
            running = hub.Hub(the_room)  # a restart: the same folder, a new process
            running.start()
            client = hub.RoomClient(the_room)
            client.start_server(the_room.learners[0])
        except Exception:
            print(f"--- the hub's log ---\n{running.log_tail(80)}")
            raise
        yield the_room, client, running, first
    finally:
        running.stop()
        hub.remove_learners(the_room.users)
        shutil.rmtree(top, ignore_errors=True)
