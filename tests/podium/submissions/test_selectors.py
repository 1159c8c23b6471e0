"""What a viewer sees of a submission (``submissions.selectors.viewing``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from podium.submissions.models import Submission
from podium.submissions.selectors import new_submission_view, submission_view
from tests.podium.factories import competition_with_solution, participant, submit

pytestmark = pytest.mark.django_db


def test_a_new_submission_is_viewed_without_a_query_as_submission_view_shows_it():
    competition = competition_with_solution()
    user = participant(competition)
    submission = submit(user, competition)  # not scored: nothing runs the queued task here
    with CaptureQueriesContext(connection) as queries:
        new = new_submission_view(submission)
    assert len(queries) == 0
    assert new == submission_view(submission, viewer=user)
    assert new.status == "pending" and new.public_score is None and new.private_score is None
    assert not new.selected and not new.selectable


def test_a_scored_submission_is_not_new():
    competition = competition_with_solution()
    submission = submit(participant(competition), competition)
    Submission.objects.filter(pk=submission.pk).update(status="scored", private_score=0.5)
    submission.refresh_from_db()
    with pytest.raises(ValueError, match="not new"):
        new_submission_view(submission)


def test_upload_facts_are_one_query_and_say_what_an_upload_checks():
    from podium.competitions.models import RuleAcceptance, SolutionVersion
    from podium.core.errors import PermissionDenied
    from podium.submissions.selectors import upload_facts
    from tests.podium.factories import UserFactory

    competition = competition_with_solution()
    user = participant(competition)
    with CaptureQueriesContext(connection) as queries:
        facts = upload_facts(user=user, competition=competition)
    assert len(queries) == 1
    assert facts.team.memberships.filter(user=user).exists()
    assert (facts.rules_accepted, facts.has_answer_key) == (True, True)

    RuleAcceptance.objects.filter(user=user).delete()
    SolutionVersion.objects.filter(competition=competition).delete()
    facts = upload_facts(user=user, competition=competition)
    assert (facts.rules_accepted, facts.has_answer_key) == (False, False)

    with pytest.raises(PermissionDenied) as refused:
        upload_facts(user=UserFactory(), competition=competition)
    assert refused.value.code == "not_a_participant"
