"""The SQL statements a submission costs: one API upload, then its scoring up to the board.

A ceiling, not a timing: a change that adds a query per submission (a lookup in a loop, a
second read of the metric or the answer key) fails here and says how many it now takes. The
count leaves out SAVEPOINT/RELEASE, the markers of nested ``atomic`` blocks, and Django's health
check of a reused PostgreSQL connection (run outside its cursors). The same ceiling on SQLite
(the default) and PostgreSQL, which lock and read the board row in different statements.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from podium.accounts.tokens import api_token_create
from podium.submissions.models import Submission
from podium.workflows.scoring import submission_score
from tests.podium.factories import competition_with_solution, participant, predictions_file

# What the code took when these ceilings were set: upload 14 (issue 14), a little room for a
# harmless change. Scoring (issue 15): 7 on both backends, counting the transaction's BEGIN (BEGIN
# IMMEDIATE on SQLite) and COMMIT: the claim; the submission with its competition and active
# answer-key version; then the team lock, the board row's upsert (on PostgreSQL it also reads the
# row as it was, in a CTE: under READ COMMITTED the lock's own statement would read it as it
# was before any wait) and the submission's UPDATE. No room: one more statement fails.
UPLOAD_CEILING = 16
SCORING_CEILING = 7


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


@pytest.mark.django_db(transaction=True)  # as in production: the scoring closes old connections
def test_an_api_upload_and_its_scoring_stay_within_their_statements():
    competition = competition_with_solution(rows=200, slug="titanic")
    alice = participant(competition, "alice")
    _, key = api_token_create(user=alice, name="count")
    upload = SimpleUploadedFile(
        "sub.csv", predictions_file(competition, quality=0.7).read(), "text/csv"
    )
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    client.get("/api/v1/competitions/titanic/")  # warm: content types, sessions, caches

    # The scoring task is queued on commit, to this test process's own broker: nobody runs it.
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/v1/competitions/titanic/submissions/", {"file": upload})
    assert response.status_code == 201, response.content
    upload_sql = statements(captured)
    assert len(upload_sql) <= UPLOAD_CEILING, "\n".join(upload_sql)

    submission = Submission.objects.get()
    with CaptureQueriesContext(connection) as captured:
        assert submission_score(submission_id=submission.pk, worker="count") == "scored"
    scoring_sql = statements(captured)
    assert len(scoring_sql) <= SCORING_CEILING, "\n".join(scoring_sql)
    print(f"\nstatements: API upload {len(upload_sql)}, scoring {len(scoring_sql)}")
