"""The scoring task's failures: each records the stage that decides what it costs the team, and
the reader checks predictions against the competition's own bound."""

from __future__ import annotations

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile

import scoring
from podium.competitions.models import (
    DEFAULT_PREDICTION_MAX_ABS,
    PREDICTION_MAX_ABS_CEILING,
    Competition,
)
from podium.core.errors import DomainError
from podium.core.sandbox import SandboxUnavailable
from podium.submissions.models import Submission
from podium.submissions.selectors import quota
from podium.workflows.scoring import submission_score
from scoring.error_codes import SubmissionErrorCode
from scoring.metrics import DEFAULT_MAX_ABS, MAX_ABS_CEILING
from tests.podium.factories import competition_with_solution, participant, submit

pytestmark = pytest.mark.django_db(transaction=True)  # the task closes old connections

Stage = Submission.FailureStage


def _sandbox_cannot_start():
    try:
        raise SandboxUnavailable("bubblewrap is not installed")
    except SandboxUnavailable as exc:
        raise scoring.ScoringError(detail=f"The organizer's metric was not run. {exc}") from exc


def _raise(exc):
    def fail(*args, **kwargs):
        if callable(exc):
            exc()
        raise exc

    return fail


FAILURES = {
    # what went wrong: (how, the stage recorded, whether it counts toward the daily limit)
    "file check": (
        scoring.SubmissionError.single(SubmissionErrorCode.VALUE_MISSING, "Empty value."),
        Stage.VALIDATION,
        False,
    ),
    "metric error": (scoring.ScoringError(detail="ZeroDivisionError"), Stage.METRIC, True),
    "participant-visible metric error": (
        scoring.ScoringError("Bad row", detail="", participant_visible=True),
        Stage.METRIC,
        True,
    ),
    "time limit": (SoftTimeLimitExceeded(), Stage.METRIC, True),
    "sandbox cannot start": (_sandbox_cannot_start, Stage.SYSTEM, False),
    "broken metric setting": (
        DomainError("metric_invalid", "No such metric."),
        Stage.SYSTEM,
        False,
    ),
}


@pytest.mark.parametrize("what", list(FAILURES))
def test_each_failure_records_the_stage_that_decides_its_cost(monkeypatch, what):
    raised, stage, counts = FAILURES[what]
    competition = competition_with_solution(daily_submission_limit=1)
    user = participant(competition)
    sub = submit(user, competition)  # not eager: stays pending
    monkeypatch.setattr(scoring, "score_submission", _raise(raised))
    assert submission_score(submission_id=sub.pk, worker="w1") == "failed"
    sub.refresh_from_db()
    assert (sub.status, sub.failure_stage) == (Submission.Status.FAILED, stage)
    used = quota(team=sub.team, competition=competition).used_today
    assert used == (1 if counts else 0)


def test_a_competition_without_an_answer_key_fails_its_submissions_for_free():
    competition = competition_with_solution(daily_submission_limit=1)
    user = participant(competition)
    sub = submit(user, competition)
    competition.solution_versions.all().delete()  # read with the claim: none
    assert submission_score(submission_id=sub.pk, worker="w1") == "failed"
    sub.refresh_from_db()
    assert sub.failure_stage == Stage.SYSTEM
    assert quota(team=sub.team, competition=competition).used_today == 0


def _with_one_value(competition, value: float) -> ContentFile:
    ids, target, _ = competition.answer
    lines = [f"{i},{float(t)!r}" for i, t in zip(ids, target, strict=True)]
    lines[0] = f"{ids[0]},{value!r}"
    return ContentFile(("id,target\n" + "\n".join(lines) + "\n").encode(), name="sub.csv")


def test_predictions_are_checked_against_the_competitions_bound():
    competition = competition_with_solution(metric="rmse")
    user = participant(competition)
    sub = submit(user, competition, file=_with_one_value(competition, 1e13))
    submission_score(submission_id=sub.pk, worker="w1")
    sub.refresh_from_db()
    assert (sub.status, sub.failure_stage, sub.error_code) == (
        "failed",
        Stage.VALIDATION,
        "value_out_of_range",
    )
    assert "between -1e+12 and 1e+12" in sub.error_message

    Competition.objects.filter(pk=competition.pk).update(prediction_max_abs=1e15)
    sub = submit(user, competition, file=_with_one_value(competition, 1e13))
    submission_score(submission_id=sub.pk, worker="w1")
    sub.refresh_from_db()
    assert sub.status == "scored" and sub.failure_stage == ""


def test_a_bound_past_the_ceiling_in_the_database_fails_for_free_as_the_organizers_doing():
    competition = competition_with_solution(metric="rmse")
    Competition.objects.filter(pk=competition.pk).update(prediction_max_abs=1e300)
    user = participant(competition)
    sub = submit(user, competition)
    submission_score(submission_id=sub.pk, worker="w1")
    sub.refresh_from_db()
    assert (sub.status, sub.failure_stage) == ("failed", Stage.SYSTEM)
    assert "prediction bound" in sub.error_detail


def test_the_models_bounds_are_the_scoring_librarys():
    assert DEFAULT_PREDICTION_MAX_ABS == DEFAULT_MAX_ABS
    assert PREDICTION_MAX_ABS_CEILING == MAX_ABS_CEILING
    assert Competition._meta.get_field("prediction_max_abs").default == DEFAULT_MAX_ABS
