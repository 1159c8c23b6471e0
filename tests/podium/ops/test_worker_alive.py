"""``manage.py podium_worker_alive``, run as the container's health check runs it: a real
process, a real backlog in the configured broker, progress notes in the shared cache."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import current_app

from podium.core import progress

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def queue(own_queue):
    return own_queue  # tests/podium/conftest.py: emptied afterwards


def alive(node: str, queue: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "podium.config.test_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "platform")]),
    }
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "podium_worker_alive",
            "--node",
            node,
            "--queues",
            queue,
            "--stall-seconds",
            "30",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_alive_without_work_and_stuck_with_work_and_no_progress(queue, monkeypatch):
    node = f"w{uuid.uuid4().hex[:8]}@test"
    assert alive(node, queue).returncode == 0  # nothing waits

    current_app.send_task("podium.workflows.tasks.score_submission", args=(1,), queue=queue)
    monkeypatch.setattr(progress, "_node", node)
    monkeypatch.setattr(progress, "_last_written", 0.0)
    ten_minutes_ago = time.time() - 600
    monkeypatch.setattr(progress.time, "time", lambda: ten_minutes_ago)
    progress.progress_note()  # the child reads the same cache (the test settings' own)
    stuck = alive(node, queue)
    assert stuck.returncode == 1, stuck.stdout + stuck.stderr
    assert f"{node} is stuck: 1 messages wait in {queue}" in stuck.stderr

    monkeypatch.undo()
    monkeypatch.setattr(progress, "_node", node)
    progress.progress_note(force=True)  # it got something done just now
    assert alive(node, queue).returncode == 0
