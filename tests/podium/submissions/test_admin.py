"""The submission admin: private scores for a competition's organizers only, rescoring, failing
stuck submissions, and the files."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse

from podium.core.timeutils import now
from podium.submissions.models import Submission
from tests.podium.factories import (
    competition_with_solution,
    downloaded,
    organizer,
    participant,
    predictions_file,
    submit,
    superuser,
)

LIST_URL = reverse("admin:submissions_submission_changelist")
Status = Submission.Status


def change_url(submission):
    return reverse("admin:submissions_submission_change", args=[submission.pk])


def file_url(submission):
    return reverse("admin:submissions_submission_file", args=[submission.pk])


def act(client, action, *submissions):
    data = {"action": action, "_selected_action": [s.pk for s in submissions]}
    return client.post(LIST_URL, data, follow=True)


def scored(submission, public=0.8123456789, private=0.7987654321):
    Submission.objects.filter(pk=submission.pk).update(
        status=Status.SCORED,
        public_score=public,
        private_score=private,
        duration_ms=1234,
    )
    submission.refresh_from_db()
    return submission


@pytest.fixture
def setup(db):
    """A competition (precision 3) with one scored submission, and one other competition."""
    competition = competition_with_solution(rows=40, score_display_precision=3, title="Hidden Cup")
    user = participant(competition, username="alice")
    submission = scored(submit(user, competition))  # not eager: queued only, scores set here
    return competition, submission, competition_with_solution(rows=40)


# -- who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["superuser", "organizer"])
def test_organizers_and_superusers_see_private_scores(client, setup, who):
    competition, submission, _ = setup
    client.force_login(superuser() if who == "superuser" else organizer(competition))
    response = client.get(LIST_URL)
    assert list(response.context["cl"].result_list) == [submission]
    page = response.content.decode()
    assert "0.812" in page and "0.799" in page  # the competition's display precision
    assert "0.8123456789" not in page
    detail = client.get(change_url(submission)).content.decode()
    assert "0.8123456789" in detail and "0.7987654321" in detail  # full precision
    assert file_url(submission) in detail


def test_organizer_of_another_competition_sees_nothing_of_this_one(client, setup):
    competition, submission, other = setup
    client.force_login(organizer(other))
    response = client.get(LIST_URL)
    assert list(response.context["cl"].result_list) == []
    assert "0.799" not in response.content.decode()
    assert client.get(change_url(submission)).status_code == 404
    assert client.get(file_url(submission)).status_code == 404
    act(client, "fail_stuck", submission)
    submission.refresh_from_db()
    assert submission.status == Status.SCORED  # not in their queryset: untouched
    assert competition.title not in client.get(LIST_URL).content.decode()  # not even in filters


def test_a_participant_is_sent_to_the_login_page(client, setup):
    _, submission, _ = setup
    client.force_login(submission.submitted_by)
    for url in (LIST_URL, change_url(submission), file_url(submission)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_admin_never_adds_or_edits_a_submission(client, setup):
    competition, submission, _ = setup
    client.force_login(organizer(competition))
    assert client.get(reverse("admin:submissions_submission_add")).status_code == 403
    assert client.post(change_url(submission), {"status": "pending"}).status_code == 403


def test_detail_shows_the_error_detail_escaped_and_preformatted(client, setup):
    competition, submission, _ = setup
    Submission.objects.filter(pk=submission.pk).update(
        status=Status.FAILED,
        error_code="scoring_error",
        error_message="Submission Scoring Error",
        error_detail="Traceback:\n  <script>alert(1)</script>",
    )
    client.force_login(organizer(competition))
    page = client.get(change_url(submission)).content.decode()
    assert "<pre" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


# -- files ----------------------------------------------------------------------------------------


def test_a_submission_file_downloads_under_its_original_name(client, setup):
    competition, submission, _ = setup
    client.force_login(organizer(competition))
    status, headers, content = downloaded(client.get(file_url(submission)))
    assert status == 200 and 'filename="sub.csv"' in headers["Content-Disposition"]
    with submission.file.open("rb") as stored:
        assert content == stored.read()


def test_selected_files_download_as_a_zip(client, setup):
    competition, first, _ = setup
    bob = participant(competition, username="bob")
    second = submit(bob, competition, file=predictions_file(competition, name="mine.csv"))
    client.force_login(organizer(competition))
    response = act(client, "download_zip", first, second)
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist() == [f"alice/{first.pk}-sub.csv", f"bob/{second.pk}-mine.csv"]
    with second.file.open("rb") as stored:
        assert archive.read(f"bob/{second.pk}-mine.csv") == stored.read()


# -- rescoring and failing ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rescore_queues_the_submission_and_it_is_scored_again(client, eager):
    competition = competition_with_solution(rows=40)
    submission = submit(participant(competition), competition)
    submission.refresh_from_db()
    assert submission.status == Status.SCORED and submission.attempts == 1
    first_scored_at, public = submission.scored_at, submission.public_score
    Submission.objects.filter(pk=submission.pk).update(attempts=3)  # rescoring starts afresh
    client.force_login(organizer(competition))
    response = act(client, "rescore", submission)
    assert "Queued 1 submission(s) for rescoring." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Status.SCORED and submission.attempts == 1
    assert submission.scored_at > first_scored_at and submission.public_score == public


@pytest.mark.django_db(transaction=True)
def test_rescore_brings_back_an_abandoned_submission(client, eager):
    competition = competition_with_solution(rows=40)
    submission = submit(participant(competition), competition)
    Submission.objects.filter(pk=submission.pk).update(
        status=Status.FAILED,
        error_code="scoring_abandoned",
        error_message="gave up",
        attempts=3,
        public_score=None,
        private_score=None,
    )
    client.force_login(organizer(competition))
    act(client, "rescore", submission)
    submission.refresh_from_db()
    assert submission.status == Status.SCORED and submission.error_code == ""
    assert submission.private_score is not None


def test_rescore_skips_a_submission_being_scored(client, setup):
    competition, submission, _ = setup
    Submission.objects.filter(pk=submission.pk).update(
        status=Status.SCORING,
        lease_owner="worker-1",
        lease_expires_at=now() + timedelta(minutes=5),
    )
    client.force_login(organizer(competition))
    response = act(client, "rescore", submission)
    assert "Skipped 1 submission(s) being scored right now" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Status.SCORING and submission.lease_owner == "worker-1"


def test_rescore_takes_over_an_expired_lease(client, setup):
    competition, submission, _ = setup
    Submission.objects.filter(pk=submission.pk).update(
        status=Status.SCORING,
        lease_owner="dead",
        lease_expires_at=now() - timedelta(seconds=1),
        attempts=2,
    )
    client.force_login(organizer(competition))
    act(client, "rescore", submission)  # queued on commit, which this test never reaches
    submission.refresh_from_db()
    assert submission.status == Status.PENDING and submission.attempts == 0
    assert submission.lease_owner == "" and submission.public_score is None


def test_fail_stuck_fails_pending_and_scoring_ones_only(client, setup):
    competition, done, _ = setup
    stuck = submit(participant(competition), competition)  # pending: never reaches a worker here
    client.force_login(organizer(competition, username="olga"))
    response = act(client, "fail_stuck", stuck, done)
    page = response.content.decode()
    assert "Failed 1 stuck submission(s)." in page
    assert "Skipped 1 submission(s) that were not pending or scoring." in page
    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED and stuck.error_code == "scoring_abandoned"
    assert "stopped by the organizers" in stuck.error_message
    assert "olga" in stuck.error_detail
    done.refresh_from_db()
    assert done.status == Status.SCORED
