"""submission_create and the scoring lease, at the service level (scoring runs in-process)."""

import errno
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.test import Client

import scoring
from podium.accounts.tokens import api_token_create
from podium.core.errors import DomainError, LimitReached, PermissionDenied, Unavailable
from podium.core.queue import SCORE_SUBMISSION
from podium.core.timeutils import now
from podium.submissions import selectors
from podium.submissions.models import Submission
from podium.submissions.services import (
    submission_claim,
    submission_heartbeat,
    submission_mark_failed,
    submission_rescore,
    submissions_fail_stuck,
    submissions_reconcile,
)
from scoring.metrics import registry
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    participant,
    predictions_file,
    stored_files,
    submit,
)
from tests.podium.lost_messages import lose_message

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
    stored = [n for n in stored_files(f"submissions/{competition.pk}") if n.endswith(".csv")]
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
    assert not submission_mark_failed(
        submission_id=sub.pk, worker="w1", code="x", message="x", stage="metric"
    )
    sub.refresh_from_db()
    assert sub.status == Submission.Status.SCORING and sub.attempts == 2 and sub.lease_owner == "w2"


def test_reconcile_requeues_lost_work_and_gives_up_after_max_attempts(settings, eager):
    """A pending row is queued again only once its message is gone from the queue."""
    competition = competition_with_solution()
    user = participant(competition)
    settings.SCORING_MAX_ATTEMPTS = 2
    from celery import current_app

    current_app.conf.task_always_eager = False
    stuck = submit(user, competition)
    current_app.conf.task_always_eager = True
    Submission.objects.filter(pk=stuck.pk).update(queued_at=now() - timedelta(hours=1))
    # Its message still waits in the queue (no worker here): queuing it again would double it.
    assert submissions_reconcile() == {"requeued": [], "abandoned": []}
    assert lose_message("default", SCORE_SUBMISSION, (stuck.pk,)) >= 1  # a worker took it, died
    result = submissions_reconcile()
    assert result["requeued"] == [stuck.pk]
    stuck.refresh_from_db()
    assert stuck.status == Submission.Status.SCORED and stuck.attempts == 1

    current_app.conf.task_always_eager = False
    doomed = submit(user, competition)
    current_app.conf.task_always_eager = True
    Submission.objects.filter(pk=doomed.pk).update(
        status=Submission.Status.SCORING,
        attempts=2,
        lease_owner="dead",
        lease_expires_at=now() - timedelta(seconds=1),
    )
    result = submissions_reconcile()
    assert result["abandoned"] == [doomed.pk]
    doomed.refresh_from_db()
    assert doomed.status == Submission.Status.FAILED and doomed.error_code == "scoring_abandoned"
    assert doomed.failure_stage == Submission.FailureStage.SYSTEM  # not the team's doing: free


def test_a_broker_down_at_the_commit_loses_nothing(monkeypatch, eager):
    """The publish after the commit fails (Redis restarting): the upload is still accepted, its
    row and file stay, and the reconciler queues it again once the broker is back."""
    from celery import current_app

    competition = competition_with_solution()
    user = participant(competition)
    current_app.conf.task_always_eager = False

    def broker_down(name, args=None, **options):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(current_app._get_current_object(), "send_task", broker_down)
    sub = submit(user, competition)
    sub.refresh_from_db()
    assert sub.status == Submission.Status.PENDING
    assert default_storage.exists(sub.file.name)

    monkeypatch.undo()  # the broker is back
    # Nothing of this row is queued (another test process's message may name the same id).
    lose_message("default", SCORE_SUBMISSION, (sub.pk,))
    current_app.conf.task_always_eager = True
    Submission.objects.filter(pk=sub.pk).update(queued_at=now() - timedelta(hours=1))
    assert submissions_reconcile()["requeued"] == [sub.pk]
    sub.refresh_from_db()
    assert sub.status == Submission.Status.SCORED and sub.attempts == 1


