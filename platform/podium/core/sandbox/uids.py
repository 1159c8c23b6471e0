"""Which host user a sandbox runs as.

A worker started as root hands each run a uid of its own from a range no account uses, held by
an ``flock`` for the run's lifetime: RLIMIT_NPROC then counts that run's processes alone, and when
the run is over every process of that uid can be killed without touching anything else. A worker
that is not root runs its sandboxes as itself (still never root, so RLIMIT_NPROC binds; the limit
is raised by what the worker itself already runs).
"""

from __future__ import annotations

import fcntl
import os
import random
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class NoFreeUid(Exception):
    pass


@contextmanager
def uid_lease(folder: Path, base: int, count: int) -> Iterator[int]:
    """A free uid of ``base .. base+count-1`` (root), or the worker's own uid (not root)."""
    if os.geteuid() != 0:
        yield os.geteuid()
        return
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    start = random.randrange(count)
    for i in range(count):
        uid = base + (start + i) % count
        fd = os.open(folder / f"{uid}.lock", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            kill_uid(uid)  # a run before ours whose worker died mid-way
            yield uid
        finally:
            kill_uid(uid)
            os.close(fd)  # releases the lock
        return
    raise NoFreeUid(f"all {count} sandbox uids from {base} are in use")


def processes_of(uid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as status:
                for line in status:
                    if line.startswith(b"Uid:"):
                        if int(line.split()[1]) == uid:  # the real uid
                            found.append(int(entry))
                        break
        except (OSError, ValueError):
            continue
    return found


def threads_of(uid: int) -> int:
    """Tasks (processes and threads) of ``uid``: what RLIMIT_NPROC counts."""
    total = 0
    for pid in processes_of(uid):
        try:
            total += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    return total


def kill_uid(uid: int) -> int:
    """SIGKILL every process of a sandbox uid (never root, never the worker's own uid)."""
    if uid == 0 or uid == os.geteuid():
        return 0
    killed = 0
    for _ in range(20):
        pids = processes_of(uid)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
    return killed
