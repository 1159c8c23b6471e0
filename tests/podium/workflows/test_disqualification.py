"""Disqualifying a team: it leaves both boards, keeps its submissions, sees the reason, and can
be reinstated; every refusal with its message; the admin action with its confirmation page."""

from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from podium.competitions.models import Competition
from podium.core.errors import Conflict, DomainError, PermissionDenied
from podium.core.timeutils import now
from podium.leaderboards.models import LeaderboardEntry
from podium.leaderboards.reveal import leaderboard_reveal
from podium.leaderboards.selectors import board_size, private_board, public_board, team_entry
from podium.submissions.models import Submission
from podium.teams.models import Team
from podium.workflows.disqualification import team_disqualify, team_reinstate
from podium.workflows.scoring import submission_score
from tests.podium.factories import (
    competition_with_solution,
    organizer,
    participant,
    predictions_file,
    scored,
    submit,
    superuser,
)

pytestmark = pytest.mark.django_db

REASON = "Two accounts of one person (rule 3)."


def team_of(user, competition) -> Team:
    return Team.objects.get(competition=competition, memberships__user=user)


def public(competition) -> list[tuple[int, str]]:
    return [(row.rank, row.team_name) for row in public_board(competition=competition)]


@pytest.fixture
def race():
    """Titanic with three teams on the board: ann 0.9, ben 0.8, cat 0.7 (public)."""
    competition = competition_with_solution(title="Titanic")
    host = organizer(competition)
    users = {name: participant(competition, name) for name in ("ann", "ben", "cat")}
    for name, score in (("ann", 0.9), ("ben", 0.8), ("cat", 0.7)):
        scored(users[name], competition, public=score, private=1 - score)
    return competition, host, users


def test_a_disqualified_team_leaves_the_public_board_and_is_reinstated(race):
    competition, host, users = race
    ben = team_of(users["ben"], competition)
    kept = Submission.objects.filter(team=ben).count()

    done = team_disqualify(team=ben, reason=f"  {REASON} ", by=host)
    assert done.disqualified_at is not None and done.disqualification_reason == REASON
    assert public(competition) == [(1, "ann"), (2, "cat")]  # the ranks close up
    assert board_size(competition=competition) == 2
    _, cat_rank = team_entry(competition=competition, team=team_of(users["cat"], competition))
    assert cat_rank == 2
    assert Submission.objects.filter(team=ben).count() == kept  # its submissions are kept
    assert LeaderboardEntry.objects.filter(team=ben).exists()  # its row too, left out

    back = team_reinstate(team=ben, by=host)
    assert back.disqualified_at is None and back.disqualification_reason == ""
    assert public(competition) == [(1, "ann"), (2, "ben"), (3, "cat")]


def test_a_disqualified_team_cannot_submit_and_is_told_why(race):
    competition, host, users = race
    team_disqualify(team=team_of(users["ben"], competition), reason=REASON, by=host)
    with pytest.raises(PermissionDenied) as refused:
        submit(users["ben"], competition)
    assert refused.value.message == f"Your team was disqualified: {REASON}."


@pytest.mark.django_db(transaction=True)  # the scoring manages its own connection
def test_scores_written_while_disqualified_count_after_reinstating(race):
    competition, host, users = race
    cat = team_of(users["cat"], competition)
    pending = submit(users["cat"], competition, predictions_file(competition, quality=0.5))
    team_disqualify(team=cat, reason=REASON, by=host)
    assert submission_score(submission_id=pending.pk, worker="w") == "scored"
    pending.refresh_from_db()
    assert pending.result_message.endswith("Your team is not ranked (disqualified).")
    assert LeaderboardEntry.objects.get(team=cat).entries == 1  # scoring left the row alone

    team_reinstate(team=cat, by=host)
    entry = LeaderboardEntry.objects.get(team=cat)
    assert entry.entries == 2 and entry.best_public_score == pending.public_score == 1.0
    assert public(competition)[0] == (1, "cat")


def test_after_the_reveal_the_private_board_is_rebuilt_without_the_team(race):
    competition, host, users = race
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - timedelta(minutes=1))
    competition.refresh_from_db()
    assert leaderboard_reveal(competition=competition, by=host)

    def private() -> list[tuple[int, str]]:
        rows = private_board(competition=competition, viewer=users["ann"])
        return [(row.rank, row.team_name) for row in rows]

    assert private() == [(1, "cat"), (2, "ben"), (3, "ann")]  # private = 1 - public
    team_disqualify(team=team_of(users["cat"], competition), reason=REASON, by=host)
    assert private() == [(1, "ben"), (2, "ann")]
    assert public(competition) == [(1, "ann"), (2, "ben")]
    team_reinstate(team=team_of(users["cat"], competition), by=host)
    assert private() == [(1, "cat"), (2, "ben"), (3, "ann")]


# -- what the team sees ------------------------------------------------------------------------


def test_the_team_sees_the_reason_on_its_competition_pages(client, race):
    competition, host, users = race
    team_disqualify(team=team_of(users["ben"], competition), reason=REASON, by=host)
    client.force_login(users["ben"])
    for tab in ("overview", "leaderboard", "my_submissions"):
        page = client.get(reverse(f"web:{tab}", kwargs={"slug": competition.slug}))
        text = page.content.decode()
        assert "Your team was disqualified" in text and REASON in text, tab
    board = client.get(reverse("web:leaderboard", kwargs={"slug": competition.slug}))
    assert [row.team_name for row in board.context["board"].rows] == ["ann", "cat"]

    client.force_login(users["ann"])  # other teams see no banner
    page = client.get(reverse("web:overview", kwargs={"slug": competition.slug}))
    assert "Your team was disqualified" not in page.content.decode()

    team_reinstate(team=team_of(users["ben"], competition), by=host)
    client.force_login(users["ben"])
    page = client.get(reverse("web:overview", kwargs={"slug": competition.slug}))
    assert "Your team was disqualified" not in page.content.decode()


