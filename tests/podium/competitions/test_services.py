"""competition_create and competition_delete."""

from datetime import timedelta
from pathlib import Path

import pytest

from podium.competitions.models import Competition
from podium.competitions.services import competition_create, competition_delete
from podium.core.errors import DomainError
from podium.core.timeutils import now
from tests.podium.factories import UserFactory, competition_with_solution

pytestmark = pytest.mark.django_db(transaction=True)  # files are removed on commit


def fields(**overrides) -> dict:
    start = now()
    return {"slug": "new-one", "title": "New one", "metric": "rmse", "start_at": start,
            "end_at": start + timedelta(days=5), **overrides}


def test_create_checks_the_metric_and_makes_the_creator_an_organizer():
    owner = UserFactory()
    competition = competition_create(created_by=owner, **fields())
    assert list(competition.organizers.all()) == [owner]
    with pytest.raises(DomainError) as refused:
        competition_create(**fields(slug="other", metric="no_such_metric"))
    assert refused.value.code == "metric_invalid"


def test_delete_removes_the_rows_and_the_stored_files():
    competition = competition_with_solution()
    data_path = Path(competition.data_files.get().file.path)
    key_path = Path(competition.solution_versions.get().file.path)
    assert data_path.exists() and key_path.exists()

    competition_delete(competition=competition)

    assert not Competition.objects.exists()
    assert not data_path.exists() and not key_path.exists()
    assert not key_path.with_name(key_path.name + ".prepared").exists()