def _commit_fails(monkeypatch, *, row_saved: bool, database_stays_away: bool = False) -> None:
    """The next COMMIT raises as a dropped connection does, after saving the transaction or
    not; with ``database_stays_away`` no query answers after it."""
    from django.db import OperationalError, connection

    commit = connection.commit

    def commit_then_drop():
        if row_saved:
            commit()
        else:
            connection.rollback()
        if database_stays_away:
            monkeypatch.setattr(connection, "cursor", away)
        raise OperationalError("server closed the connection unexpectedly")

    def away(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "commit", commit_then_drop)


def test_a_commit_that_fails_after_saving_the_row_is_an_accepted_upload(monkeypatch, eager):
    """The COMMIT went through, then the connection dropped: the upload asks the database again,
    finds its row and is accepted (201: the client must not send it twice), scored once."""
    competition = competition_with_solution()
    user = participant(competition)
    _commit_fails(monkeypatch, row_saved=True)
    sub = submit(user, competition)
    sub.refresh_from_db()
    assert sub.status == Submission.Status.SCORED and sub.attempts == 1
    assert stored_files("submissions") == [sub.file.name]


def test_a_commit_that_fails_without_the_row_deletes_the_file(monkeypatch):
    competition = competition_with_solution()
    user = participant(competition)
    _commit_fails(monkeypatch, row_saved=False)
    with pytest.raises(OperationalError):
        submit(user, competition)
    assert not Submission.objects.exists()
    assert stored_files("submissions") == []  # no orphan


def test_a_database_that_stays_away_after_a_failed_commit_leaves_the_file_to_the_sweep(
    monkeypatch, caplog
):
    """The row may exist and nobody can say: the file is kept (and named in the log) and the
    orphan sweep removes it an hour later if no row names it."""
    from podium.submissions.services import creation, orphan_files_remove

    competition = competition_with_solution()
    user = participant(competition)
    monkeypatch.setattr(creation, "COMMIT_CHECK_SECONDS", 0.3)
    monkeypatch.setattr(creation, "COMMIT_CHECK_EVERY_S", 0.05)
    _commit_fails(monkeypatch, row_saved=False, database_stays_away=True)
    with pytest.raises(OperationalError):
        submit(user, competition)
    monkeypatch.undo()
    (kept,) = stored_files("submissions")
    assert kept.rsplit("/", 1)[-1].removesuffix(".csv") in caplog.text.replace("-", "")  # uuid
    assert orphan_files_remove(moment=now() + timedelta(hours=2)) == [kept]
    assert stored_files("submissions") == []


@pytest.fixture
def fill_disk(monkeypatch):
    """Call it and the disk is full from then on: a write creates its file, then ENOSPC."""

    def fill() -> None:
        storage_class = type(default_storage._wrapped)
        write = storage_class._save

        def save(self, name, content):
            write(self, name, ContentFile(b""))  # what a real write leaves: a 0-byte file
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(storage_class, "_save", save)

    return fill


def test_a_full_disk_refuses_with_503_and_leaves_nothing(fill_disk):
    competition = competition_with_solution()
    user = participant(competition)
    fill_disk()
    with pytest.raises(Unavailable) as refused:
        submit(user, competition)
    assert refused.value.status == 503 and refused.value.code == "storage_full"
    assert refused.value.retry_after > 0
    assert "nothing was recorded" in refused.value.message
    assert not Submission.objects.exists()
    assert stored_files(f"submissions/{competition.pk}") == []


def test_a_full_disk_answers_the_api_with_retry_after(fill_disk):
    competition = competition_with_solution(slug="titanic")
    user = participant(competition)
    fill_disk()
    _, key = api_token_create(user=user, name="disk")
    upload = SimpleUploadedFile("sub.csv", predictions_file(competition).read(), "text/csv")
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").post(
        "/api/v1/competitions/titanic/submissions/", {"file": upload}
    )
    assert response.status_code == 503, response.content
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "storage_full"
    assert stored_files(f"submissions/{competition.pk}") == []


# -- what a failure costs: no free answer about the public/private split ------------------------

