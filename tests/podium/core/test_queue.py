"""podium.core.queue: Celery tasks queued by name, once the surrounding transaction commits.

Pinned: nothing is sent before the commit, nothing at all when the transaction (or only the
savepoint that queued it) rolls back, immediately outside a transaction; the arguments and the
options (a queue) reach send_task; in eager mode the task's module is imported on demand and the
task runs in-process instead of being sent; every task name the services queue is registered.
"""

from __future__ import annotations

import json
import sys
from importlib import import_module

import pytest
from celery import current_app
from django.db import transaction

from podium.core import queue


class Boom(Exception):
    pass


@pytest.fixture
def sent(monkeypatch):
    """What would have gone to the broker: (task name, args, options) per send."""
    calls = []
    app = current_app._get_current_object()

    def send_task(name, args=None, **options):
        calls.append((name, args, options))

    monkeypatch.setattr(app, "send_task", send_task)
    return calls


@pytest.mark.django_db
def test_nothing_is_sent_before_the_commit(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            queue.enqueue_on_commit(queue.RUN_KERNEL, 7, queue="kernels")
        assert sent == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [(queue.RUN_KERNEL, (7,), {"queue": "kernels"})]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing(sent):
    with pytest.raises(Boom):
        with transaction.atomic():
            queue.enqueue_on_commit(queue.SCORE_SUBMISSION, 1)
            raise Boom
    assert sent == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_transaction_sends_once_after_it(sent):
    with transaction.atomic():
        queue.enqueue_on_commit(queue.SCORE_SUBMISSION, 1)
        queue.enqueue_on_commit(queue.SCORE_SUBMISSION, 2)
        assert sent == []
    assert sent == [(queue.SCORE_SUBMISSION, (1,), {}), (queue.SCORE_SUBMISSION, (2,), {})]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_drops_only_its_own_task(sent):
    with transaction.atomic():
        queue.enqueue_on_commit(queue.SCORE_SUBMISSION, 1)
        with pytest.raises(Boom):
            with transaction.atomic():
                queue.enqueue_on_commit(queue.SCORE_SUBMISSION, 2)
                raise Boom
    assert sent == [(queue.SCORE_SUBMISSION, (1,), {})]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_is_sent_at_once(sent):
    queue.enqueue_on_commit(queue.RESCORE_SUBMISSIONS, 3, 0)
    assert sent == [(queue.RESCORE_SUBMISSIONS, (3, 0), {})]


PROBE = """
import json
from pathlib import Path

from celery import shared_task


@shared_task(name="podium_queue_probe.record")
def record(path, *values):
    Path(path).write_text(json.dumps(values))
"""


@pytest.fixture
def probe_module(tmp_path, monkeypatch):
    """A task module nobody has imported yet, as a worker would find it."""
    (tmp_path / "podium_queue_probe.py").write_text(PROBE)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "podium_queue_probe.record"
    sys.modules.pop("podium_queue_probe", None)
    current_app.tasks.pop("podium_queue_probe.record", None)


@pytest.mark.django_db
def test_eager_mode_imports_and_runs_the_task_in_process(
    eager, sent, probe_module, tmp_path, django_capture_on_commit_callbacks
):
    assert "podium_queue_probe" not in sys.modules
    out = tmp_path / "ran.json"
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue_on_commit(probe_module, str(out), 5, "x")
    assert json.loads(out.read_text()) == [5, "x"]
    assert sent == []


@pytest.mark.parametrize(
    "name", [queue.SCORE_SUBMISSION, queue.RESCORE_SUBMISSIONS, queue.RUN_KERNEL]
)
def test_every_queued_name_is_a_registered_task(name):
    """Queued by name, a renamed task would only fail in the worker: pin the names here."""
    import_module(name.rsplit(".", 1)[0])
    assert name in current_app.tasks


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_fails_after_the_commit_fails_nothing(monkeypatch, caplog):
    """The commit stands and the caller carries on; the log names the task for the operator
    (the reconciler queues the work again)."""
    app = current_app._get_current_object()

    def send_task(name, args=None, **options):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(app, "send_task", send_task)
    with transaction.atomic():
        queue.enqueue_on_commit(queue.SCORE_SUBMISSION, 41)
    assert "Could not queue podium.workflows.tasks.score_submission(41,)" in caplog.text
    assert "Connection refused" in caplog.text
