"""A worker SIGKILLed in the middle of scoring: the submission still ends scored, exactly once.

The competition's metric is an organizer file (Kaggle's interface), run in the sandbox, that
sleeps while it scores the marked submission: the test sees the sandboxed run under the worker's
pool process and kills the worker then (the sandbox dies with it). With the filesystem broker
the message dies with the worker; with Redis it sits unacknowledged until the visibility timeout
(an hour): either way only the database row is left, and the periodic reconciler (a real
``celery beat``) must notice the expired lease and queue the submission again.
"""

import os
import signal

import pytest

import scoring
from podium.competitions.answer_keys import prepared_solution
from podium.competitions.selectors import active_solution
from podium.core.files import materialize
from podium.leaderboards.models import LeaderboardEntry
from podium.submissions.models import Submission
from tests.podium.e2e.live import children_of
from tests.podium.e2e.slow_metric import (
    alive,
    marked,
    offline_metric,
    sandbox_runs,
    slow_metric_competition,
)
from tests.podium.factories import participant, predictions_file, submit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.usefixtures("sandbox_ready"),
]


@pytest.mark.parametrize("kill", ["whole_worker", "pool_child"])
def test_a_killed_worker_s_submission_is_scored_exactly_once(e2e, kill):
    competition = slow_metric_competition(armed=True)
    user = participant(competition)
    worker = e2e.start_worker()
    e2e.start_beat()  # the periodic reconciler, every second here

    sub = submit(user, competition, file=marked(predictions_file(competition, quality=0.7)))
    e2e.wait_until(lambda: sandbox_runs(worker.pid), 60, "the metric's (slow) run")
    sub.refresh_from_db()
    assert sub.status == Submission.Status.SCORING and sub.attempts == 1
    [(runner, scorer)] = sandbox_runs(worker.pid).items()
    assert scorer in children_of(worker.pid)  # a pool process of the worker started it
    if kill == "whole_worker":
        worker.kill(signal.SIGKILL)  # the group: main process and pool alike
        e2e.start_worker()
    else:
        os.kill(scorer, signal.SIGKILL)  # only the pool process; the worker replaces it

    e2e.wait_for_status(sub, Submission.Status.SCORED, Submission.Status.FAILED, timeout=60)

    assert sub.status == Submission.Status.SCORED, sub.error_detail
    assert sub.attempts == 2
    assert not alive(runner) and not alive(scorer)  # the sandbox died with its worker
    entry = LeaderboardEntry.objects.get(competition=competition)
    assert entry.entries == 1  # written once, not once per attempt
    assert entry.best_submission_id == sub.pk and entry.best_public_score == sub.public_score
    assert sub.result_message.startswith("Your Best Entry! Your submission scored")

    with materialize(sub.file) as path:  # the same file, offline, unarmed
        expected = scoring.score_submission(
            prepared_solution(active_solution(competition)),
            path,
            metric=offline_metric(competition),
        )
    assert (sub.public_score, sub.private_score) == (expected.public_score, expected.private_score)
