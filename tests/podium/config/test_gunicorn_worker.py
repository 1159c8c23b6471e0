"""The split threaded worker (``podium.config.gunicorn_worker``): reads and writes wait for
threads of their own. A real gunicorn on 127.0.0.1 whose write threads are all held by slow
uploads (bodies that trickle in) still answers GETs at once; the plain threaded worker with the
same number of threads does not."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from podium.config.gunicorn_worker import is_read, pool_sizes, switch_interval

PLATFORM_DIR = Path(__file__).resolve().parents[3] / "platform"
SPLIT = "podium.config.gunicorn_worker.SplitThreadWorker"


@pytest.mark.parametrize(
    ("threads", "writes", "sizes"),
    [(8, None, (4, 4)), (8, "2", (6, 2)), (8, "8", (1, 7)), (8, "0", (7, 1)), (1, None, (1, 1))],
)
def test_pool_sizes_keep_at_least_one_thread_each(threads, writes, sizes):
    assert pool_sizes(threads, writes) == sizes


@pytest.mark.parametrize(
    ("setting", "seconds"),
    [(None, 0.001), ("", 0.001), ("5", 0.005), ("0.5", 0.0005), ("0", 0.0001), ("x", 0.001)],
)
def test_the_switch_interval_is_a_millisecond_unless_set(setting, seconds):
    assert switch_interval(setting) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("first", "read"),
    [(b"GET /x HTTP/1.1\r\n", True), (b"HEAD / HTTP/1.1", True), (b"POST /a HTTP/1.1", False)],
)
def test_the_method_is_peeked_without_consuming_it(first, read):
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(first)
        ours.setblocking(False)
        assert is_read(ours) is read
        assert ours.recv(64) == first  # still there for the parser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(tmp_path: Path, worker_class: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PODIUM_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="podium.config.settings",
        DJANGO_SECRET_KEY="test-only-" + "k" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        PODIUM_DATA_DIR=str(tmp_path / f"data-{port}"),
        PODIUM_WEB_BIND=f"127.0.0.1:{port}",
        PODIUM_WEB_WORKERS="1",
        PODIUM_WEB_THREADS="4",
        PODIUM_WEB_ACCESS_LOG="",
        PODIUM_WEB_LOG_LEVEL="warning",
    )
    log = (tmp_path / f"gunicorn-{port}.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:podium.config.gunicorn"]
        + ["-k", worker_class],
        env=env,
        cwd=PLATFORM_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while _healthz(port, timeout=2) is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            pytest.fail("gunicorn did not start")
        time.sleep(0.2)
    return proc, port


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def _healthz(port: int, timeout: float) -> float | None:
    """Seconds /healthz took on a new connection; None if it did not answer in ``timeout``."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/healthz", headers={"Host": "127.0.0.1", "Connection": "close"})
        if conn.getresponse().status != 200:
            return None
    except OSError:
        return None
    finally:
        conn.close()
    return time.monotonic() - started


def _trickling_uploads(port: int, count: int) -> list[socket.socket]:
    """``count`` form posts whose headers are sent and whose body never ends: each holds a thread
    reading it (until gunicorn's timeout). A web page with a CSRF cookie: the CSRF check reads
    the whole form before anything can answer."""
    held = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(
            b"POST /login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Cookie: csrftoken=" + b"a" * 32 + b"\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
            b"--b\r\n"
        )
        held.append(sock)
    return held


@pytest.mark.parametrize(("worker_class", "answers"), [(SPLIT, True), ("gthread", False)])
def test_reads_are_answered_while_uploads_hold_every_write_thread(tmp_path, worker_class, answers):
    proc, port = _start(tmp_path, worker_class)
    try:
        held = _trickling_uploads(port, 6)  # more than the 4 threads, let alone the 2 for writes
        try:
            time.sleep(1)  # each is taken by a thread, or queued for one
            took = _healthz(port, timeout=5)
            if answers:
                assert took is not None and took < 2, took
            else:
                assert took is None  # one pool: the read waits behind the uploads
        finally:
            for sock in held:
                sock.close()
        assert _healthz(port, timeout=30) is not None  # the held threads are free again
    finally:
        _stop(proc)
