"""A worker yields the CPU to the web on a shared host: it and its pool processes run at
``PODIUM_WORKER_NICE`` (10 by default) above whatever started them; 0 leaves them as started."""

import os

import pytest

from tests.podium.e2e.live import children_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _nice(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def test_the_worker_and_its_pool_run_niced(e2e):
    if e2e is None:
        return
    base = _nice(0)
    worker = e2e.start_worker(concurrency=2)
    e2e.wait_until(lambda: len(children_of(worker.pid)) >= 2, 30, "the pool's processes")
    assert {_nice(pid) for pid in [worker.pid, *children_of(worker.pid)]} == {min(19, base + 10)}


def test_nice_0_leaves_the_worker_as_started(e2e):
    if e2e is None:
        return
    e2e.env["PODIUM_WORKER_NICE"] = "0"
    worker = e2e.start_worker(concurrency=1)
    e2e.wait_until(lambda: children_of(worker.pid), 30, "the pool's process")
    assert {_nice(pid) for pid in [worker.pid, *children_of(worker.pid)]} == {_nice(0)}