BAD_FILE = b"id,target\n1,0.5\n"  # one row of 200: refused by the file checks


def _file(competition, values: dict[int, float], first: list[int]) -> ContentFile:
    """The true targets, with ``values`` (row -> prediction) swapped in, rows ``first`` first
    (so that two files put their probed rows on the same lines)."""
    ids, target, _ = competition.answer
    pred = target.astype(float)
    for row, value in values.items():
        pred[row] = value
    order = first + [r for r in range(len(ids)) if r not in first]
    lines = [f"{ids[r]},{float(pred[r])!r}" for r in order]
    return ContentFile(("id,target\n" + "\n".join(lines) + "\n").encode(), name="sub.csv")


def _rows(competition, board: str) -> list[int]:
    return [int(r) for r in (competition.answer[2] == board).nonzero()[0]]


def test_the_rmse_overflow_probe_is_refused_and_free_wherever_its_rows_are(eager):
    """1e154 on two rows: RMSE overflowed only when both were on one board, and that failure
    was free, so "same board?" cost nothing while the other answer cost a submission. Now both
    placements are refused by the file checks, with the same message, and neither counts."""
    competition = competition_with_solution(metric="rmse", daily_submission_limit=5)
    public, private = _rows(competition, "Public"), _rows(competition, "Private")
    user = participant(competition)
    probes = {"same board": public[:2], "across boards": [public[0], private[0]]}
    outcomes, subs = {}, []
    for name, rows in probes.items():
        sub = submit(user, competition, file=_file(competition, dict.fromkeys(rows, 1e154), rows))
        sub.refresh_from_db()
        outcomes[name] = (sub.status, sub.error_code, sub.error_message)
        subs.append(sub)
    assert outcomes["same board"] == outcomes["across boards"], outcomes
    status, code, message = outcomes["same board"]
    assert (status, code) == ("failed", "value_out_of_range")
    assert "lines 2, 3" in message
    assert [s.failure_stage for s in subs] == ["validation", "validation"]
    quota = selectors.quota(team=user.memberships.get().team, competition=competition)
    assert (quota.used_today, quota.invalid_today, quota.left_today) == (0, 2, 5)


@pytest.fixture
def fails_on_one_value(monkeypatch):
    """A metric that cannot score a board holding the prediction 0.375 (as a metric may be
    undefined on some inputs): whether it fails depends on which board that row is on."""

    def mse_unless(y_true, y_pred):
        if (y_pred == 0.375).any():
            raise ValueError("undefined for 0.375")
        return float(((y_true - y_pred) ** 2).mean())

    metric = scoring.Metric("test_fails_on_0375", mse_unless, False, "continuous")
    monkeypatch.setitem(registry._REGISTRY, metric.name, metric)
    return metric.name


@pytest.mark.parametrize("board", ["Private", "Public"])
def test_a_metric_failure_on_one_board_alone_counts_toward_the_daily_limit(
    eager, fails_on_one_value, board
):
    competition = competition_with_solution(metric=fails_on_one_value, daily_submission_limit=1)
    user = participant(competition)
    row = _rows(competition, board)[0]
    sub = submit(user, competition, file=_file(competition, {row: 0.375}, [row]))
    sub.refresh_from_db()
    assert sub.status == "failed"
    assert sub.error_message == "Submission Scoring Error"  # nothing says which board
    with pytest.raises(LimitReached) as refused:
        submit(user, competition)
    assert refused.value.code == "daily_limit_reached"
    assert "used 1 of 1 submissions today" in refused.value.message
    assert sub.failure_stage == "metric"
    # On an Ignored row the metric never sees it: scored, and counted as any scored one.
    other = participant(competition)
    ignored = _rows(competition, "Ignored")[0]
    sub = submit(other, competition, file=_file(competition, {ignored: 0.375}, [ignored]))
    sub.refresh_from_db()
    assert sub.status == "scored"
    with pytest.raises(LimitReached):
        submit(other, competition)


