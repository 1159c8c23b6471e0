"""/metrics (podium.ops.metrics): the counts of real submissions scored in eager mode, the queue
depths of a real broker, request latency by route name; who may read it; and what it never shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from celery import current_app
from django.core.files.base import ContentFile

from podium.submissions.models import Submission
from tests.podium.factories import (
    competition_with_solution,
    csv_bytes,
    participant,
    predictions_file,
    scored,
    submit,
)

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.django_db(transaction=True)  # the scoring task closes old connections


def _scrape(client, **extra) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def _value(text: str, name: str, **labels) -> float | None:
    """The sample ``name{labels}`` of a scrape (labels in any order), None when absent."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_:]+)(?:\{(.*)\})? (\S+)", line)
        if match is None or match[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
        if found == {k: str(v) for k, v in labels.items()}:
            return float(match[3])
    return None


def test_counts_after_real_submissions(client, eager, own_queues):
    competition = competition_with_solution()
    user = participant(competition)
    submit(user, competition, predictions_file(competition, quality=0.6, seed=1))
    submit(user, competition, predictions_file(competition, quality=0.7, seed=2))
    bad = ContentFile(csv_bytes(["id", "wrong"], [[1, 2], [0, 1]]), name="bad.csv")
    failed = submit(user, competition, bad)
    failed.refresh_from_db()
    assert failed.status == Submission.Status.FAILED and failed.error_code

    text = _scrape(client)
    assert _value(text, "podium_submissions", state="scored") == 2
    assert _value(text, "podium_submissions", state="failed") == 1
    assert _value(text, "podium_submissions", state="pending") == 0
    assert _value(text, "podium_submission_failures", code=failed.error_code) == 1
    durations = Submission.objects.exclude(duration_ms=None).values_list("duration_ms", flat=True)
    assert _value(text, "podium_scoring_duration_seconds_count") == len(durations) >= 2
    assert _value(text, "podium_scoring_duration_seconds_sum") == pytest.approx(
        sum(durations) / 1000
    )
    assert _value(text, "podium_scoring_duration_seconds_bucket", le="+Inf") == len(durations)
    assert _value(text, "podium_kernel_runs", state="queued") == 0
    assert _value(text, "podium_broker_up") == 1
    assert _value(text, "podium_queue_depth", queue=own_queues) == 0


def test_queue_depth_of_a_real_backlog(client, own_queues):
    for pk in (1, 2, 3):
        current_app.send_task(
            "podium.workflows.tasks.score_submission", args=(pk,), queue=own_queues
        )
    assert _value(_scrape(client), "podium_queue_depth", queue=own_queues) == 3


def test_an_unreachable_broker_is_down_not_an_error(client, own_queues, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    text = _scrape(client)
    assert _value(text, "podium_broker_up") == 0
    assert "podium_queue_depth{" not in text


def test_request_latency_by_route_name_never_by_path(client):
    client.get("/healthz")
    client.get("/no-such-page-6d1f")
    text = _scrape(client)
    ok = _value(
        text,
        "podium_http_request_duration_seconds_count",
        route="ops:healthz",
        method="GET",
        status="2xx",
    )
    assert ok is not None and ok >= 1
    missing = _value(
        text,
        "podium_http_request_duration_seconds_count",
        route="unmatched",
        method="GET",
        status="4xx",
    )
    assert missing is not None and missing >= 1
    assert "no-such-page" not in text


def test_refused_without_token_from_an_address_not_allowed(client, settings):
    outside = {"REMOTE_ADDR": "203.0.113.7"}
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", **outside).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", **outside).status_code == 403

    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics", **outside).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **outside).status_code == 403
    refused = client.get("/metrics", HTTP_AUTHORIZATION="Token s3cret-token", **outside)
    assert refused.status_code == 403 and b"podium_" not in refused.content
    _scrape(client, HTTP_AUTHORIZATION="Bearer s3cret-token", **outside)

    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOW = ["203.0.113.0/24"]
    _scrape(client, **outside)
    assert client.get("/metrics").status_code == 403  # loopback is allowed only by default


def test_no_private_score_nor_any_name_in_the_text(client):
    competition = competition_with_solution(title="Secret Protein Folding")
    user = participant(competition, username="alice-the-participant")
    submission = scored(user, competition, public=0.1234567, private=0.7654321)
    text = _scrape(client)
    assert _value(text, "podium_submissions", state="scored") == 1
    for secret in ("7654321", "0.765", "1234567", "alice", submission.team.name, competition.slug):
        assert secret not in text


_OBSERVE = """
import django
django.setup()
from podium.ops.metrics import observe_request
observe_request(route="ops:readyz", method="GET", status=503, seconds=0.2)
"""


def test_request_latency_of_several_processes_is_merged(client, tmp_path, monkeypatch):
    """With PROMETHEUS_MULTIPROC_DIR (gunicorn's workers), a scrape shows every process's
    requests, not only those of the process that answers it."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(
        PROMETHEUS_MULTIPROC_DIR=str(folder),
        PODIUM_DATA_DIR=str(tmp_path / "data"),
        DJANGO_SETTINGS_MODULE="podium.config.settings",
        DJANGO_SECRET_KEY="test-only-secret-key",
        PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "platform")]),
    )
    for _ in range(2):  # two processes, one request each
        subprocess.run([sys.executable, "-c", _OBSERVE], env=env, check=True, timeout=120)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    text = _scrape(client)
    count = _value(
        text,
        "podium_http_request_duration_seconds_count",
        route="ops:readyz",
        method="GET",
        status="5xx",
    )
    assert count == 2
    assert _value(text, "podium_submissions", state="scored") == 0  # the rows, read as before
