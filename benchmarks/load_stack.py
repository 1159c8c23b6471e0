"""The load benchmark's processes: gunicorn with ``podium.config.gunicorn`` and a Celery worker,
each in a process group of its own on 127.0.0.1, stopped by that group; and a Redis database
number leased for the run.

The lease is the e2e tests' (``SET NX`` on ``podium:e2e:redis-db:<n>`` in database 0), so a
benchmark and a test run on the same Redis server never share a database.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from benchmarks import platform_common as common

REDIS_DBS = range(1, 16)
STARTED: list[int] = []  # the process groups this run started (the test checks they are gone)
_LEASE_S = 1800


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop_group(proc: subprocess.Popen, grace: float) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # whatever of the group is left
    except ProcessLookupError:
        pass
    proc.wait()


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


class Server:
    """``gunicorn -c python:podium.config.gunicorn`` with ``workers`` x ``threads``."""

    def __init__(self, env: dict, folder: Path, *, workers: int, threads: int) -> None:
        self.port = free_port()
        self.log_path = folder / f"gunicorn-{workers}x{threads}-{self.port}.log"
        run_env = {
            **env,
            "PODIUM_WEB_BIND": f"127.0.0.1:{self.port}",
            "PODIUM_WEB_WORKERS": str(workers),
            "PODIUM_WEB_THREADS": str(threads),
            "PODIUM_WEB_ACCESS_LOG": str(folder / f"access-{self.port}.log"),
            "PODIUM_WEB_LOG_LEVEL": "warning",
        }
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "python:podium.config.gunicorn"],
                env=run_env,
                cwd=str(common.PLATFORM_DIR),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        STARTED.append(self.proc.pid)
        deadline = time.monotonic() + 60
        while not _answers(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("gunicorn did not answer:\n" + self.log()[-4000:])
            time.sleep(0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of gunicorn's processes so far (Linux /proc)."""
        return sum(_cpu_seconds(pid) for pid in [self.proc.pid, *_children(self.proc.pid)])

    def stop(self) -> None:
        _stop_group(self.proc, 30)


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class Worker:
    """One Celery worker on every queue; the pool ``make run`` gives the broker."""

    def __init__(self, env: dict, folder: Path, *, broker_is_redis: bool) -> None:
        self.log_path = folder / "worker.log"
        pool = ["-P", "prefork", "-c", "2"] if broker_is_redis else ["-P", "threads", "-c", "4"]
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "podium.config",
                    "worker",
                    *pool,
                    "-Q",
                    "default,cpu,gpu,maintenance",
                    "-l",
                    "WARNING",
                    "-n",
                    f"load-{os.getpid()}@%h",
                    "--without-mingle",
                    "--without-gossip",
                ],
                cwd=folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        STARTED.append(self.proc.pid)
        time.sleep(1)
        if self.proc.poll() is not None:
            raise RuntimeError("the worker did not start:\n" + self.log()[-4000:])

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        _stop_group(self.proc, 30)


@contextmanager
def redis_db(broker_url: str):
    """A Redis URL on a database number no e2e test or other run uses now; flushed around."""
    import redis

    token = uuid.uuid4().hex
    admin = redis.Redis.from_url(common.with_redis_db(broker_url, 0))
    try:
        for _ in range(120):
            chosen = next(
                (
                    db
                    for db in REDIS_DBS
                    if admin.set(f"podium:e2e:redis-db:{db}", token, nx=True, ex=_LEASE_S)
                ),
                None,
            )
            if chosen is not None:
                break
            time.sleep(0.5)
        else:
            raise RuntimeError("no free Redis database number for the load benchmark")
        url = common.with_redis_db(broker_url, chosen)
        common.flush_redis(url)
        try:
            yield url
        finally:
            common.flush_redis(url)
            if admin.get(f"podium:e2e:redis-db:{chosen}") == token.encode():
                admin.delete(f"podium:e2e:redis-db:{chosen}")
    finally:
        admin.close()
