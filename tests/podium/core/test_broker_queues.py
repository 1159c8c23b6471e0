"""podium.core.broker_queues: depths and queued args, read from the configured broker (the
embedded filesystem broker, or Redis in CI), with real published messages."""

from __future__ import annotations

import pytest
from celery import current_app

from podium.core import broker_queues


@pytest.fixture
def queue(own_queue):
    return own_queue  # tests/podium/conftest.py: emptied afterwards


def _publish(queue: str, task: str, *args) -> None:
    current_app.send_task(task, args=args, queue=queue)


def test_depths_and_args_of_what_was_published(queue):
    assert broker_queues.queue_depths([queue]) == {queue: 0}
    _publish(queue, "podium.workflows.tasks.score_submission", 7)
    _publish(queue, "podium.workflows.tasks.score_submission", 9)
    _publish(queue, "podium.kernels.tasks.run_kernel", 7)

    assert broker_queues.queue_depths([queue]) == {queue: 3}
    assert broker_queues.queued_args(queue, "podium.workflows.tasks.score_submission") == {
        (7,),
        (9,),
    }
    assert broker_queues.queued_args(queue, "podium.kernels.tasks.run_kernel") == {(7,)}


def test_a_queue_longer_than_the_limit_is_unknown(queue):
    for pk in range(3):
        _publish(queue, "podium.workflows.tasks.score_submission", pk)
    assert (
        broker_queues.queued_args(queue, "podium.workflows.tasks.score_submission", limit=2) is None
    )
    assert len(broker_queues.queued_args(queue, "podium.workflows.tasks.score_submission")) == 3


def test_an_unreachable_broker_is_unknown_not_an_error(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    assert broker_queues.queue_depths(["default"]) is None
    assert broker_queues.queued_args("default", "any.task") is None


def test_an_unknown_broker_is_unknown(settings):
    settings.CELERY_BROKER_URL = "amqp://127.0.0.1//"
    assert broker_queues.queue_depths(["default"]) is None


def test_a_garbled_message_is_skipped():
    assert broker_queues._task_and_args(b"not json") is None
    assert broker_queues._task_and_args(b'{"body": "e30=", "headers": {}}') is None
