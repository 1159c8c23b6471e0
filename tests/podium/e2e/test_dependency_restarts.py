"""Redis and PostgreSQL restarted in the middle of an upload burst (issue 15, item 2).

The test brings its own servers, so that it can restart them: a ``redis-server`` and a
PostgreSQL cluster (``initdb`` + ``pg_ctl``, as the ``postgres`` user when run as root) on free
ports in a temporary folder; the machine's shared PostgreSQL and Redis are never touched. Podium
runs on them as in production: gunicorn (4 workers), a Celery worker and beat
(``tests/podium/e2e/live.py``), the fast reconciler timings.

12 threads upload 300 prediction files through the REST API. A third of the way in Redis is
stopped and started again 2 s later (every queued message is lost: no persistence); two thirds
in, PostgreSQL (``pg_ctl stop -m fast``, started again 2 s later). A client that gets a 503
comes back after a short wait, as the CLI does. Then:

* no answer is a 5xx other than 503, and every 503 carries ``Retry-After``;
* every upload ends accepted (201), and the 201s are exactly the rows: no lost, no extra row;
* every row's file is stored, and no stored file lacks its row (an upload whose COMMIT failed
  as PostgreSQL stopped looks its row up again; only one that never gets an answer keeps its
  file, logged, for the orphan sweep, which the test then runs);
* every submission is scored within a bound after the restarts, with one lease taken, or two
  for those being scored when PostgreSQL stopped (their first result never committed).

Needs ``redis-server``, PostgreSQL's server binaries and psycopg; skips with the reason when one
is missing (a failure under PODIUM_REQUIRE_SERVICES=1). It does not depend on the run's own
database or broker, so it runs the same in both configurations.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.podium.e2e.live import (
    BEAT_READY,
    FAST_TIMINGS,
    PLATFORM_DIR,
    REPO_ROOT,
    WORKER_READY,
    LiveProcess,
    beat_args,
    wait_until,
    worker_args,
)

pytestmark = pytest.mark.slow

UPLOADS = 300
THREADS = 12
USERS = 12
OUTAGE_S = 2.0
SCORED_WITHIN_S = 90
PG_USER = "podium"

SETUP = """
import json
import django
django.setup()
from podium.accounts.tokens import api_token_create
from tests.podium.factories import competition_with_solution, participant, predictions_file
competition = competition_with_solution(daily_submission_limit=1000)
keys = [
    api_token_create(user=participant(competition, f"racer{n}"), name="burst")[1]
    for n in range(int(__import__("sys").argv[1]))
]
body = predictions_file(competition).read()
print(json.dumps({"slug": competition.slug, "keys": keys, "body": body.decode()}))
"""


# the sweep as the periodic task runs it, an hour (``ORPHAN_AGE``) later
SWEEP = """
import json
import django
django.setup()
from podium.core.timeutils import now
from podium.submissions.services import orphan_files_remove
from podium.submissions.services.orphans import ORPHAN_AGE
print(json.dumps(orphan_files_remove(moment=now() + ORPHAN_AGE)))
"""

COMMIT_UNKNOWN = re.compile(r"The commit of upload ([0-9a-f-]{36}) failed and the database did")


def _commit_unknown(log: Path) -> set[str]:
    """The uploads whose COMMIT failed and whose row nobody could look up after (PostgreSQL
    stayed away 15 s), as gunicorn's log names them (uuid hex: the file's stem)."""
    text = log.read_text(errors="replace")
    return {uuid.UUID(found).hex for found in COMMIT_UNKNOWN.findall(text)}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _missing() -> str | None:
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    if _pg_bin() is None:
        return "PostgreSQL's server binaries (initdb, pg_ctl) are not installed"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "run as root and there is no postgres user to run PostgreSQL as"
    return None


class OwnRedis:
    """A private redis-server without persistence: a restart loses every queued message."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        wait_until(lambda: _pings(client), 20, "redis-server answers")
        client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def _pings(client) -> bool:
    import redis

    try:
        return bool(client.ping())
    except redis.exceptions.RedisError:
        return False


class OwnPostgres:
    """A private PostgreSQL cluster in a temporary folder, owned by the postgres user when this
    process is root (initdb refuses root)."""

    def __init__(self) -> None:
        self.bin = _pg_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="podium-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgres://{PG_USER}@127.0.0.1:{self.port}/podium"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin / args[0]), *args[1:]],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", PG_USER, "--auth=trust", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, "podium")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = str(self.folder / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def gunicorn(env: dict, folder: Path):
    port = _free_port()
    with (folder / "gunicorn.log").open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "podium.config.wsgi:application",
             "-b", f"127.0.0.1:{port}", "-w", "4", "--timeout", "60"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(url + "/healthz"), 60, "gunicorn answers")
        yield url
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code < 500
    except requests.RequestException:
        return False


