"""The sweep of stored submission files that no row names (a crash between storing a file and
committing its row): only old ones go, files of submissions stay, on any storage."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from podium.core.timeutils import now
from podium.submissions.services import orphan_files_remove
from podium.workflows import tasks
from tests.podium.factories import competition_with_solution, participant, stored_files, submit

pytestmark = pytest.mark.django_db(transaction=True)


def test_old_files_no_row_names_are_removed_and_nothing_else(eager):
    competition = competition_with_solution()
    sub = submit(participant(competition), competition)
    orphan = default_storage.save(f"submissions/{competition.pk}/9/crashed.csv", ContentFile(b"x"))
    before = set(stored_files("submissions"))
    assert {sub.file.name, orphan} <= before

    assert orphan_files_remove() == []  # young: an upload may still be committing its row
    assert orphan_files_remove(moment=now() + timedelta(minutes=59)) == []
    removed = orphan_files_remove(moment=now() + timedelta(hours=2))
    assert removed == [orphan]
    assert set(stored_files("submissions")) == before - {orphan}
    assert default_storage.exists(sub.file.name)  # a submission's file is never touched
    assert orphan_files_remove(moment=now() + timedelta(hours=2)) == []  # safe to run twice


def test_the_limit_bounds_one_sweep(eager):
    names = [
        default_storage.save(f"submissions/1/1/crash-{i}.csv", ContentFile(b"x")) for i in range(3)
    ]
    later = now() + timedelta(hours=2)
    first = orphan_files_remove(moment=later, limit=2)
    assert len(first) == 2
    assert orphan_files_remove(moment=later) == [n for n in names if n not in first]
    assert stored_files("submissions") == []


def test_the_sweep_runs_hourly_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["remove-orphan-files"]
    assert entry["task"] == tasks.remove_orphan_files.name
    assert entry["schedule"] == 3600.0
    assert tasks.remove_orphan_files.apply().get() == 0
