"""/healthz and /readyz (podium.ops.health): each dependency made to really fail (a closed port,
an unreachable Redis, a folder that cannot be written, a backlog nobody works off) fails its own
check and the answer, with a few words and no detail of the setup."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from celery import current_app
from django.core.cache import cache
from django.db.utils import ConnectionHandler

from podium.core import progress
from podium.ops import health

CLOSED = "127.0.0.1:9"  # the discard port: nothing listens
CHECKS = {"database", "broker", "storage", "cache", "worker"}


def _readyz(client):
    response = client.get("/readyz")
    text = response.content.decode()
    assert "Traceback" not in text and CLOSED not in text and "redis://" not in text
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def _failed(answer) -> set[str]:
    return {name for name, check in answer["checks"].items() if check["status"] != "ok"}


def test_healthz_answers_without_the_database_or_the_cache(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://{CLOSED}/0",
        }
    }
    # No django_db mark: a query would raise here.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_is_ok_with_everything_up(client, own_queues):
    status, answer = _readyz(client)
    assert status == 200, answer
    assert answer["status"] == "ok" and set(answer["checks"]) == CHECKS
    for check in answer["checks"].values():
        assert check["status"] == "ok" and check["detail"]
        assert 0 <= check["latency_ms"] < health.DEADLINE_SECONDS * 1000
    assert answer["checks"]["worker"]["detail"] == "no work waiting"


@pytest.mark.django_db
def test_an_unreachable_database_fails_its_check(client, own_queues, settings, monkeypatch):
    broken = {**settings.DATABASES["default"]}
    if broken["ENGINE"].endswith("sqlite3"):
        broken["NAME"] = "/nonexistent-folder/podium.sqlite3"
    else:
        broken["HOST"], broken["PORT"] = CLOSED.split(":")
    monkeypatch.setattr(health, "connections", ConnectionHandler({"default": broken}))

    status, answer = _readyz(client)
    assert status == 503 and answer["status"] == "fail"
    assert _failed(answer) == {"database"}
    assert answer["checks"]["database"]["detail"] == "unreachable"


@pytest.mark.django_db
def test_an_unreachable_broker_fails_its_check(client, own_queues, settings):
    settings.CELERY_BROKER_URL = f"redis://{CLOSED}/0"
    status, answer = _readyz(client)
    assert status == 503 and _failed(answer) == {"broker"}
    # the workers' verdict needs the queues: unknown, which never fails readiness on its own
    assert answer["checks"]["worker"]["detail"].startswith("unknown")


@pytest.mark.django_db
def test_an_unreachable_cache_fails_its_check(client, own_queues, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://{CLOSED}/0",
        }
    }
    status, answer = _readyz(client)
    assert status == 503 and _failed(answer) == {"cache"}


@pytest.mark.django_db
def test_a_storage_that_cannot_be_written_fails_its_check(client, own_queues, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    # A folder below a plain file: none can be made there, whoever we run as (root ignores
    # modes), and whichever storage this run tests with.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    status, answer = _readyz(client)
    assert status == 503 and _failed(answer) == {"storage"}


@pytest.mark.django_db
def test_a_backlog_without_progress_fails_the_worker_check(client, own_queues, settings):
    settings.WORKER_STALL_SECONDS = 60
    current_app.send_task("podium.workflows.tasks.score_submission", args=(1,), queue=own_queues)
    cache.set(progress._key(progress.ANY), time.time() - 61, timeout=60)
    status, answer = _readyz(client)
    assert status == 503 and _failed(answer) == {"worker"}
    assert answer["checks"]["worker"]["detail"] == "work waits and no worker makes progress"
    assert own_queues not in str(answer)  # no queue names, no counts: readyz may be public

    cache.set(progress._key(progress.ANY), time.time() - 5, timeout=60)  # a worker got going
    status, answer = _readyz(client)
    assert status == 200 and answer["checks"]["worker"]["detail"] == "making progress"


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers (a hung Redis), closed at the end."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:  # the hung client gets EOF, so its thread ends too
        conn.close()
    listener.close()


@pytest.mark.django_db
def test_a_hung_dependency_fails_at_the_deadline(
    client, own_queues, settings, monkeypatch, silent_server
):
    assert _readyz(client)[0] == 200  # every client set up (S3's first call is slow)
    monkeypatch.setattr(health, "DEADLINE_SECONDS", 0.5)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{silent_server}/0",
        }
    }
    started = time.monotonic()
    status, answer = _readyz(client)
    assert time.monotonic() - started < 2.0
    assert status == 503 and _failed(answer) == {"cache"}
    assert answer["checks"]["cache"]["detail"] == "timed out"
    # polled again while it still hangs: the same check is awaited, no second thread
    assert _readyz(client)[0] == 503
    hung = [t for t in threading.enumerate() if t.name == "readyz-cache"]
    assert len(hung) == 1
