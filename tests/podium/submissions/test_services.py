"""submission_create and the scoring lease, at the service level (scoring runs in-process)."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile

from podium.core.errors import DomainError, LimitReached, PermissionDenied
from podium.core.timeutils import now
from podium.submissions.models import Submission
from podium.submissions.services import (
    submission_claim,
    submission_heartbeat,
    submission_mark_failed,
    submissions_reconcile,
)
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    participant,
    predictions_file,
    submit,
)

# Committed transactions: scoring is queued on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_submission_is_scored_and_stored_with_hash(eager):
    competition = competition_with_solution()
    user = participant(competition)
    sub = submit(user, competition, description="  first try  ")
    sub.refresh_from_db()
    assert sub.status == Submission.Status.SCORED
    assert sub.public_score is not None and sub.private_score is not None
    assert len(sub.sha256) == 64 and sub.size > 0
    assert sub.description == "first try"
    assert sub.file.name.endswith(f"{sub.uuid.hex}.csv")  # a generated name, not the user's
    assert sub.original_name == "sub.csv"
    assert sub.result_message.startswith("Your Best Entry!")


def test_bad_file_fails_with_participant_message_and_organizer_detail(eager):
    competition = competition_with_solution()
    user = participant(competition)
    sub = submit(user, competition, file=ContentFile(b"id,target\n1,0.5\n", name="short.csv"))
    sub.refresh_from_db()
    assert sub.status == Submission.Status.FAILED
    assert sub.error_code == "row_count_mismatch"
    assert "Submission has 1 rows; expected 200." in sub.error_message
    assert '"problems"' in sub.error_detail


def test_daily_limit_counts_per_team_and_explains_when_the_next_opens(eager):
    competition = competition_with_solution(daily_submission_limit=2)
    user = participant(competition)
    submit(user, competition)
    submit(user, competition)
    with pytest.raises(LimitReached) as refused:
        submit(user, competition)
    assert refused.value.code == "daily_limit_reached"
    assert "used 2 of 2 submissions today" in refused.value.message
    assert "00:00 UTC" in refused.value.message
    assert Submission.objects.count() == 2


def test_failed_submissions_do_not_count_unless_the_rules_say_so(eager):
    competition = competition_with_solution(daily_submission_limit=1)
    user = participant(competition)
    submit(user, competition, file=ContentFile(b"id,target\n1,0.5\n", name="bad.csv"))
    submit(user, competition)  # the failed one did not count
    competition.failed_submissions_count = True
    competition.save()
    other = participant(competition)
    submit(other, competition, file=ContentFile(b"id,target\n1,0.5\n", name="bad.csv"))
    with pytest.raises(LimitReached):
        submit(other, competition)


def test_total_limit(eager):
    competition = competition_with_solution(total_submission_limit=1)
    user = participant(competition)
    submit(user, competition)
    with pytest.raises(LimitReached) as refused:
        submit(user, competition)
    assert refused.value.code == "total_limit_reached"


def test_refused_upload_leaves_no_file(eager, settings):
    competition = competition_with_solution(daily_submission_limit=1)
    user = participant(competition)
    submit(user, competition)
    with pytest.raises(LimitReached):
        submit(user, competition)
    stored = list((settings.MEDIA_ROOT / "submissions").rglob("*.csv"))
    assert len(stored) == 1


def test_must_join_and_accept_rules():
    competition = competition_with_solution()
    outsider = UserFactory()
    with pytest.raises(PermissionDenied) as refused:
        submit(outsider, competition)
    assert refused.value.code == "not_a_participant"


def test_not_before_the_start():
    competition = competition_with_solution()
    user = participant(competition)
    competition.start_at = now() + timedelta(hours=2)
    competition.save()
    with pytest.raises(DomainError) as refused:
        submit(user, competition)
    assert refused.value.code == "competition_not_started"


def test_after_the_end_is_late_scored_and_off_the_board(eager):
    competition = competition_with_solution()
    user = participant(competition)
    competition.end_at = now() - timedelta(minutes=1)
    competition.save()
    sub = submit(user, competition)
    sub.refresh_from_db()
    assert sub.is_late and sub.status == Submission.Status.SCORED
    assert "not ranked" in sub.result_message
    assert not competition.board.exists()


def test_size_cap_is_refused_with_413():
    competition = competition_with_solution(submission_max_bytes=100)
    user = participant(competition)
    with pytest.raises(DomainError) as refused:
        submit(user, competition, file=predictions_file(competition))
    assert refused.value.code == "file_too_large" and refused.value.status == 413


def test_claim_is_exclusive_and_a_lost_lease_cannot_write():
    competition = competition_with_solution()
    user = participant(competition)
    sub = submit(user, competition)  # not eager: stays pending
    assert submission_claim(submission_id=sub.pk, worker="w1") is not None
    assert submission_claim(submission_id=sub.pk, worker="w2") is None  # lease held
    Submission.objects.filter(pk=sub.pk).update(lease_expires_at=now() - timedelta(seconds=1))
    assert submission_claim(submission_id=sub.pk, worker="w2") is not None  # expired: taken over
    assert not submission_heartbeat(submission_id=sub.pk, worker="w1")
    assert not submission_mark_failed(submission_id=sub.pk, worker="w1", code="x", message="x")
    sub.refresh_from_db()
    assert sub.status == Submission.Status.SCORING and sub.attempts == 2 and sub.lease_owner == "w2"


def test_reconcile_requeues_lost_work_and_gives_up_after_max_attempts(settings, eager):
    competition = competition_with_solution()
    user = participant(competition)
    settings.SCORING_MAX_ATTEMPTS = 2
    from celery import current_app

    current_app.conf.task_always_eager = False
    stuck = submit(user, competition)
    current_app.conf.task_always_eager = True
    Submission.objects.filter(pk=stuck.pk).update(queued_at=now() - timedelta(hours=1))
    result = submissions_reconcile()
    assert result["requeued"] == [stuck.pk]
    stuck.refresh_from_db()
    assert stuck.status == Submission.Status.SCORED and stuck.attempts == 1

    current_app.conf.task_always_eager = False
    doomed = submit(user, competition)
    current_app.conf.task_always_eager = True
    Submission.objects.filter(pk=doomed.pk).update(
        status=Submission.Status.SCORING, attempts=2, lease_owner="dead",
        lease_expires_at=now() - timedelta(seconds=1),
    )
    result = submissions_reconcile()
    assert result["abandoned"] == [doomed.pk]
    doomed.refresh_from_db()
    assert doomed.status == Submission.Status.FAILED and doomed.error_code == "scoring_abandoned"
