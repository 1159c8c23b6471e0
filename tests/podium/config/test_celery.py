"""``config/celery.py`` and the worker settings: a worker keeps its database connection from one
task to the next (Celery's Django fixup would otherwise close it around every task: a new
PostgreSQL connection per scoring), and Django's per-request rule runs before each task: a
connection past CONN_MAX_AGE or one that errored is replaced, a reused one is health-checked."""

from __future__ import annotations

import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from podium.config.celery import app
from podium.workflows.tasks import reconcile_submissions

pytestmark = pytest.mark.django_db(transaction=True)  # as a worker: no test transaction around


@pytest.fixture
def as_a_worker():
    """Celery's Django fixup installed, as at a worker's start; a task run as the worker runs
    it, between its prerun and postrun signals."""
    fixup = DjangoWorkerFixup(app).install()  # its handlers are weak references: keep it

    def run(task):
        signals.task_prerun.send(sender=task, task_id="t", task=task, args=(), kwargs={})
        try:
            return task.run()
        finally:
            signals.task_postrun.send(
                sender=task, task_id="t", task=task, args=(), kwargs={}, retval=None
            )

    yield run
    for signal, handler in (
        (signals.task_prerun, fixup.on_task_prerun),
        (signals.task_postrun, fixup.on_task_postrun),
    ):
        signal.disconnect(handler)


def test_a_worker_keeps_its_database_connection_between_tasks(as_a_worker):
    as_a_worker(reconcile_submissions)
    first = connection.connection
    assert first is not None
    as_a_worker(reconcile_submissions)
    if connection.vendor == "sqlite":  # its CONN_MAX_AGE is 0: a connection per task
        assert connection.connection is not first
        first = connection.connection
    else:
        assert connection.connection is first  # kept, and health-checked before use

    connection.errors_occurred = True  # as after an error on a dead connection
    connection.connection.close()
    as_a_worker(reconcile_submissions)
    assert connection.connection is not first
    with connection.cursor() as cursor:  # the new one works
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