class Burst:
    """The uploads, each retried after a 503 (as the CLI does, with a short wait), and every
    answer seen."""

    def __init__(self, url: str, slug: str, keys: list[str], body: bytes) -> None:
        self.endpoint = f"{url}/api/v1/competitions/{slug}/submissions/"
        self.keys, self.body = keys, body
        self.lock = threading.Lock()
        self.answers: list[tuple[int, str | None]] = []  # (status, Retry-After)
        self.failures: list[str] = []  # transport errors: never expected (gunicorn stays up)
        self.accepted: list[int] = []
        self.retried_ok = 0
        self.done = 0

    def upload(self, n: int) -> None:
        session = requests.Session()
        headers = {"Authorization": f"Token {self.keys[n % len(self.keys)]}"}
        deadline = time.monotonic() + 60
        turned_away = False
        while time.monotonic() < deadline:
            try:
                response = session.post(
                    self.endpoint,
                    headers=headers,
                    files={"file": ("predictions.csv", self.body, "text/csv")},
                    data={"description": f"burst {n}"},
                    timeout=(5, 60),
                )
            except requests.RequestException as error:
                with self.lock:
                    self.failures.append(f"upload {n}: {error}")
                return
            with self.lock:
                self.answers.append((response.status_code, response.headers.get("Retry-After")))
            if response.status_code == 503:
                turned_away = True
                time.sleep(random.uniform(0.3, 0.8))  # the CLI waits Retry-After (capped)
                continue
            with self.lock:
                self.done += 1
                if response.status_code == 201:
                    self.accepted.append(response.json()["id"])
                    self.retried_ok += turned_away
                else:
                    self.failures.append(f"upload {n}: {response.status_code} {response.text}")
            return
        with self.lock:
            self.failures.append(f"upload {n}: still refused after 60 s")


@contextmanager
def supervised(worker: LiveProcess):
    """Start the worker again when it exits, as production's supervisor does (``make run``'s
    devserver supervisor, systemd, a container's restart policy): Celery's consumer can die on
    a broker connection lost mid-ack (kombu's restore of unacked messages, seen here). Yields
    the list of restarts."""
    restarts: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.5):
            if worker.proc is not None and worker.proc.poll() is not None:
                restarts.append(time.monotonic())
                worker.kill()  # what is left of its group
                worker.start(WORKER_READY)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield restarts
    finally:
        stop.set()
        watcher.join(timeout=90)


