"""The prepared answer key on any storage (``competitions.answer_keys``).

The answer keys live on a local disk today, and then the prepared form lies beside the stored
key. Pinned here for any other storage (an in-memory one, standing in for S3): a new key is
copied once into this host's key cache (``<SOLUTIONS_ROOT>/cache``, private), checked against
the version's SHA-256, prepared there, scored against, prepared again there for another metric,
and removed with the competition; a stored key whose bytes are not the version's is refused.
"""

from __future__ import annotations

import shutil
import stat

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage

import scoring
from podium.competitions.answer_keys import (
    active_version_columns,
    active_version_of,
    derived_files,
    key_path,
    prepared_solution,
)
from podium.competitions.models import SolutionVersion
from podium.competitions.selectors import active_solution
from podium.competitions.services import competition_delete, solution_version_create
from podium.core.errors import DomainError
from podium.submissions.models import Submission
from tests.podium.factories import competition_with_solution, participant, predictions_file, submit

pytestmark = pytest.mark.django_db(transaction=True)  # files are removed on commit


@pytest.fixture
def remote_keys(settings, tmp_path, monkeypatch):
    """Answer keys in an in-memory storage; this host's solutions folder empty and our own."""
    settings.SOLUTIONS_ROOT = tmp_path / "solutions"
    storage = InMemoryStorage()
    monkeypatch.setattr(SolutionVersion._meta.get_field("file"), "storage", storage)
    return storage


def test_a_key_on_remote_storage_is_cached_prepared_and_scored_against(
    remote_keys, settings, tmp_path
):
    competition = competition_with_solution(rows=200)
    version = active_solution(competition)
    assert remote_keys.exists(version.file.name)  # stored where the storage keeps it
    path = key_path(version)
    folder = f"c{competition.pk}-v1-{version.sha256[:16]}"
    assert path == settings.SOLUTIONS_ROOT / "cache" / folder / "solution.csv"
    assert path.read_bytes() == remote_keys.open(version.file.name).read()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert derived_files(version) == path.parent

    solution = prepared_solution(version)
    assert solution.meta["metric"] == "roc_auc" and solution.meta["source_sha256"] == version.sha256
    assert version.rows == solution.meta["rows"] and version.rows["total"] == 200
    submission = tmp_path / "submission.csv"
    submission.write_bytes(predictions_file(competition, quality=1.0).read())
    perfect = scoring.score_submission(solution, submission)
    assert perfect.public_score == pytest.approx(1.0)

    other = prepared_solution(version, scoring.get_metric("mse"))  # the organizer changed it
    assert other.meta["metric"] == "mse"
    assert scoring.load_solution(path).meta["metric"] == "mse"  # prepared again, in the cache


def test_a_stored_key_that_is_not_the_uploaded_one_is_refused(remote_keys):
    competition = competition_with_solution(rows=50)
    version = active_solution(competition)
    shutil.rmtree(derived_files(version))  # a host that has not cached it yet
    remote_keys.delete(version.file.name)  # and a store that now holds other bytes under its name
    remote_keys.save(version.file.name, ContentFile(b"id,target,Usage\n1,1,Public\n"))
    with pytest.raises(DomainError) as refused:
        prepared_solution(version)
    assert refused.value.code == "solution_invalid"
    assert refused.value.details == {"reason": "sha256_mismatch"}
    assert list(derived_files(version).iterdir()) == []  # no copy, not even half of one


def test_a_refused_key_on_remote_storage_stores_nothing(remote_keys, settings):
    competition = competition_with_solution(rows=50)
    bad = ContentFile(b"id,target,Usage\n1,1,Nowhere\n", name="solution.csv")
    with pytest.raises(DomainError) as refused:
        solution_version_create(competition=competition, file=bad)
    assert refused.value.code == "solution_invalid"
    assert competition.solution_versions.count() == 1
    assert remote_keys.listdir(f"solutions/{competition.pk}")[1] == [
        active_solution(competition).file.name.rsplit("/", 1)[1]
    ]
    cached = sorted(p.name for p in (settings.SOLUTIONS_ROOT / "cache").iterdir())
    assert cached == [derived_files(active_solution(competition)).name]  # v1's only


def test_delete_removes_the_stored_key_and_the_cache(remote_keys):
    competition = competition_with_solution(rows=50)
    version = active_solution(competition)
    cached = derived_files(version)
    assert (cached / "solution.csv.prepared" / "meta.json").exists()

    competition_delete(competition=competition)

    assert not remote_keys.exists(version.file.name)
    assert not cached.exists()


def test_the_active_version_read_with_a_submission_is_the_newest_and_loads_the_rest_on_demand(
    django_assert_num_queries,
):
    competition = competition_with_solution(rows=40)
    solution_version_create(competition=competition, file=_key_file(competition))  # v2
    submission = submit(participant(competition), competition)
    newest = active_solution(competition)
    columns = active_version_columns(Submission._meta.db_table)
    with django_assert_num_queries(1):
        row = Submission.objects.select_related("competition").annotate(**columns).get()
        version = active_version_of(row, row.competition)
        assert (version.pk, version.number, version.competition_id) == (
            newest.pk,
            2,
            competition.pk,
        )
        assert (version.sha256, version.file.name) == (newest.sha256, newest.file.name)
        assert key_path(version) == key_path(newest)
    assert version.rows["total"] == 40  # not read with the row: loaded when asked for
    SolutionVersion.objects.filter(competition=competition).delete()
    row = Submission.objects.annotate(**columns).get(pk=submission.pk)
    assert active_version_of(row, competition) is None


def _key_file(competition) -> ContentFile:
    ids, target, usage = competition.answer
    lines = [f"{i},{t},{u}" for i, t, u in zip(ids, target, usage, strict=True)]
    return ContentFile(("id,target,Usage\n" + "\n".join(lines) + "\n").encode(), name="v2.csv")
