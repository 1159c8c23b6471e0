"""Kernels through a real worker on the `cpu` queue: the starter solutions train (a few epochs),
submit under the Baseline team and beat a constant prediction on the private board; a worker
killed in the middle of a run leaves it retried, never stuck."""

from __future__ import annotations

import signal

import pytest
from django.core.files.base import ContentFile

import scoring
from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.kernels.models import KernelRun
from podium.kernels.selectors import run_log_text
from podium.kernels.services import kernel_launch, kernel_publish
from podium.leaderboards.reveal import leaderboard_reveal
from podium.leaderboards.selectors import private_board
from podium.submissions.models import Submission
from tests.podium.kernels.helpers import constant_private_score, demo_competition, small_config

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.usefixtures("sandbox_ready"),
]

STARTERS = (
    ("breast_cancer", {"epochs": 3}),
    ("digits", {"epochs": 2}),
    ("diabetes", {"epochs": 12}),
)


def wait_run(e2e, run, *statuses, timeout=180):
    def reached() -> bool:
        return KernelRun.objects.filter(pk=run.pk, status__in=statuses).exists()

    e2e.wait_until(reached, timeout, f"kernel run {run.pk} in {statuses}")
    run.refresh_from_db()
    return run


def test_the_starter_solutions_beat_a_constant_through_the_kernel_path(e2e, tmp_path):
    e2e.start_worker()
    for dataset, overrides in STARTERS:
        competition, organizer = demo_competition(dataset)
        run = kernel_launch(
            user=organizer,
            competition=competition,
            baseline=competition.config_name,
            config=small_config(competition.config_name, **overrides),
        )
        assert run.queue == "cpu"
        run = wait_run(e2e, run, KernelRun.Status.SUCCEEDED, KernelRun.Status.FAILED)
        assert run.status == KernelRun.Status.SUCCEEDED, (run.error_message, run_log_text(run=run))
        assert "device cpu" in run_log_text(run=run)
        submission = Submission.objects.get(pk=run.submission_id)
        e2e.wait_for_status(submission, Submission.Status.SCORED, Submission.Status.FAILED)
        assert submission.status == Submission.Status.SCORED, submission.error_detail
        assert submission.team.is_baseline

        constant = constant_private_score(competition, tmp_path)
        metric = scoring.get_metric(competition.metric)
        assert metric.is_better(submission.private_score, constant), (
            dataset,
            submission.private_score,
            constant,
        )
        kernel_publish(user=organizer, run=run)
        # the baseline's row is marked on the private board, and wins nothing
        Competition.objects.filter(pk=competition.pk).update(end_at=now())
        competition.refresh_from_db()
        assert leaderboard_reveal(competition=competition, by=organizer)
        [row] = private_board(competition=competition, viewer=organizer)
        assert row.is_baseline and row.prize_rank is None


SLOW_COPY = b"""
import shutil, time
print("started", flush=True)
time.sleep(6)
shutil.copy("input/sample_submission.csv", "output/submission.csv")
print("done", flush=True)
"""


def test_a_worker_killed_during_a_run_leaves_it_retried_not_stuck(e2e):
    competition, organizer = demo_competition("breast_cancer")
    worker = e2e.start_worker()
    e2e.start_beat()  # the reconciler, every second here
    run = kernel_launch(
        user=organizer, competition=competition, script=ContentFile(SLOW_COPY, name="kernel.py")
    )
    e2e.wait_until(lambda: "started" in run_log_text(run=run), 60, "the kernel started")
    worker.kill(signal.SIGKILL)  # worker, pool and (through PDEATHSIG) the kernel process
    run.refresh_from_db()
    assert run.status == KernelRun.Status.RUNNING and run.attempts == 1
    e2e.start_worker()
    run = wait_run(e2e, run, KernelRun.Status.SUCCEEDED, KernelRun.Status.FAILED, timeout=120)
    assert run.status == KernelRun.Status.SUCCEEDED, run.error_message
    assert run.attempts == 2
    assert "it runs again" in run_log_text(run=run)