def _rows(pg_url: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(pg_url.replace("postgres://", "postgresql://"), connect_timeout=5) as db:
        return db.execute(
            "SELECT id, status, file, attempts, public_score "
            "FROM submissions_submission ORDER BY id"
        ).fetchall()


def test_uploads_ride_out_a_redis_and_a_postgresql_restart(tmp_path):
    if missing := _missing():
        pytest.skip(f"needs its own Redis and PostgreSQL servers: {missing}")
    folder = Path(tempfile.mkdtemp(prefix="podium-restarts-"))
    data = folder / "data"
    redis_server, postgres = OwnRedis(folder), OwnPostgres()
    processes: list[LiveProcess] = []
    try:
        redis_server.start()
        postgres.init()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
        env.update(FAST_TIMINGS)
        env.update(
            DJANGO_SETTINGS_MODULE="podium.config.settings",
            DJANGO_SECRET_KEY="restart-test-" + "x" * 40,
            PYTHONPATH=os.pathsep.join([str(REPO_ROOT), str(PLATFORM_DIR)]),
            PYTHONUNBUFFERED="1",
            DATABASE_URL=postgres.url,
            CELERY_BROKER_URL=redis_server.url,
            REDIS_URL=redis_server.url.replace("/0", "/1"),
            PODIUM_DATA_DIR=str(data),
            PODIUM_API_RATE_USER="100000/minute",
            PODIUM_API_RATE_ADDRESS="100000/minute",
        )
        for key in ("PODIUM_MEDIA_ROOT", "PODIUM_SOLUTIONS_ROOT", "PODIUM_S3_BUCKET",
                    "CELERY_TASK_ALWAYS_EAGER", "PODIUM_REQUIRE_SERVICES"):  # fmt: skip
            env.pop(key, None)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=REPO_ROOT, env=env, check=True, timeout=300,
        )  # fmt: skip
        made = subprocess.run(
            [sys.executable, "-c", SETUP, str(USERS)],
            cwd=REPO_ROOT, env=env, check=True, timeout=120, capture_output=True, text=True,
        )  # fmt: skip
        world = json.loads(made.stdout.strip().splitlines()[-1])
        for name, args, ready in (
            ("worker", worker_args(4, pool="threads"), WORKER_READY),
            ("beat", beat_args(folder), BEAT_READY),
        ):
            processes.append(LiveProcess(name, args, env, folder).start(ready))
        with gunicorn(env, folder) as url, supervised(processes[0]) as worker_restarts:
            burst = Burst(url, world["slug"], world["keys"], world["body"].encode())
            started = time.monotonic()
            with ThreadPoolExecutor(THREADS) as pool:
                futures = [pool.submit(burst.upload, n) for n in range(UPLOADS)]
                wait_until(lambda: burst.done >= UPLOADS // 3, 60, "a third uploaded")
                redis_server.stop()
                time.sleep(OUTAGE_S)
                redis_server.start()
                wait_until(lambda: burst.done >= 2 * UPLOADS // 3, 60, "two thirds uploaded")
                postgres.stop()
                time.sleep(OUTAGE_S)
                postgres.start()
                restarted = time.monotonic()
                for future in futures:
                    future.result()
            uploaded_s = time.monotonic() - started

            def all_scored() -> bool:
                rows = _rows(postgres.url)
                return len(rows) >= UPLOADS and all(r[1] == "scored" for r in rows)

            def logs() -> str:
                rows = _rows(postgres.url)
                waiting = [r for r in rows if r[1] != "scored"]
                worker = processes[0].log()[-6000:]
                return f"{len(rows)} rows, not scored: {waiting[:10]}\n{worker}"

            wait_until(all_scored, SCORED_WITHIN_S, "every submission scored", every=1, log=logs)
            scored_s = time.monotonic() - restarted
        statuses = sorted({status for status, _ in burst.answers})
        turned_away = sum(status == 503 for status, _ in burst.answers)
        print(
            f"uploads: {UPLOADS} in {uploaded_s:.1f} s; answers {statuses}; 503s {turned_away}; "
            f"retried then accepted {burst.retried_ok}; all scored {scored_s:.1f} s after the "
            f"PostgreSQL restart; worker restarted {len(worker_restarts)} times"
        )

        assert burst.failures == []
        assert set(statuses) <= {201, 503}, statuses
        assert all(retry for status, retry in burst.answers if status == 503)
        assert any(status == 503 for status, _ in burst.answers), "no restart was noticed"
        assert burst.retried_ok > 0
        rows = _rows(postgres.url)
        assert sorted(burst.accepted) == [r[0] for r in rows]  # each 201 is a row, and no more
        media = data / "media"
        files = (media / "submissions").rglob("*")
        stored = {str(path.relative_to(media)) for path in files if path.is_file()}
        named = {r[2] for r in rows}
        assert named <= stored  # every row has its file
        # no file without a row (a failed COMMIT looks its row up again), but where the lookup
        # never got an answer: that file is kept, said in the log, and the orphan sweep's
        kept = {Path(name).stem for name in stored - named}
        assert kept <= _commit_unknown(folder / "gunicorn.log")
        swept = subprocess.run(
            [sys.executable, "-c", SWEEP],
            cwd=REPO_ROOT, env=env, check=True, timeout=120, capture_output=True, text=True,
        )  # fmt: skip
        assert set(json.loads(swept.stdout.strip().splitlines()[-1])) == stored - named
        left = {p for p in (media / "submissions").rglob("*") if p.is_file()}
        assert {str(p.relative_to(media)) for p in left} == named
        assert [r for r in rows if r[1] != "scored" or r[4] is None] == []
        # One lease per row, but for those being scored when PostgreSQL stopped: their result
        # never committed, so the reconciler leased them again (at most the worker's 4 threads).
        again = [r for r in rows if r[3] != 1]
        assert len(again) <= 4 and all(r[3] == 2 for r in again), again
    finally:
        for process in reversed(processes):
            process.kill()
        redis_server.stop()
        postgres.destroy()
        shutil.rmtree(folder, ignore_errors=True)
