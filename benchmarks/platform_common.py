"""Shared by the platform benchmarks' child processes: backends, throwaway databases, Django.

The children configure Podium only through environment variables, as an operator would, and
must call ``configure`` before anything imports Django.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.cases import REPO_ROOT

PLATFORM_DIR = REPO_ROOT / "platform"
NEEDS_POSTGRES = "skipped: needs PostgreSQL (DATABASE_URL)"
NEEDS_SERVICES = "skipped: needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL)"


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def redis_url() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else None


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def with_redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def flush_redis(url: str) -> None:
    """Empty the Redis database ``url`` names (a benchmark's own number, never 0)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


class ThrowawayDatabase:
    """``CREATE DATABASE`` on the server DATABASE_URL names; dropped (with its connections) on
    exit. Needs the CREATEDB privilege (.ci/run's podium role has it)."""

    def __init__(self, server_url: str, name: str) -> None:
        self.server_url, self.name = server_url, name
        self.url = with_database(server_url, name)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(with_database(self.server_url, "postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def __enter__(self) -> ThrowawayDatabase:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc) -> None:
        from django.db import connections

        connections.close_all()
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def configure(*, database_url: str, broker_url: str | None = None, data_dir: str) -> dict:
    """Set the environment the Podium settings read; returns it (for worker processes too)."""
    for path in (str(REPO_ROOT), str(PLATFORM_DIR)):
        if path not in sys.path:
            sys.path.insert(0, path)
    env = {
        "DJANGO_SETTINGS_MODULE": "podium.config.settings",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key",
        "DATABASE_URL": database_url,
        "PODIUM_DATA_DIR": data_dir,
        "PODIUM_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), str(PLATFORM_DIR)]),
    }
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    else:
        os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.update(env)
    return {**os.environ}


def django_setup() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def temp_dir(prefix: str) -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix=prefix)


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary_ms(seconds: list[float]) -> dict:
    return {
        "n": len(seconds),
        "p50_ms": percentile(seconds, 0.5) * 1000,
        "p95_ms": percentile(seconds, 0.95) * 1000,
        "max_ms": max(seconds) * 1000,
    }


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def emit(result: dict) -> None:
    """The parent reads the last stdout line."""
    print(json.dumps(result), flush=True)


def path_of(p: str | os.PathLike) -> Path:
    return Path(p).resolve()


def analyze() -> None:
    """Fresh planner statistics after a bulk fill (the planner's guesses decide the plans)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def time_page(client, url: str, calls: int, warmup: int = 5) -> dict:
    """Server time of GET ``url`` through Django's test client, after ``warmup`` requests;
    any answer but 200 stops the benchmark (a fast error page proves nothing)."""
    import time

    for _ in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
    seconds = []
    for _ in range(calls):
        started = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
    return summary_ms(seconds)
