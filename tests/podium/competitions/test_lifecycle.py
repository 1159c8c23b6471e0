"""Draft -> Published (-> Archived): the publish checklist, the publish that clears the draft's
rehearsal away, and an archived competition's refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile

from podium.competitions.checklist import PublishCheck, publish_checklist
from podium.competitions.lifecycle import competition_archive, competition_publish
from podium.competitions.models import Competition
from podium.competitions.services import competition_create
from podium.core.errors import Conflict, DomainError, PermissionDenied
from podium.core.timeutils import now
from podium.kernels.services import kernel_launch
from podium.submissions.models import Submission
from podium.teams.models import Team
from podium.teams.services import baseline_team_ensure, competition_join
from tests.podium.factories import (
    CompetitionFactory,
    UserFactory,
    competition_with_solution,
    organizer,
    participant,
    submit,
    superuser,
)

pytestmark = pytest.mark.django_db

DRAFT = Competition.Status.DRAFT


def checks(competition) -> dict[str, bool]:
    return {item.code: item.ok for item in publish_checklist(competition=competition)}


def test_a_new_competition_is_a_draft():
    host = superuser()
    made = competition_create(
        created_by=host,
        slug="fresh",
        title="Fresh",
        metric="rmse",
        start_at=now(),
        end_at=now() + timedelta(days=3),
    )
    assert made.status == DRAFT and made.published_at is None


def test_a_ready_draft_passes_every_check_and_publishes():
    draft = competition_with_solution(status=DRAFT, start_at=now() + timedelta(days=1))
    host = organizer(draft)
    items = publish_checklist(competition=draft)
    assert [i.code for i in items] == [
        PublishCheck.ANSWER_KEY,
        PublishCheck.METRIC_DRY_RUN,
        PublishCheck.DATA_FILES,
        PublishCheck.SCHEDULE,
    ]
    assert all(i.ok and i.meaning and not i.fix for i in items), items
    assert "The sample submission scored public 0.50000" in items[1].detail  # 0.5 everywhere

    competition_publish(competition=draft, by=host)
    draft.refresh_from_db()
    assert draft.status == Competition.Status.PUBLISHED
    assert draft.published_at is not None and abs(draft.published_at - now()).total_seconds() < 60


def test_publish_refuses_with_every_unmet_item():
    draft = CompetitionFactory(
        status=DRAFT,
        start_at=now() - timedelta(days=10),
        end_at=now() - timedelta(days=1),  # over already
        entry_deadline=now(),  # after the end
    )
    host = organizer(draft)
    with pytest.raises(DomainError) as refused:
        competition_publish(competition=draft, by=host)
    error = refused.value
    assert error.code == "publish_checklist_unmet"
    assert error.details["unmet"] == ["answer_key", "metric_dry_run", "data_files", "schedule"]
    assert "Upload one in the admin" in error.details["items"]["answer_key"]
    assert "This deadline must not be after the end." in error.message
    assert "has passed" in error.message
    draft.refresh_from_db()
    assert draft.status == DRAFT and draft.published_at is None


def test_a_sample_submission_the_metric_refuses_fails_the_dry_run():
    draft = competition_with_solution(status=DRAFT)
    sample = draft.data_files.get(kind="sample_submission")
    sample.file.save("sample_submission.csv", ContentFile(b"id,target\n1,0.5\n"), save=True)
    item = {i.code: i for i in publish_checklist(competition=draft)}[PublishCheck.METRIC_DRY_RUN]
    assert not item.ok
    assert item.detail.startswith("It failed: ") and "rows" in item.detail
    assert checks(draft)[PublishCheck.ANSWER_KEY] and checks(draft)[PublishCheck.DATA_FILES]


def test_a_draft_without_a_sample_submission_is_not_dry_run():
    draft = competition_with_solution(status=DRAFT)
    draft.data_files.filter(kind="sample_submission").delete()
    draft.data_files.create(kind="train", name="train.csv", file=ContentFile(b"x", name="t.csv"))
    item = {i.code: i for i in publish_checklist(competition=draft)}[PublishCheck.METRIC_DRY_RUN]
    assert not item.ok and "no sample submission" in item.detail


def test_a_reveal_scheduled_before_the_end_fails_the_schedule_check():
    draft = competition_with_solution(status=DRAFT)
    Competition.objects.filter(pk=draft.pk).update(reveal_at=draft.end_at - timedelta(hours=1))
    draft.refresh_from_db()
    item = {i.code: i for i in publish_checklist(competition=draft)}[PublishCheck.SCHEDULE]
    assert not item.ok and "The reveal must come after the end." in item.detail


def test_only_its_organizers_publish_and_only_a_draft():
    draft = competition_with_solution(status=DRAFT)
    with pytest.raises(PermissionDenied) as refused:
        competition_publish(competition=draft, by=organizer(competition_with_solution()))
    assert refused.value.code == "not_an_organizer"
    host = organizer(draft)
    competition_publish(competition=draft, by=host)
    with pytest.raises(Conflict) as again:
        competition_publish(competition=draft, by=host)
    assert again.value.code == "competition_not_a_draft"


@pytest.mark.django_db(transaction=True)  # the scoring runs in-process on commit
def test_publishing_deletes_the_test_submissions_and_the_draft_teams(eager):
    draft = competition_with_solution(status=DRAFT, start_at=now() + timedelta(days=2))
    host = organizer(draft, "host")
    competition_join(user=host, competition=draft)  # before the start: a draft rehearses
    test = submit(host, draft)
    test.refresh_from_db()
    assert test.is_test and test.status == Submission.Status.SCORED
    assert test.result_message.startswith("Your test submission scored")
    assert not draft.board.exists()  # never on the public board
    baseline = baseline_team_ensure(competition=draft, user=UserFactory(username="baseline-bot"))

    competition_publish(competition=draft, by=host)
    assert not Submission.objects.filter(competition=draft).exists()
    assert list(Team.objects.filter(competition=draft)) == [baseline]  # kept: the baseline

    with pytest.raises(DomainError) as waits:  # published: the rehearsal's exemption is over
        submit(participant(draft), draft)
    assert waits.value.code == "competition_not_started"


def test_archive_keeps_it_readable_and_refuses_joins_uploads_and_kernels():
    competition = competition_with_solution()
    host = organizer(competition)
    member = participant(competition, "member")
    with pytest.raises(Conflict) as draft_refused:
        competition_archive(competition=competition_with_solution(status=DRAFT), by=superuser())
    assert draft_refused.value.code == "competition_not_published"

    competition_archive(competition=competition, by=host)
    competition.refresh_from_db()
    assert competition.status == Competition.Status.ARCHIVED

    newcomer = UserFactory()
    with pytest.raises(Conflict) as join:
        competition_join(user=newcomer, competition=competition)
    assert join.value.code == "competition_archived"
    assert "archived: it can be read, but no longer be joined" in join.value.message
    with pytest.raises(Conflict) as upload:
        submit(member, competition)
    assert upload.value.code == "competition_archived"
    with pytest.raises(Conflict) as kernel:
        kernel_launch(user=host, competition=competition, baseline="tabular_gbm")
    assert kernel.value.code == "competition_archived"
    assert not Submission.objects.filter(competition=competition).exists()


def test_competition_create_refuses_a_reveal_before_the_end_or_without_auto_reveal():
    host = superuser()
    fields = {
        "slug": "sched",
        "title": "Sched",
        "metric": "rmse",
        "start_at": now(),
        "end_at": now() + timedelta(days=3),
    }
    with pytest.raises(DomainError) as early:
        competition_create(created_by=host, reveal_at=now() + timedelta(days=1), **fields)
    assert early.value.code == "schedule_invalid"
    assert early.value.details["fields"] == {"reveal_at": "The reveal must come after the end."}
    with pytest.raises(DomainError) as manual:
        competition_create(
            created_by=host,
            reveal_at=now() + timedelta(days=5),
            auto_reveal_private=False,
            **fields,
        )
    assert "needs the automatic reveal" in manual.value.details["fields"]["reveal_at"]
    made = competition_create(created_by=host, reveal_at=now() + timedelta(days=5), **fields)
    assert made.reveal_at is not None
