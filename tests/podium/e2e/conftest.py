"""End-to-end fixtures: a real ``celery worker`` (and ``celery beat``) process per test.

Backends. Every e2e test takes the ``backend`` fixture, parametrized over

* ``embedded``: SQLite (WAL, IMMEDIATE transactions) + the filesystem broker, the one-command
  defaults. Always runs.
* ``services``: PostgreSQL + Redis, production. Runs when the test run itself is configured
  with them (DATABASE_URL=postgres://..., CELERY_BROKER_URL=redis://..., as ``.ci/run`` does);
  otherwise it skips, which PODIUM_REQUIRE_SERVICES=1 turns into a failure.

A pytest run uses one database engine (the test settings read DATABASE_URL at import), so the
variant that matches the run executes in this process, and the ``embedded`` variant of a run
configured for the services is *delegated*: ``pytest_pyfunc_call`` below runs that very test id
in a child pytest whose environment has no DATABASE_URL / CELERY_BROKER_URL / REDIS_URL (so it
gets a fresh SQLite file and the filesystem broker) and fails with the child's output if the
child does not pass. Hence under ``.ci/run`` both variants of every test really run (PostgreSQL
+ Redis in-process, SQLite + filesystem in the child) and nothing is skipped; on a bare machine
the embedded variant runs in-process and the services variant skips with the reason above.

Isolation. The worker shares the test's database (pytest-django's test database, whose real
name is in ``connection.settings_dict`` once set up; tests use ``django_db(transaction=True)``
so the worker sees committed rows) and its files (MEDIA_ROOT and SOLUTIONS_ROOT from the autouse
``_media_in_tmp``). Its broker is private to the test: the filesystem broker in the test's own
folder, or on Redis a database number (1-15) leased to this test alone (an atomic SET NX in
database 0, so concurrent xdist workers and even other pytest runs on the same Redis never
share one), flushed before and after; this process's Celery app is pointed at the same broker
for the test. Without that, xdist workers (which share PODIUM_DATA_DIR, so one broker folder),
other runs, and earlier tests that queued work nobody consumed would feed this worker messages
about other databases' rows.

Worker pool: ``-P prefork -c 1`` (``-c 2`` where a test asks): what production runs; its hard
``time_limit`` works only there (not with ``solo``); ``acks_late`` + ``reject_on_worker_lost``
behave as in production when a pool child dies, which the killed-worker test exercises (killing
only the pool child is a failure mode that exists only with prefork). Readiness: the worker's
log line "celery@... ready." (polling ``celery inspect ping`` is slower); beat's "beat:
Starting...". Every process runs in its own process group and the whole group is SIGKILLed at
teardown, before pytest-django flushes the database.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.podium.e2e.live import (
    BACKENDS,
    BEAT_READY,
    EMBEDDED,
    FAST_TIMINGS,
    PLATFORM_DIR,
    REPO_ROOT,
    SERVICES,
    SERVICES_MISSING,
    WORKER_READY,
    LiveProcess,
    beat_args,
    database_url,
    filesystem_transport_options,
    redis_db_url,
    run_backend,
    wait_until,
    worker_args,
)

# The variables that choose the backends and folders; a delegated child gets none of them.
_BACKEND_VARIABLES = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "PODIUM_DATA_DIR",
    "PODIUM_MEDIA_ROOT",
    "PODIUM_SOLUTIONS_ROOT",
    "PODIUM_SANDBOX_ROOT",
    "PODIUM_S3_BUCKET",
    "CELERY_TASK_ALWAYS_EAGER",
)
_CHILD_TIMEOUT_S = 600


@dataclass(frozen=True)
class Backend:
    name: str
    delegated: bool  # run in a child pytest configured for this backend


def _configured_backend() -> str | None:
    from django.conf import settings

    return run_backend(settings.DATABASES["default"]["ENGINE"], settings.CELERY_BROKER_URL)


@pytest.fixture(params=BACKENDS)
def backend(request) -> Backend:
    name = request.param
    configured = _configured_backend()
    if name == configured:
        return Backend(name, delegated=False)
    if name == EMBEDDED:
        return Backend(name, delegated=True)
    pytest.skip(SERVICES_MISSING)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    backend = pyfuncitem.funcargs.get("backend")
    if not isinstance(backend, Backend) or not backend.delegated:
        return None
    _run_in_child(pyfuncitem.nodeid)
    return True


def _run_in_child(nodeid: str) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _BACKEND_VARIABLES and not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT"))
    }
    with tempfile.TemporaryDirectory(prefix="podium-e2e-child-") as data_dir:
        env["PODIUM_DATA_DIR"] = data_dir
        command = [sys.executable, "-m", "pytest", nodeid, "-q", "-p", "no:cacheprovider"]
        done = subprocess.run(
            command,
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=_CHILD_TIMEOUT_S,
            check=False,
        )
    output = done.stdout + done.stderr
    if done.returncode != 0 or not re.search(r"\b1 passed\b", output):
        pytest.fail(
            f"the embedded variant, run in a child pytest (no DATABASE_URL / CELERY_BROKER_URL), "
            f"did not pass (exit {done.returncode}):\n{output[-8000:]}",
            pytrace=False,
        )


# -- the test's private world ------------------------------------------------------------------


REDIS_DBS = range(1, 16)  # Redis has 16 databases by default; 0 is the run's own broker
_LEASE_S = 900


@contextmanager
def _redis_db_lease(broker_url: str):
    """A Redis database number no other test uses now, in this run or in any other pytest run
    on the same server (SET NX on a key per number in database 0), flushed before and after."""
    import uuid

    import redis

    token = uuid.uuid4().hex
    admin = redis.Redis.from_url(redis_db_url(broker_url, 0))
    start = 1 + _xdist_index()  # spread the xdist workers, then probe upward
    order = [REDIS_DBS[(start - 1 + i) % len(REDIS_DBS)] for i in range(len(REDIS_DBS))]
    try:
        for _ in range(600):
            for db in order:
                if admin.set(f"podium:e2e:redis-db:{db}", token, nx=True, ex=_LEASE_S):
                    break
            else:
                time.sleep(0.5)
                continue
            break
        else:
            raise RuntimeError("no free Redis database number for an e2e test")
        url = redis_db_url(broker_url, db)
        _flush_redis(url)
        try:
            yield url
        finally:
            _flush_redis(url)
            if admin.get(f"podium:e2e:redis-db:{db}") == token.encode():
                admin.delete(f"podium:e2e:redis-db:{db}")
    finally:
        admin.close()


def _xdist_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker[2:]) if worker[2:].isdigit() else 0


@contextmanager
def _celery_broker(url: str, transport_options: dict):
    """Point this process's Celery app (what ``enqueue_on_commit`` sends with) elsewhere."""
    from celery import current_app
    from kombu import pools

    app = current_app._get_current_object()

    def drop_connections() -> None:
        # kombu keeps its pools in global groups keyed by URL: a pool closed but left there would
        # be handed out again ("Acquire on closed pool").
        pools.reset()
        app._pool = None
        if "amqp" in app.__dict__:
            app.amqp._producer_pool = None

    # The write URL: CELERY_BROKER_URL in the environment (.ci/run sets it) overrides the
    # configured broker_url, but not a configured broker_write_url.
    keys = ("broker_write_url", "broker_transport_options")
    saved = {key: app.conf.get(key) for key in keys}
    drop_connections()
    app.conf.update(broker_write_url=url, broker_transport_options=transport_options)
    try:
        yield
    finally:
        drop_connections()
        app.conf.update(saved)


