"""Fixtures of the operators' tests: queues of the test's own on the configured broker."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import caches

from podium.core import broker_queues, progress


@pytest.fixture
def own_queues(settings):
    """The workers' queues, as /readyz and /metrics read them, are this test's own (empty) queue
    on the configured broker (the embedded folder, or Redis): what other tests left queued
    never counts here. Emptied afterwards, with the progress note, through the broker and cache
    configured now (a test may point the settings at broken ones)."""
    name = f"ops-{uuid.uuid4().hex[:10]}"
    redis = broker_queues._redis() if broker_queues._kind() == "redis" else None
    folder = broker_queues._folder() if redis is None else None
    store = caches["default"]
    settings.WORKER_QUEUES = (name,)
    yield name
    if redis is not None:
        redis.delete(*broker_queues._redis_keys(name))
    else:
        for path in folder.glob(f"*.{name}.msg"):
            path.unlink(missing_ok=True)
    store.delete(progress._key(progress.ANY))
