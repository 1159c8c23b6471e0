"""/metrics across gunicorn's workers (``podium.ops.multiproc``, ``podium.config.gunicorn``'s
hooks): a real gunicorn with 2 workers on 127.0.0.1, started as the Dockerfile starts it, with
PROMETHEUS_MULTIPROC_DIR. Requests land on both workers, and every scrape, whichever worker
answers it, counts all of them, also after a worker is SIGKILLed and replaced. Files of an
earlier run are gone once the master has started."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from podium.devserver.management.commands.podium_run import Command as PodiumRun
from podium.ops import multiproc
from tests.podium.e2e.live import PLATFORM_DIR, children_of, database_url

pytestmark = pytest.mark.django_db(transaction=True)  # the scrape reads the test database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, str]:
    """One request on its own connection (so that any worker may accept it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1", "Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


class Gunicorn:
    """``gunicorn -c python:podium.config.gunicorn`` in its own process group."""

    def __init__(self, tmp_path: Path, folder: Path | None, workers: int = 2) -> None:
        self.port = _free_port()
        self.log_path = tmp_path / "gunicorn.log"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PODIUM_", "DJANGO_", "PROMETHEUS_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="podium.config.settings",
            DJANGO_SECRET_KEY="test-only-" + "k" * 40,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=database_url(connection.settings_dict),
            CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
            PODIUM_DATA_DIR=str(tmp_path / "data"),
            PODIUM_WEB_BIND=f"127.0.0.1:{self.port}",
            PODIUM_WEB_WORKERS=str(workers),
            PODIUM_WEB_THREADS="2",
            PODIUM_WEB_ACCESS_LOG="",
            PODIUM_WEB_LOG_LEVEL="warning",
        )
        if folder is not None:
            env[multiproc.VARIABLE] = str(folder)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "python:podium.config.gunicorn"],
                env=env,
                cwd=PLATFORM_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for_workers(workers)

    def workers(self) -> list[int]:
        return children_of(self.proc.pid)

    def wait_for_workers(self, count: int, but_not: int | None = None) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.log_path.read_text()[-4000:])
            pids = self.workers()
            if len(pids) == count and but_not not in pids:
                try:
                    if _get(self.port, "/healthz")[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        raise TimeoutError("gunicorn's workers did not answer:\n" + self.log_path.read_text())

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # whatever of the group is left
        except ProcessLookupError:
            pass
        self.proc.wait()


def _healthz_count(text: str) -> float:
    for line in text.splitlines():
        if line.startswith("podium_http_request_duration_seconds_count{") and all(
            label in line for label in ('route="ops:healthz"', 'method="GET"', 'status="2xx"')
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _pids_with_samples(folder: Path) -> set[int]:
    return {int(m[1]) for p in folder.glob("*.db") if (m := re.fullmatch(r"\w+_(\d+)\.db", p.name))}


def test_metrics_count_the_requests_of_every_worker(tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "histogram_4242.db").write_bytes(b"an earlier run's samples")
    server = Gunicorn(tmp_path, folder)
    try:
        assert not (folder / "histogram_4242.db").exists()  # emptied at start
        workers = set(server.workers())
        sent = 0
        with ThreadPoolExecutor(max_workers=8) as pool:
            for _ in range(10):  # until both workers have answered some (the kernel picks)
                statuses = list(pool.map(lambda _: _get(server.port, "/healthz")[0], range(40)))
                assert statuses == [200] * 40
                sent += 40
                if workers <= _pids_with_samples(folder):
                    break
        assert workers <= _pids_with_samples(folder), "one worker answered every request"
        sent += 1  # wait_for_workers' own request

        for _ in range(6):  # whichever worker answers the scrape
            status, text = _get(server.port, "/metrics")
            assert status == 200, text
            assert _healthz_count(text) == sent

        victim = min(workers)
        os.kill(victim, signal.SIGKILL)  # the OOM killer: the master replaces it
        server.wait_for_workers(2, but_not=victim)
        sent += 1
        status, text = _get(server.port, "/metrics")
        assert _healthz_count(text) == sent  # what the dead worker answered still counts
    finally:
        server.stop()


def test_without_the_folder_each_worker_shows_its_own(tmp_path):
    """As before: no folder and no files; a scrape counts at most what was sent (its own
    worker's share: none at all when the other worker took every request)."""
    server = Gunicorn(tmp_path, None)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda _: _get(server.port, "/healthz"), range(40)))
        scrapes = [_get(server.port, "/metrics") for _ in range(8)]
        assert all(status == 200 for status, _ in scrapes)
        assert all(0 <= _healthz_count(text) <= 41 for _, text in scrapes)
    finally:
        server.stop()
    assert not (tmp_path / "data" / "prometheus").exists()


def test_folder_reset_creates_a_private_folder_and_empties_it(tmp_path, monkeypatch):
    folder = tmp_path / "a" / "prometheus"
    monkeypatch.setenv(multiproc.VARIABLE, str(folder))
    assert multiproc.folder_reset() == folder
    assert folder.stat().st_mode & 0o777 == 0o700
    (folder / "counter_1.db").write_bytes(b"old")
    (folder / "notes.txt").write_text("not ours")
    multiproc.folder_reset()
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    monkeypatch.delenv(multiproc.VARIABLE)
    assert multiproc.folder_reset() is None


def test_podium_run_gives_its_children_a_folder_in_the_data_folder(monkeypatch):
    monkeypatch.delenv(multiproc.VARIABLE, raising=False)
    env = PodiumRun()._env()
    assert env[multiproc.VARIABLE] == str(settings.DATA_DIR / "prometheus")
    monkeypatch.setenv(multiproc.VARIABLE, "/somewhere/else")
    assert PodiumRun()._env()[multiproc.VARIABLE] == "/somewhere/else"


def test_the_image_sets_the_folder():
    dockerfile = (Path(__file__).resolve().parents[3] / "Dockerfile").read_text()
    assert "PROMETHEUS_MULTIPROC_DIR=/tmp/podium-metrics" in dockerfile
