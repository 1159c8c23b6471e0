"""A worker SIGKILLed in the middle of scoring: the submission still ends scored, exactly once.

The competition's metric is an organizer file (Kaggle's interface) that logs every call with its
process id and, on the first call after the test arms it, sleeps: the test kills the worker during
that sleep. With the filesystem broker the message dies with the worker; with Redis it sits
unacknowledged until the visibility timeout (an hour): either way only the database row is left,
and the periodic reconciler (a real ``celery beat``) must notice the expired lease and queue the
submission again.
"""

import os
import signal

import pytest

import scoring
from podium.competitions.metrics import competition_metric
from podium.competitions.selectors import active_solution
from podium.competitions.services import prepared_solution
from podium.leaderboards.models import LeaderboardEntry
from podium.submissions.models import Submission
from tests.podium.e2e.live import children_of
from tests.podium.e2e.slow_metric import calls, slow_metric_competition
from tests.podium.factories import participant, predictions_file, submit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.mark.parametrize("kill", ["whole_worker", "pool_child"])
def test_a_killed_worker_s_submission_is_scored_exactly_once(e2e, tmp_path, kill):
    competition, calls_log, armed = slow_metric_competition(tmp_path)
    user = participant(competition)
    calls_log.unlink(missing_ok=True)  # whatever preparing the answer key did
    armed.touch()
    worker = e2e.start_worker()
    e2e.start_beat()  # the periodic reconciler, every second here

    sub = submit(user, competition, file=predictions_file(competition, quality=0.7))
    e2e.wait_until(lambda: len(calls(calls_log)) == 1, 60, "the metric's first (slow) call")
    sub.refresh_from_db()
    assert sub.status == Submission.Status.SCORING and sub.attempts == 1
    [scorer] = calls(calls_log)
    assert scorer in children_of(worker.pid)  # a pool process of the worker
    if kill == "whole_worker":
        worker.kill(signal.SIGKILL)  # the group: main process and pool alike
        e2e.start_worker()
    else:
        os.kill(scorer, signal.SIGKILL)  # only the pool process; the worker replaces it

    e2e.wait_for_status(sub, Submission.Status.SCORED, Submission.Status.FAILED, timeout=60)

    assert sub.status == Submission.Status.SCORED, sub.error_detail
    assert sub.attempts == 2
    made = calls(calls_log)
    assert made[0] == scorer and scorer not in made[1:]  # the killed process never came back
    assert len(made) == 3 and len(set(made[1:])) == 1  # 2nd attempt: Public + Private, one process
    entry = LeaderboardEntry.objects.get(competition=competition)
    assert entry.entries == 1  # written once, not once per attempt
    assert entry.best_submission_id == sub.pk and entry.best_public_score == sub.public_score
    assert sub.result_message.startswith("Your Best Entry! Your submission scored")

    expected = scoring.score_submission(
        prepared_solution(active_solution(competition)), sub.file.path,
        metric=competition_metric(competition), params=competition.metric_params,
    )
    assert (sub.public_score, sub.private_score) == (expected.public_score, expected.private_score)
