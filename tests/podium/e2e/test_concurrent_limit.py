"""20 uploads of one team at the same instant against a daily limit of 5: exactly 5 accepted.

Each thread has its own database connection (Django's are per thread), as 20 web workers would.
On PostgreSQL the team row lock (``select_for_update``) serializes the count-then-insert; on
SQLite the IMMEDIATE transaction mode (settings) takes the write lock at BEGIN, which does the
same. A plain count-then-insert accepted 18-20 here (DESIGN.md).
"""

import threading

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from podium.core.errors import LimitReached
from podium.submissions.models import Submission
from podium.submissions.services import submission_create
from tests.podium.factories import (
    competition_with_solution,
    participant,
    predictions_file,
    stored_files,
)

pytestmark = pytest.mark.django_db(transaction=True)

THREADS, LIMIT = 20, 5


def test_twenty_concurrent_submits_accept_exactly_the_daily_limit(e2e):
    # e2e: this backend's database, and a broker of this test's own for the 5 queued messages
    competition = competition_with_solution(daily_submission_limit=LIMIT)
    user = participant(competition)
    payload = predictions_file(competition).read()
    start = threading.Barrier(THREADS)
    outcomes: list[object] = [None] * THREADS

    def upload(i: int) -> None:
        try:
            start.wait(timeout=30)
            outcomes[i] = submission_create(
                user=user, competition=competition, file=ContentFile(payload, name=f"s{i}.csv")
            )
        except Exception as exc:  # noqa: BLE001 - every outcome is asserted below
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    accepted = [o for o in outcomes if isinstance(o, Submission)]
    refused = [o for o in outcomes if isinstance(o, LimitReached)]
    others = [o for o in outcomes if not isinstance(o, Submission | LimitReached)]
    assert others == []
    assert len(accepted) == LIMIT and len(refused) == THREADS - LIMIT
    assert {e.code for e in refused} == {"daily_limit_reached"}
    assert Submission.objects.filter(competition=competition).count() == LIMIT
    assert sorted(Submission.objects.values_list("pk", flat=True)) == sorted(s.pk for s in accepted)
    stored = [name for name in stored_files("submissions") if name.endswith(".csv")]
    assert len(stored) == LIMIT  # the refused uploads' files were deleted again