def _flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


@dataclass
class World:
    """The environment one e2e test's processes share with it."""

    backend: str
    folder: Path
    env: dict[str, str]
    processes: list[LiveProcess] = field(default_factory=list)

    def start_worker(
        self, concurrency: int = 1, queues: str = "default,cpu,maintenance", pool: str = "prefork"
    ) -> LiveProcess:
        n = sum(p.name.startswith("worker") for p in self.processes) + 1
        args = worker_args(concurrency, queues, pool)
        process = LiveProcess(f"worker{n}", args, self.env, self.folder)
        self.processes.append(process)
        return process.start(WORKER_READY)

    def start_beat(self) -> LiveProcess:
        process = LiveProcess("beat", beat_args(self.folder), self.env, self.folder)
        self.processes.append(process)
        return process.start(BEAT_READY)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.log()[-3000:]}" for p in self.processes)

    def wait_until(self, predicate, timeout: float, what: str) -> None:
        wait_until(predicate, timeout, what, log=self.logs)

    def wait_for_status(self, submission, *statuses: str, timeout: float = 60) -> None:
        from podium.submissions.models import Submission

        def reached() -> bool:
            status = Submission.objects.filter(pk=submission.pk).values_list("status", flat=True)
            return status.first() in statuses

        self.wait_until(reached, timeout, f"submission {submission.pk} in {statuses}")
        submission.refresh_from_db()


@pytest.fixture
def e2e(backend: Backend, transactional_db, settings, tmp_path):
    """The test's world (None when the test is delegated to a child pytest); processes started
    through it are killed, group and all, at teardown."""
    if backend.delegated:
        yield None
        return
    from django.db import connection

    folder = tmp_path / "e2e"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.update(FAST_TIMINGS)
    env.update(
        DJANGO_SETTINGS_MODULE="podium.config.settings",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        PYTHONPATH=os.pathsep.join([str(REPO_ROOT), str(PLATFORM_DIR)]),
        PYTHONUNBUFFERED="1",
        DATABASE_URL=database_url(connection.settings_dict),
        PODIUM_DATA_DIR=str(folder / "data"),
        PODIUM_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PODIUM_SOLUTIONS_ROOT=str(settings.SOLUTIONS_ROOT),
        # outside pytest's 0700 folders: the sandbox binds from it as an unprivileged uid
        PODIUM_SANDBOX_ROOT=str(settings.SANDBOX_ROOT),
    )
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    with ExitStack() as stack:
        if backend.name == SERVICES:
            broker = stack.enter_context(_redis_db_lease(settings.CELERY_BROKER_URL))
            options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
        else:
            broker = "filesystem://"
            options = filesystem_transport_options(folder / "data" / "broker")
            for key in ("data_folder_in", "processed_folder", "control_folder"):
                Path(options[key]).mkdir(parents=True, exist_ok=True)
        env["CELERY_BROKER_URL"] = broker
        world = World(backend.name, folder, env)
        stack.enter_context(_celery_broker(broker, options))
        try:
            yield world
        finally:
            for process in reversed(world.processes):
                process.kill()
