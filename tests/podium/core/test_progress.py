"""podium.core.progress: notes in the shared cache, and the stuck verdict from a real backlog."""

from __future__ import annotations

import time
import uuid

import pytest
from celery import current_app

from podium.core import progress


@pytest.fixture
def worker(monkeypatch):
    name = f"w{uuid.uuid4().hex[:8]}@test"
    monkeypatch.setattr(progress, "_node", name)
    monkeypatch.setattr(progress, "_last_written", 0.0)
    return name


@pytest.fixture
def queue(own_queue):
    return own_queue  # tests/podium/conftest.py: emptied afterwards


def test_a_note_is_kept_for_the_node_and_for_any(worker):
    before = time.time()
    progress.progress_note()
    assert progress.last_progress(worker) >= before
    assert progress.last_progress() >= before


def test_notes_are_throttled_per_process(worker, monkeypatch):
    progress.progress_note()
    first = progress.last_progress(worker)
    progress.progress_note()  # within _EVERY seconds: not written
    assert progress.last_progress(worker) == first
    progress.progress_note(force=True)
    assert progress.last_progress(worker) > first


def test_no_backlog_is_never_stuck(worker, queue):
    verdict = progress.worker_stall(worker, [queue], stall_seconds=0)
    assert not verdict.stuck and verdict.backlog == 0


def test_a_backlog_without_progress_is_stuck_and_a_note_unsticks_it(worker, queue, monkeypatch):
    current_app.send_task("podium.workflows.tasks.score_submission", args=(1,), queue=queue)
    progress.progress_note(force=True)
    assert not progress.worker_stall(worker, [queue], stall_seconds=60).stuck

    later = time.time() + 120
    monkeypatch.setattr(progress.time, "time", lambda: later)
    verdict = progress.worker_stall(worker, [queue], stall_seconds=60)
    assert verdict.stuck and verdict.backlog == 1 and verdict.idle_seconds >= 119
    assert "1 messages wait" in verdict.reason
    # a worker that started (again) recently is given its time
    assert not progress.worker_stall(worker, [queue], stall_seconds=60, started_at=later - 5).stuck


def test_another_node_s_progress_does_not_vouch_for_this_one(worker, queue, monkeypatch):
    current_app.send_task("podium.workflows.tasks.score_submission", args=(1,), queue=queue)
    progress.progress_note(force=True)
    later = time.time() + 120
    monkeypatch.setattr(progress.time, "time", lambda: later)
    monkeypatch.setattr(progress, "_node", "other@test")
    monkeypatch.setattr(progress, "_last_written", 0.0)
    progress.progress_note()  # the other node, and "any", are fresh
    assert progress.worker_stall(worker, [queue], stall_seconds=60).stuck
    assert not progress.worker_stall(progress.ANY, [queue], stall_seconds=60).stuck


def test_an_unreadable_broker_is_never_stuck(worker, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    assert not progress.worker_stall(worker, ["default"], stall_seconds=0).stuck
