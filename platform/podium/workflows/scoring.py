"""Scoring one submission, start to finish, safe to run any number of times.

claim the lease -> score with ``scoring`` (lease kept alive by a heartbeat thread) -> write the
scores and the board row in one transaction, only if the lease is still ours. An organizer's
metric file runs only in the sandbox (``competitions.metric_sandbox``); a lost lease stops it.
A participant's file problem or a metric error ends the submission as failed with a message for
the participant and the detail for the organizers; an infrastructure error (disk, database) is
raised, so the task fails and the reconciler queues the submission again until its attempts run
out.

A failure records its stage, which decides what it costs the team (``selectors.counted_q``):
``validation`` for the file checks (``SubmissionError``: found without looking at the split, so
free); ``metric`` for anything that ends the scoring of the boards (``ScoringError``, the time
limit: whether it happens can depend on which rows are Public and which Private, so it counts
like a scored submission); ``system`` for what is not the team's doing (no answer key, a broken
metric setting, a sandbox that cannot start).
"""

from __future__ import annotations

import json
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import close_old_connections

import scoring
from podium.competitions import metric_sandbox
from podium.competitions.answer_keys import scoring_setup
from podium.competitions.error_codes import CompetitionErrorCode
from podium.core import sandbox
from podium.core.errors import DomainError
from podium.core.files import materialize
from podium.leaderboards.services import score_record
from podium.submissions.error_codes import ScoringFailure
from podium.submissions.models import Submission
from podium.submissions.services import LEASE as submission_lease
from podium.submissions.services import (
    submission_claim,
    submission_heartbeat,
    submission_mark_failed,
)
from scoring.error_codes import ScoringErrorCode

logger = logging.getLogger(__name__)
Stage = Submission.FailureStage


def submission_score(*, submission_id: int, worker: str) -> str:
    """Returns what happened: 'scored', 'failed', 'lost' (lease lost) or 'skipped' (nothing to
    do). The lease is renewed every third of its length while the scoring runs."""
    close_old_connections()
    submission = submission_claim(submission_id=submission_id, worker=worker)
    if submission is None:
        return "skipped"
    with submission_lease.heartbeat(
        submission_id,
        worker,
        beat=lambda: submission_heartbeat(submission_id=submission_id, worker=worker),
    ) as heartbeat:
        return _score(submission, worker, should_stop=lambda: heartbeat.lost)


def _fail(
    submission_id: int,
    worker: str,
    stage: Stage,
    code: str,
    message: str,
    detail: str = "",
    version_id: int | None = None,
) -> str:
    written = submission_mark_failed(
        submission_id=submission_id,
        worker=worker,
        code=code,
        message=message,
        stage=stage,
        detail=detail,
        solution_version_id=version_id,
    )
    return "failed" if written else "lost"


def _bounded(metric: scoring.Metric, competition) -> scoring.Metric:
    """The metric with the competition's bound on predictions, checked by the reader."""
    try:
        return metric.with_max_abs(competition.prediction_max_abs)
    except ValueError as exc:
        raise DomainError(CompetitionErrorCode.METRIC_INVALID, str(exc)) from exc


def _score(submission, worker: str, should_stop=lambda: False) -> str:
    competition = submission.competition
    setup = scoring_setup(competition, submission.active_solution)  # read with the claim
    if setup is None:
        return _fail(
            submission.pk,
            worker,
            Stage.SYSTEM,
            ScoringErrorCode.SCORING_ERROR.value,
            "Submission Scoring Error",
            "The competition has no answer key.",
        )
    version = setup.version
    try:
        metric = setup.metric
        with materialize(submission.file) as path:
            if metric.kind == scoring.PredictionKind.CUSTOM:
                result = metric_sandbox.sandbox_score(
                    solution=setup.solution,
                    path=path,
                    metric=metric,
                    source=metric_sandbox.competition_source(competition),
                    params=competition.metric_params,
                    max_bytes=competition.submission_max_bytes,
                    should_stop=should_stop,
                )
            else:
                result = scoring.score_submission(
                    setup.solution,
                    path,
                    metric=_bounded(metric, competition),
                    params=competition.metric_params,
                    max_bytes=competition.submission_max_bytes,
                )
    # Failures record the answer key they were checked against, as scores do: a rescoring
    # counts them as done.
    except scoring.SubmissionError as exc:
        return _fail(
            submission.pk,
            worker,
            Stage.VALIDATION,
            exc.code,
            exc.message,
            json.dumps(exc.as_dict()),
            version_id=version.pk,
        )
    except scoring.ScoringError as exc:
        # A sandbox that cannot start runs no metric at all, for any submission: the host's
        # problem. Anything else ended the scoring of the boards.
        stage = (
            Stage.SYSTEM if isinstance(exc.__cause__, sandbox.SandboxUnavailable) else Stage.METRIC
        )
        return _fail(
            submission.pk, worker, stage, exc.code, exc.message, exc.detail, version_id=version.pk
        )
    except DomainError as exc:  # the competition's metric or answer key is broken: organizers' side
        return _fail(
            submission.pk,
            worker,
            Stage.SYSTEM,
            ScoringErrorCode.SCORING_ERROR.value,
            "Submission Scoring Error",
            exc.message,
            version_id=version.pk,
        )
    except SoftTimeLimitExceeded:
        # It may have struck in the metric, where how long a board takes can depend on its
        # rows: it counts, as a metric failure does.
        limit = settings.SCORING_SOFT_TIME_LIMIT
        return _fail(
            submission.pk,
            worker,
            Stage.METRIC,
            ScoringFailure.TIMEOUT.value,
            f"Scoring took longer than {limit} seconds and was stopped.",
            version_id=version.pk,
        )
    written = score_record(
        submission=submission,
        worker=worker,
        public_score=result.public_score,
        private_score=result.private_score,
        duration_ms=int(result.duration_s * 1000),
        solution_version_id=version.pk,
    )
    if not written:
        logger.warning("Submission %s: lease lost before the result was written", submission.pk)
    return "scored" if written else "lost"
