import uuid

import pytest

from tests.podium import s3server


@pytest.fixture(scope="session", autouse=True)
def _s3_server():
    """PODIUM_TEST_STORAGE=s3: the run's S3 server and its buckets (tests/podium/s3server.py)."""
    with s3server.serving():
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Each test stores its files (uploads, answer keys) in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SOLUTIONS_ROOT = tmp_path / "solutions"
    from django.core.files.storage import default_storage

    if hasattr(default_storage, "reset"):  # PODIUM_TEST_STORAGE=memory: an empty store too
        default_storage.reset()


@pytest.fixture(autouse=True)
def _own_attempt_limits(monkeypatch):
    """Each test counts its own guessing limits (podium.core.limits): failed sign-ins or refused
    keys of earlier tests, from the same 127.0.0.1, never refuse a later test's."""
    monkeypatch.setattr("podium.core.limits.PREFIX", f"limit-{uuid.uuid4().hex}")


@pytest.fixture
def eager(settings):
    """Scoring runs in-process on commit (unit level); e2e tests use a real worker instead."""
    from celery import current_app

    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = False


@pytest.fixture
def own_queue():
    """A queue name of this test's own on the configured broker (Redis or the embedded
    folder), emptied afterwards: for tests that publish real messages nobody consumes."""
    import uuid

    from podium.core import broker_queues

    name = f"test-{uuid.uuid4().hex[:10]}"
    yield name
    if broker_queues._kind() == "redis":
        broker_queues._redis().delete(*broker_queues._redis_keys(name))
    else:
        for path in broker_queues._folder_messages(name):
            path.unlink(missing_ok=True)