# -- refusals ----------------------------------------------------------------------------------


def test_only_the_competition_s_organizers_disqualify_and_reinstate(race):
    competition, host, users = race
    ben = team_of(users["ben"], competition)
    outsider = organizer(competition_with_solution())
    for who in (users["ann"], outsider):
        with pytest.raises(PermissionDenied) as refused:
            team_disqualify(team=ben, reason=REASON, by=who)
        assert refused.value.code == "not_an_organizer"
        assert refused.value.message == "Only the organizers of Titanic can disqualify its teams."
    team_disqualify(team=ben, reason=REASON, by=superuser())  # superusers organize everything
    with pytest.raises(PermissionDenied) as refused:
        team_reinstate(team=ben, by=outsider)
    assert refused.value.message == "Only the organizers of Titanic can reinstate its teams."
    assert team_of(users["ben"], competition).disqualified_at is not None


@pytest.mark.parametrize(
    "reason, code, message",
    [
        (
            "",
            "disqualification_reason_required",
            "Give a reason for the disqualification: the team sees it on the competition's pages.",
        ),
        (
            "   ",
            "disqualification_reason_required",
            "Give a reason for the disqualification: the team sees it on the competition's pages.",
        ),
        (
            "x" * 501,
            "disqualification_reason_too_long",
            "The reason is 501 characters long; at most 500 fit.",
        ),
    ],
)
def test_a_reason_is_required_and_must_fit(race, reason, code, message):
    competition, host, users = race
    with pytest.raises(DomainError) as refused:
        team_disqualify(team=team_of(users["ben"], competition), reason=reason, by=host)
    assert (refused.value.code, refused.value.message) == (code, message)
    assert team_of(users["ben"], competition).disqualified_at is None


def test_disqualifying_twice_and_reinstating_a_team_in_good_standing_are_refused(race):
    competition, host, users = race
    ann = team_of(users["ann"], competition)
    with pytest.raises(Conflict) as refused:
        team_reinstate(team=ann, by=host)
    assert (refused.value.code, refused.value.message) == (
        "team_not_disqualified",
        "ann is not disqualified.",
    )
    team_disqualify(team=ann, reason=REASON, by=host)
    with pytest.raises(Conflict) as refused:
        team_disqualify(team=ann, reason="Another reason", by=host)
    assert (refused.value.code, refused.value.message) == (
        "team_already_disqualified",
        f"ann is already disqualified: {REASON}",
    )
    assert team_of(users["ann"], competition).disqualification_reason == REASON


# -- the admin action --------------------------------------------------------------------------

CHANGELIST = reverse("admin:teams_team_changelist")


def action(name: str, *teams, **extra) -> dict:
    return {"action": name, helpers.ACTION_CHECKBOX_NAME: [t.pk for t in teams], **extra}


def test_the_admin_asks_for_a_reason_then_disqualifies(client, race):
    competition, host, users = race
    ben, cat = team_of(users["ben"], competition), team_of(users["cat"], competition)
    client.force_login(host)

    page = client.post(CHANGELIST, action("disqualify_teams", ben, cat))
    assert page.status_code == 200
    assert page.templates[0].name == "admin/teams/team/disqualify_confirmation.html"
    text = page.content.decode()
    assert "Reason (shown to the team)" in text and "ben" in text and "cat" in text

    blank = client.post(CHANGELIST, action("disqualify_teams", ben, cat, post="yes", reason=" "))
    assert blank.status_code == 200  # the page again, with the service's message
    assert "Give a reason for the disqualification" in blank.content.decode()
    assert not Team.objects.filter(disqualified_at__isnull=False).exists()

    done = client.post(
        CHANGELIST, action("disqualify_teams", ben, cat, post="yes", reason=REASON), follow=True
    )
    assert "Disqualified 2 team(s): ben, cat." in done.content.decode()
    out = Team.objects.filter(disqualified_at__isnull=False).values_list("name", flat=True)
    assert set(out) == {"ben", "cat"}
    assert public(competition) == [(1, "ann")]

    again = client.post(
        CHANGELIST, action("disqualify_teams", ben, post="yes", reason="More"), follow=True
    )
    assert [str(m) for m in again.context["messages"]] == [
        f"ben: ben is already disqualified: {REASON}"
    ]

    back = client.post(CHANGELIST, action("reinstate_teams", ben, cat), follow=True)
    assert "Reinstated 2 team(s): ben, cat." in back.content.decode()
    assert public(competition) == [(1, "ann"), (2, "ben"), (3, "cat")]


def test_an_organizer_of_another_competition_cannot_disqualify_these_teams(client, race):
    competition, host, users = race
    ben = team_of(users["ben"], competition)
    client.force_login(organizer(competition_with_solution()))
    client.post(CHANGELIST, action("disqualify_teams", ben, post="yes", reason=REASON))
    assert team_of(users["ben"], competition).disqualified_at is None  # not in their list at all
