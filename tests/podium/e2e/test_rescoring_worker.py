"""Rescoring with a new answer key on real processes, the worker SIGKILLed in the middle.

A worker scores eight submissions; the organizer uploads a key with every label flipped and
starts the rescoring; the walk goes three submissions per task (PODIUM_RESCORING_WALK_STEP=3),
so it hops through the broker. The metric (an organizer file, run in the sandbox) sleeps on the
first submission, marked, once the test arms it: the test kills the whole worker while the
sandbox runs it, losing the submission being scored and any message the worker held. A new
worker and a real ``celery beat`` (the reconciler and the rescoring sweep, every second) must
finish the job: every submission scored with the new key, exactly once on the board, the boards
rebuilt and the job closed, within a bounded wait.
"""

import signal

import pytest
from django.core.files.base import ContentFile

import scoring
from podium.competitions.answer_keys import prepared_solution
from podium.competitions.selectors import active_solution
from podium.competitions.services import rescore_start, solution_version_create
from podium.core.files import materialize
from podium.leaderboards.models import LeaderboardEntry
from podium.leaderboards.selectors import public_board
from podium.submissions.models import Submission
from podium.submissions.selectors import rescore_progress
from tests.podium.e2e.slow_metric import (
    arm,
    marked,
    offline_metric,
    sandbox_runs,
    slow_metric_competition,
)
from tests.podium.factories import (
    csv_bytes,
    organizer,
    participant,
    predictions_file,
    submit,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.usefixtures("sandbox_ready"),
]

SCORED, FAILED, SCORING = (
    Submission.Status.SCORED,
    Submission.Status.FAILED,
    Submission.Status.SCORING,
)


def test_a_rescoring_finishes_after_its_worker_is_killed(e2e):
    e2e.env.update(PODIUM_RESCORING_SWEEP_EVERY_SECONDS="1", PODIUM_RESCORING_WALK_STEP="3")
    competition = slow_metric_competition(armed=False)
    host = organizer(competition)
    worker = e2e.start_worker()
    subs = []
    for i in range(4):
        user = participant(competition)
        for j in range(2):
            quality = 0.05 + 0.1 * (2 * i + j)
            file = predictions_file(competition, quality, seed=i)
            subs.append(submit(user, competition, marked(file) if not subs else file))
    for sub in subs:
        e2e.wait_for_status(sub, SCORED, FAILED)
        assert sub.status == SCORED, sub.error_detail

    ids, target, usage = competition.answer
    flipped = csv_bytes(["id", "target", "Usage"], [ids, 1 - target, usage])
    v2 = solution_version_create(
        competition=competition, file=ContentFile(flipped, name="solution.csv")
    )
    arm(competition)
    e2e.start_beat()
    rescore_start(competition=competition, version=v2, by=host)

    def slow_run() -> bool:  # the walk goes by id: the marked submission is rescored first
        scoring_now = Submission.objects.filter(pk=subs[0].pk, status=SCORING).exists()
        return scoring_now and bool(sandbox_runs(worker.pid))

    e2e.wait_until(slow_run, 60, "the rescoring's first (slow) run")
    assert rescore_progress(competition).running
    [killed] = Submission.objects.filter(competition=competition, status=SCORING)
    worker.kill(signal.SIGKILL)  # the group: main process and pool alike, mid-rescore
    e2e.start_worker()

    def finished() -> bool:
        progress = rescore_progress(competition)
        return progress is not None and not progress.running

    e2e.wait_until(finished, 90, "the rescoring to finish")
    progress = rescore_progress(competition)
    assert (progress.done, progress.total) == (8, 8)
    killed.refresh_from_db()
    assert killed.attempts == 2  # its lease expired; the reconciler queued it again

    metric = offline_metric(competition)  # the same file, offline, unarmed
    solution = prepared_solution(active_solution(competition))
    for sub in subs:
        sub.refresh_from_db()
        assert sub.status == SCORED and sub.solution_version_id == v2.pk, sub.error_detail
        with materialize(sub.file) as path:
            expected = scoring.score_submission(solution, path, metric=metric)
        assert (sub.public_score, sub.private_score) == (
            expected.public_score,
            expected.private_score,
        )
    for entry in LeaderboardEntry.objects.filter(competition=competition):
        team_subs = [s for s in subs if s.team_id == entry.team_id]
        assert entry.entries == 2  # each submission once, whatever was retried
        assert entry.best_public_score == max(s.public_score for s in team_subs)
    board = public_board(competition=competition)
    assert [row.score for row in board] == sorted((row.score for row in board), reverse=True)
    assert len(board) == 4
