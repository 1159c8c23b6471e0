"""competition_create, competition_delete and competition_organizers_set (who may make whom an
organizer)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from podium.competitions.models import Competition
from podium.competitions.selectors import competitions_organized, is_organizer
from podium.competitions.services import (
    answer_key_upload,
    competition_create,
    competition_delete,
    competition_organizers_set,
)
from podium.core.errors import DomainError, PermissionDenied
from podium.core.timeutils import now
from tests.podium.factories import (
    UserFactory,
    binary_answer_key,
    competition_with_solution,
    csv_bytes,
    organizer,
    participant,
    scored,
    superuser,
)

pytestmark = pytest.mark.django_db(transaction=True)  # files are removed on commit


def fields(**overrides) -> dict:
    start = now()
    return {
        "slug": "new-one",
        "title": "New one",
        "metric": "rmse",
        "start_at": start,
        "end_at": start + timedelta(days=5),
        **overrides,
    }


def test_create_checks_the_metric_and_makes_the_creator_an_organizer():
    owner = UserFactory()
    competition = competition_create(created_by=owner, **fields())
    assert list(competition.organizers.all()) == [owner]
    with pytest.raises(DomainError) as refused:
        competition_create(**fields(slug="other", metric="no_such_metric"))
    assert refused.value.code == "metric_invalid"


def test_create_refuses_an_end_before_the_start_or_a_deadline_after_the_end():
    start = now()
    with pytest.raises(DomainError) as refused:
        competition_create(**fields(end_at=start - timedelta(days=1)))
    assert refused.value.code == "schedule_invalid"
    assert refused.value.details == {"fields": {"end_at": "The end must come after the start."}}
    with pytest.raises(DomainError) as refused:
        competition_create(**fields(team_merger_deadline=start + timedelta(days=9)))
    assert set(refused.value.details["fields"]) == {"team_merger_deadline"}
    assert not Competition.objects.exists()


def answer_key_file(rows: int = 200, seed: int = 1) -> ContentFile:
    ids, target, usage = binary_answer_key(rows, seed)
    content = csv_bytes(["id", "target", "Usage"], [ids, target, usage])
    return ContentFile(content, name="solution.csv")


def test_a_new_answer_key_is_active_and_rescores_every_submission():
    competition = competition_with_solution(rows=200)
    host = organizer(competition)
    empty = answer_key_upload(competition=competition, file=answer_key_file(), by=host)
    assert empty.version.number == 2 and empty.rescoring == 0  # nothing to rescore yet
    scored(participant(competition, "ada"), competition, 0.7, 0.6)
    scored(participant(competition, "bo"), competition, 0.8, 0.5)
    upload = answer_key_upload(competition=competition, file=answer_key_file(seed=2), by=host)
    assert upload.version.number == 3 and upload.rescoring == 2
    assert upload.rescore_refused is None
    upload.version.refresh_from_db()
    assert upload.version.rescore_requested_at is not None


def test_a_refused_answer_key_stores_nothing():
    competition = competition_with_solution(rows=200)
    bad = ContentFile(b"id,target,Usage\n1,1,Nowhere\n", name="solution.csv")
    with pytest.raises(DomainError):
        answer_key_upload(competition=competition, file=bad, by=organizer(competition))
    assert competition.solution_versions.count() == 1


def test_delete_removes_the_rows_and_the_stored_files():
    competition = competition_with_solution()
    data_path = Path(competition.data_files.get().file.path)
    key_path = Path(competition.solution_versions.get().file.path)
    assert data_path.exists() and key_path.exists()

    competition_delete(competition=competition)

    assert not Competition.objects.exists()
    assert not data_path.exists() and not key_path.exists()
    assert not key_path.with_name(key_path.name + ".prepared").exists()


# -- who may make whom an organizer ---------------------------------------------------------------


def rights(user) -> tuple:
    """Everything of ``user`` that says what they may do outside a competition's list."""
    user.refresh_from_db()
    return (
        user.is_staff,
        user.is_superuser,
        sorted(user.groups.values_list("name", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
    )


def test_an_organizer_cannot_make_a_plain_user_an_organizer():
    competition = competition_with_solution(title="Titanic")
    host = organizer(competition)
    plain = UserFactory(username="plain")
    with pytest.raises(PermissionDenied) as refused:
        competition_organizers_set(competition=competition, users=[host, plain], by=host)
    assert refused.value.code == "co_host_not_an_organizer"
    assert refused.value.message == (
        "Not organizers: plain. Only a superuser can make someone an organizer; choose "
        "co-hosts among the existing organizers."
    )
    assert list(competition.organizers.all()) == [host]
    assert rights(plain) == (False, False, [], [])


def test_a_co_host_adds_an_existing_organizer_with_rights_on_that_competition_alone():
    mine, theirs, other = (competition_with_solution() for _ in range(3))
    host = organizer(mine)
    other.organizers.add(host)
    guest = organizer(theirs)
    before = rights(guest)

    assert set(competition_organizers_set(competition=mine, users=[guest], by=host)) == {
        host,
        guest,
    }
    assert set(mine.organizers.all()) == {host, guest}
    assert rights(guest) == before  # no flag, group or permission changed
    assert set(competitions_organized(user=guest)) == {mine, theirs}
    assert not is_organizer(guest, other)

    # Taking them off again leaves what a superuser gave them elsewhere.
    competition_organizers_set(competition=mine, users=[host], by=host)
    assert rights(guest) == before and list(competitions_organized(user=guest)) == [theirs]


def test_a_co_host_keeps_an_organizer_the_competition_already_has():
    creator = UserFactory()  # organizes what they created, without the organizer role
    competition = competition_create(created_by=creator, **fields())
    host = organizer(competition)
    competition_organizers_set(competition=competition, users=[creator], by=host)
    assert set(competition.organizers.all()) == {creator, host}
    assert rights(creator) == (False, False, [], [])  # nothing granted


def test_a_superuser_makes_anyone_an_organizer():
    competition = competition_with_solution()
    plain = UserFactory()
    root = superuser()
    assert competition_organizers_set(competition=competition, users=[plain], by=root) == [plain]
    assert rights(plain) == (True, False, ["Organizers"], [])
    assert list(competitions_organized(user=plain)) == [competition]