def test_file_check_failures_are_free_up_to_the_daily_cap_then_refused(eager, settings):
    competition = competition_with_solution(
        daily_submission_limit=1, daily_invalid_submission_limit=2
    )
    user = participant(competition)
    for _ in range(2):
        sub = submit(user, competition, file=ContentFile(BAD_FILE, name="bad.csv"))
        sub.refresh_from_db()
        assert (sub.status, sub.failure_stage) == ("failed", "validation")
    team = user.memberships.get().team
    quota = selectors.quota(team=team, competition=competition)
    assert (quota.used_today, quota.invalid_today, quota.invalid_limit) == (0, 2, 2)
    assert quota.left_today == 0  # what the pages show: no upload is accepted now
    for file in (ContentFile(BAD_FILE, name="bad.csv"), None):  # a good file waits too
        with pytest.raises(LimitReached) as refused:
            submit(user, competition, file=file)
        assert refused.value.code == "invalid_submission_limit_reached"
        assert "refused by the file checks 2 times today" in refused.value.message
        assert "allows 2 such failures a day" in refused.value.message
        assert "00:00 UTC" in refused.value.message
        assert refused.value.details["invalid"] == 2 and refused.value.status == 429
    assert Submission.objects.filter(team=team).count() == 2
    stored = [n for n in stored_files(f"submissions/{competition.pk}") if n.endswith(".csv")]
    assert len(stored) == 2  # the refused uploads left no file
    # Per team: another team is not held back by this one's failures.
    other = participant(competition)
    assert submit(other, competition).status == "pending"


def test_by_default_twenty_file_check_failures_a_day_are_free(eager):
    competition = competition_with_solution(daily_submission_limit=1)
    user = participant(competition)
    for _ in range(20):
        submit(user, competition, file=ContentFile(BAD_FILE, name="bad.csv"))
    with pytest.raises(LimitReached) as refused:
        submit(user, competition, file=ContentFile(BAD_FILE, name="bad.csv"))
    assert refused.value.code == "invalid_submission_limit_reached"
    assert Submission.objects.filter(status="failed").count() == 20


def test_the_cap_does_not_apply_when_the_rules_count_failed_submissions(eager):
    competition = competition_with_solution(
        daily_submission_limit=2, daily_invalid_submission_limit=1, failed_submissions_count=True
    )
    user = participant(competition)
    submit(user, competition, file=ContentFile(BAD_FILE, name="bad.csv"))
    quota = selectors.quota(team=user.memberships.get().team, competition=competition)
    assert (quota.used_today, quota.invalid_limit, quota.left_today) == (1, None, 1)
    submit(user, competition)  # past the (unused) cap: the daily limit decides
    with pytest.raises(LimitReached) as refused:
        submit(user, competition)
    assert refused.value.code == "daily_limit_reached"


def test_failures_that_are_not_the_teams_doing_are_free_and_uncapped(eager):
    competition = competition_with_solution(
        daily_submission_limit=1, daily_invalid_submission_limit=1
    )
    user = participant(competition)
    from celery import current_app

    current_app.conf.task_always_eager = False
    stuck = submit(user, competition)
    current_app.conf.task_always_eager = True
    assert submissions_fail_stuck(submission_ids=[stuck.pk]) == [stuck.pk]
    stuck.refresh_from_db()
    assert (stuck.status, stuck.failure_stage) == ("failed", "system")
    quota = selectors.quota(team=user.memberships.get().team, competition=competition)
    assert (quota.used_today, quota.invalid_today, quota.left_today) == (0, 0, 1)


def test_a_rescore_forgets_the_failure_stage(eager):
    competition = competition_with_solution(daily_submission_limit=5)
    user = participant(competition)
    sub = submit(user, competition, file=ContentFile(BAD_FILE, name="bad.csv"))
    sub.refresh_from_db()
    assert sub.failure_stage == "validation"
    from celery import current_app

    current_app.conf.task_always_eager = False
    assert submission_rescore(submission_id=sub.pk)
    sub.refresh_from_db()
    assert (sub.status, sub.failure_stage) == ("pending", "")
