"""Logs for operators (podium.ops.logs, podium.core.log_context): PODIUM_LOG_FORMAT=json gives
one JSON object per line, in a real process (the settings' LOGGING) and a real Celery worker; a
submission's lines carry its id, from the upload through its scoring; a request's lines carry its
request id (echoed) and route."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import current_app
from django.core.files.base import ContentFile

from podium.core.timeutils import now
from podium.ops.logs import ContextFilter, JsonFormatter
from podium.submissions.models import Submission
from podium.workflows.tasks import reconcile_submissions
from tests.podium.factories import competition_with_solution, csv_bytes, participant, submit

REPO = Path(__file__).resolve().parents[3]
# A child gets the embedded defaults in a folder of its own, whatever this run is configured with.
_BACKEND_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "PODIUM_MEDIA_ROOT")


def _child_env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _BACKEND_VARIABLES}
    env.update(
        PODIUM_DATA_DIR=str(tmp_path / "data"),
        DJANGO_SECRET_KEY="test-only-secret-key",
        DJANGO_SETTINGS_MODULE="podium.config.settings",
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "platform")]),
        **extra,
    )
    return env


@pytest.fixture
def lines():
    """Every record logged (INFO and up) during the test, as the JSON handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


_SNIPPET = """
import logging
from podium.core.log_context import log_context
log = logging.getLogger("podium.probe")
with log_context(submission_id=42):
    log.info("hello %s", "world")
try:
    1 / 0
except ZeroDivisionError:
    log.exception("it broke")
"""


def _shell(tmp_path: Path, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "shell", "-c", _SNIPPET],
        env=_child_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_lines_from_the_settings_logging(tmp_path):
    done = _shell(tmp_path, PODIUM_LOG_FORMAT="json")
    assert done.returncode == 0, done.stderr
    entries = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    hello, broke = (e for e in entries if e["logger"] == "podium.probe")
    assert hello["message"] == "hello world" and hello["level"] == "INFO"
    assert hello["submission_id"] == 42 and hello["time"].endswith("+00:00")
    assert "submission_id" not in broke  # the context ended with its `with`
    assert broke["level"] == "ERROR" and "ZeroDivisionError" in broke["exception"]


def test_plain_text_stays_the_default(tmp_path):
    done = _shell(tmp_path)
    assert done.returncode == 0, done.stderr
    assert " INFO podium.probe: hello world" in done.stderr
    assert "{" not in done.stderr.splitlines()[0]


def test_an_unknown_format_is_refused_at_start(tmp_path):
    done = _shell(tmp_path, PODIUM_LOG_FORMAT="xml")
    assert done.returncode != 0 and "PODIUM_LOG_FORMAT='xml'" in done.stderr


def test_a_celery_worker_logs_json_lines(tmp_path):
    """Celery installs its own handlers; the hook in config/celery.py gives them the format."""
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "podium.config", "worker", "-P", "solo"]
            + ["-Q", "ops-logging-probe", "-l", "INFO", "--without-mingle", "--without-gossip"]
            + ["--without-heartbeat", "-n", "ops-logging@%h"],
            env=_child_env(tmp_path, PODIUM_LOG_FORMAT="json"),
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while " ready." not in log.read_text() and time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text()
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    logged = [line for line in log.read_text().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in logged]
    ready = [e for e in entries if e["message"].endswith(" ready.")]
    assert ready and ready[0]["logger"].startswith("celery") and ready[0]["level"] == "INFO"


@pytest.mark.django_db(transaction=True)  # the scoring task closes old connections
def test_a_submission_scored_in_eager_mode_leaves_lines_with_its_id(eager, lines):
    competition = competition_with_solution()
    user = participant(competition)
    submission = submit(user, competition)
    bad = submit(user, competition, ContentFile(csv_bytes(["id", "x"], [[1], [0]]), name="b.csv"))

    mine = [e for e in lines() if e.get("submission_id") == submission.pk]
    assert any(e["message"] == "Submission scoring: scored" for e in mine), lines()
    assert all(e["task"] == "podium.workflows.tasks.score_submission" for e in mine)
    theirs = [e for e in lines() if e.get("submission_id") == bad.pk]
    assert any(e["message"] == "Submission scoring: failed" for e in theirs)
    assert Submission.objects.get(pk=bad.pk).status == Submission.Status.FAILED
    assert not [
        e for e in lines() if "Submission scoring" in e["message"] and "submission_id" not in e
    ]


@pytest.mark.django_db(transaction=True)
def test_a_submission_that_cannot_be_queued_is_named_in_the_line(monkeypatch, lines):
    def broker_down(name, args=None, **options):
        raise ConnectionError("Error 111 connecting to the broker. Connection refused.")

    monkeypatch.setattr(current_app._get_current_object(), "send_task", broker_down)
    competition = competition_with_solution()
    submission = submit(participant(competition), competition)
    (line,) = [e for e in lines() if e["message"].startswith("Could not queue")]
    assert line["submission_id"] == submission.pk and line["level"] == "ERROR"
    assert "Connection refused" in line["exception"]


def test_the_request_id_is_echoed_and_carried(client, lines):
    response = client.post("/healthz", HTTP_X_REQUEST_ID="req-1234.abc")  # 405: logged
    assert response.status_code == 405 and response["X-Request-ID"] == "req-1234.abc"
    (line,) = [e for e in lines() if e["logger"] == "django.request"]
    assert line["request_id"] == "req-1234.abc" and line["route"] == "ops:healthz"


def test_a_missing_or_odd_request_id_is_replaced(client, lines):
    made = client.get("/healthz")["X-Request-ID"]
    odd = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith: newline")["X-Request-ID"]
    assert len(made) == len(odd) == 32 and made != odd and int(made, 16) >= 0
    client.get("/no-such-page-7c2e", HTTP_X_REQUEST_ID="lost-1")
    (line,) = [e for e in lines() if e["logger"] == "django.request"]
    assert line["request_id"] == "lost-1" and "route" not in line  # no route matched


@pytest.mark.django_db(transaction=True)
def test_a_reconciled_submission_is_named_in_the_line(eager, lines, settings):
    competition = competition_with_solution()
    doomed = submit(participant(competition), competition)
    Submission.objects.filter(pk=doomed.pk).update(  # its worker died on its last attempt
        status=Submission.Status.SCORING,
        attempts=settings.SCORING_MAX_ATTEMPTS,
        lease_owner="dead",
        lease_expires_at=now() - timedelta(seconds=1),
    )
    assert reconcile_submissions() == {"requeued": [], "abandoned": [doomed.pk]}
    (line,) = [e for e in lines() if e["message"].startswith("Reconciled")]
    assert line["message"] == "Reconciled: abandoned" and line["submission_id"] == doomed.pk
