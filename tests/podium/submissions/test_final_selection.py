"""Final selection: a team picks up to N scored, on-time submissions until the deadline."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from podium.competitions.models import Competition
from podium.core.errors import DomainError
from podium.core.timeutils import now
from podium.submissions.models import FinalSelection, Submission
from podium.submissions.selectors import final_selection_state, team_submissions
from podium.submissions.services import final_selection_set, final_selections_autoselect
from podium.teams.selectors import team_for_user
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    participant,
    scored,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def competition():
    return competition_with_solution(daily_submission_limit=20)


def team_of(user, competition):
    return team_for_user(user=user, competition=competition)


def selected(team) -> set[int]:
    return set(FinalSelection.objects.filter(team=team).values_list("submission_id", flat=True))


def refused(code: str, message: str, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        final_selection_set(**kwargs)
    assert (caught.value.code, caught.value.message) == (code, message)
    return caught.value


def end(competition, ago=timedelta(hours=1)):
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - ago)
    competition.refresh_from_db()


def test_a_team_selects_and_replaces_its_final_submissions(competition):
    alice = participant(competition, "alice")
    team = team_of(alice, competition)
    a, b, c = (scored(alice, competition, 0.7 + i / 100, 0.6) for i in range(3))

    rows = final_selection_set(user=alice, team=team, submission_ids=[a.pk, b.pk])
    assert {r.submission_id for r in rows} == {a.pk, b.pk} == selected(team)
    assert all(not r.automatic and r.selected_by == alice for r in rows)

    final_selection_set(user=alice, team=team, submission_ids=[c.pk])  # replaces the set
    assert selected(team) == {c.pk}
    final_selection_set(user=alice, team=team, submission_ids=[c.pk, c.pk])  # duplicates: once
    assert selected(team) == {c.pk}
    final_selection_set(user=alice, team=team, submission_ids=[])  # clears it
    assert selected(team) == set()


def test_any_member_may_choose_for_the_team(competition):
    from podium.teams.models import Membership

    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    team = team_of(alice, competition)
    # bob joins alice's team (as a merge or an invitation would leave it)
    Membership.objects.filter(user=bob, competition=competition).update(team=team)
    sub = scored(alice, competition, 0.8, 0.7)
    final_selection_set(user=bob, team=team, submission_ids=[sub.pk])
    assert selected(team) == {sub.pk}


def test_at_most_the_competitions_number(competition):
    alice = participant(competition, "alice")
    team = team_of(alice, competition)
    subs = [scored(alice, competition, 0.7, 0.6) for _ in range(3)]
    error = refused(
        "final_selection_too_many",
        "You can select at most 2 submissions.",
        user=alice,
        team=team,
        submission_ids=[s.pk for s in subs],
    )
    assert error.details == {"limit": 2, "selected": 3}
    assert selected(team) == set()

    Competition.objects.filter(pk=competition.pk).update(max_final_selections=1)
    refused(
        "final_selection_too_many",
        "You can select at most 1 submission.",
        user=alice,
        team=team,
        submission_ids=[s.pk for s in subs[:2]],
    )
    Competition.objects.filter(pk=competition.pk).update(max_final_selections=3)
    final_selection_set(user=alice, team=team, submission_ids=[s.pk for s in subs])
    assert len(selected(team)) == 3


def test_only_scored_submissions(competition):
    alice = participant(competition, "alice")
    team = team_of(alice, competition)
    pending = submit(alice, competition)
    refused(
        "final_selection_not_scored",
        f"Submission {pending.pk} is pending: only scored submissions can be selected.",
        user=alice,
        team=team,
        submission_ids=[pending.pk],
    )
    Submission.objects.filter(pk=pending.pk).update(status=Submission.Status.FAILED)
    refused(
        "final_selection_not_scored",
        f"Submission {pending.pk} is failed: only scored submissions can be selected.",
        user=alice,
        team=team,
        submission_ids=[pending.pk],
    )


def test_only_the_teams_own_submissions(competition):
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    theirs = scored(bob, competition, 0.9, 0.9)
    mine = scored(alice, competition, 0.8, 0.8)
    error = refused(
        "final_selection_not_your_submission",
        f"Submission {theirs.pk} is not one of your team's submissions.",
        user=alice,
        team=team_of(alice, competition),
        submission_ids=[mine.pk, theirs.pk],
    )
    assert error.status == 404
    # an id that does not exist reads the same: nothing is said about other teams' submissions
    refused(
        "final_selection_not_your_submission",
        "Submission 999999 is not one of your team's submissions.",
        user=alice,
        team=team_of(alice, competition),
        submission_ids=[999999],
    )
    assert selected(team_of(alice, competition)) == set()  # nothing half-saved


def test_only_members_choose(competition):
    alice, mallory = participant(competition, "alice"), participant(competition, "mallory")
    sub = scored(alice, competition, 0.8, 0.8)
    refused(
        "not_a_participant",
        "You are not a member of the team “alice”.",
        user=mallory,
        team=team_of(alice, competition),
        submission_ids=[sub.pk],
    )


def test_late_submissions_cannot_be_selected(competition):
    alice = participant(competition, "alice")
    late = scored(alice, competition, 0.99, 0.99, late=True)
    refused(
        "final_selection_late_submission",
        f"Submission {late.pk} was made after the deadline: late submissions cannot be selected.",
        user=alice,
        team=team_of(alice, competition),
        submission_ids=[late.pk],
    )


def test_nothing_changes_after_the_deadline(competition):
    alice = participant(competition, "alice")
    team = team_of(alice, competition)
    sub = scored(alice, competition, 0.8, 0.8)
    final_selection_set(user=alice, team=team, submission_ids=[sub.pk])
    end(competition, ago=timedelta(seconds=1))
    message = "The competition has ended: the final selection can no longer be changed."
    error = refused("final_selection_closed", message, user=alice, team=team, submission_ids=[])
    assert error.status == 409
    assert selected(team) == {sub.pk}
    state = final_selection_state(team=team, competition=competition)
    assert not state.open and state.selected == {sub.pk}


def test_a_disqualified_team_cannot_choose(competition):
    alice = participant(competition, "alice")
    team = team_of(alice, competition)
    sub = scored(alice, competition, 0.8, 0.8)
    type(team).objects.filter(pk=team.pk).update(
        disqualified_at=now(), disqualification_reason="Shared code"
    )
    refused(
        "team_disqualified",
        "Your team was disqualified: Shared code.",
        user=alice,
        team=team,
        submission_ids=[sub.pk],
    )


def test_nothing_to_choose_when_every_team_is_ranked_by_its_best_private_score():
    competition = competition_with_solution(final_selection_fallback="best_private")
    alice = participant(competition, "alice")
    sub = scored(alice, competition, 0.8, 0.8)
    refused(
        "final_selection_not_used",
        "This competition ranks every team by its best private score among all its submissions "
        "made before the deadline: there is nothing to select.",
        user=alice,
        team=team_of(alice, competition),
        submission_ids=[sub.pk],
    )
    state = final_selection_state(team=team_of(alice, competition), competition=competition)
    assert not state.choosing and not state.open


def test_the_state_and_rows_the_team_sees(competition):
    alice = participant(competition, "alice")
    team = team_of(alice, competition)
    a = scored(alice, competition, 0.8, 0.8)
    late = scored(alice, competition, 0.9, 0.9, late=True)
    pending = submit(alice, competition)
    final_selection_set(user=alice, team=team, submission_ids=[a.pk])

    state = final_selection_state(team=team, competition=competition)
    assert state.choosing and state.open and state.limit == 2 and state.count == 1
    rows = {r.id: r for r in team_submissions(team=team, viewer=alice)}
    assert rows[a.pk].selected and rows[a.pk].selectable
    assert not rows[late.pk].selectable and not rows[pending.pk].selectable


# -- automatic selection at the reveal ------------------------------------------------------------


def test_a_team_that_chose_none_gets_its_best_public_ones_ties_to_the_earlier(competition):
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    t0 = now() - timedelta(days=2)
    first = scored(alice, competition, 0.80, 0.1, at=t0)
    scored(alice, competition, 0.70, 0.9, at=t0 + timedelta(hours=1))
    tie = scored(alice, competition, 0.80, 0.2, at=t0 + timedelta(hours=2))  # same, later
    best = scored(alice, competition, 0.85, 0.3, at=t0 + timedelta(hours=3))
    scored(alice, competition, 0.99, 0.99, late=True)  # late: never
    chosen = scored(bob, competition, 0.5, 0.5)
    scored(bob, competition, 0.9, 0.9)
    final_selection_set(user=bob, team=chosen.team, submission_ids=[chosen.pk])

    assert final_selections_autoselect(competition=competition) == 1
    auto = FinalSelection.objects.filter(team=first.team)
    assert {s.submission_id for s in auto} == {best.pk, first.pk}
    assert all(s.automatic and s.selected_by is None for s in auto)
    assert tie.pk not in selected(first.team)
    assert selected(chosen.team) == {chosen.pk}  # a team's own choice stands

    # idempotent, and it follows the scores (a rescoring may change them)
    Submission.objects.filter(pk=tie.pk).update(public_score=0.95)
    assert final_selections_autoselect(competition=competition) == 1
    assert selected(first.team) == {tie.pk, best.pk}


def test_lower_is_better_metrics_pick_the_lowest_public_scores():
    competition = competition_with_solution(metric="log_loss", max_final_selections=1)
    alice = participant(competition, "alice")
    scored(alice, competition, 0.5, 0.1)
    low = scored(alice, competition, 0.2, 0.9)
    final_selections_autoselect(competition=competition)
    assert selected(low.team) == {low.pk}


def test_a_chosen_submission_that_no_longer_counts_falls_back_to_automatic(competition):
    alice = participant(competition, "alice")
    team = team_of(alice, competition)
    chosen = scored(alice, competition, 0.6, 0.6)
    other = scored(alice, competition, 0.7, 0.7)
    final_selection_set(user=alice, team=team, submission_ids=[chosen.pk])
    Submission.objects.filter(pk=chosen.pk).update(status=Submission.Status.FAILED)  # rescored
    final_selections_autoselect(competition=competition)
    auto = set(
        FinalSelection.objects.filter(team=team, automatic=True).values_list(
            "submission_id", flat=True
        )
    )
    assert auto == {other.pk}


# -- My Submissions -------------------------------------------------------------------------------


def my_submissions(client, competition) -> str:
    response = client.get(reverse("web:my_submissions", args=[competition.slug]))
    assert response.status_code == 200
    return response.content.decode()


def checkbox(page: str, submission) -> str:
    match = re.search(rf'<input type="checkbox"[^>]*Final submission {submission.pk}"[^>]*>', page)
    assert match, f"no checkbox for submission {submission.pk}"
    return match.group(0)


def test_my_submissions_has_a_checkbox_per_selectable_submission(client, competition):
    alice = participant(competition, "alice")
    a, b = scored(alice, competition, 0.8, 0.8), scored(alice, competition, 0.7, 0.7)
    late = scored(alice, competition, 0.9, 0.9, late=True)
    pending = submit(alice, competition)
    final_selection_set(user=alice, team=team_of(alice, competition), submission_ids=[b.pk])
    client.force_login(alice)
    page = my_submissions(client, competition)
    assert 'form="final-selection"' in checkbox(page, a) and "disabled" not in checkbox(page, a)
    assert "checked" in checkbox(page, b) and "checked" not in checkbox(page, a)
    assert "disabled" in checkbox(page, late) and "Late submissions cannot be selected" in page
    assert "disabled" in checkbox(page, pending)
    assert "Final submissions: 1 of 2 selected." in page
    assert "Tick up to 2 scored submissions below" in page
    assert "Save final selection" in page
    # the row that the page polls while scoring runs has the same cell
    row = client.get(reverse("web:submission_status", args=[pending.pk])).content.decode()
    assert "disabled" in checkbox(row, pending)


def test_the_form_saves_the_ticked_boxes(client, competition):
    alice = participant(competition, "alice")
    a, b, c = (scored(alice, competition, 0.7, 0.7) for _ in range(3))
    client.force_login(alice)
    url = reverse("web:final_selection", args=[competition.slug])

    response = client.post(url, {"submission": [a.pk, c.pk]}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:my_submissions", args=[competition.slug])
    page = response.content.decode()
    assert f"Your final selection is saved: submission(s) {a.pk}, {c.pk}." in page
    assert selected(team_of(alice, competition)) == {a.pk, c.pk}

    page = client.post(url, {"submission": [a.pk, b.pk, c.pk]}, follow=True).content.decode()
    assert "You can select at most 2 submissions." in page
    assert selected(team_of(alice, competition)) == {a.pk, c.pk}

    page = client.post(url, {}, follow=True).content.decode()
    assert "Your final selection is cleared: your best public submissions will be used." in page
    assert selected(team_of(alice, competition)) == set()

    page = client.post(url, {"submission": ["x"]}, follow=True).content.decode()
    assert "Choose your final submissions from the list." in page
    assert client.get(url).status_code == 405


def test_the_form_needs_a_member(client, competition):
    url = reverse("web:final_selection", args=[competition.slug])
    response = client.post(url, {"submission": [1]})
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
    client.force_login(UserFactory())
    response = client.post(url, {"submission": [1]})
    assert response.status_code == 403
    assert "You have not joined" in response.content.decode()


def test_after_the_deadline_the_boxes_are_disabled(client, competition):
    alice = participant(competition, "alice")
    a = scored(alice, competition, 0.8, 0.8)
    final_selection_set(user=alice, team=team_of(alice, competition), submission_ids=[a.pk])
    end(competition)
    client.force_login(alice)
    page = my_submissions(client, competition)
    assert "disabled" in checkbox(page, a) and "checked" in checkbox(page, a)
    assert "The selection closed at the end of the competition" in page
    assert "Save final selection" not in page
    response = client.post(
        reverse("web:final_selection", args=[competition.slug]), {"submission": []}, follow=True
    )
    assert "the final selection can no longer be changed" in response.content.decode()


def test_nothing_to_select_in_best_private_competitions(client):
    competition = competition_with_solution(final_selection_fallback="best_private")
    alice = participant(competition, "alice")
    scored(alice, competition, 0.8, 0.8)
    client.force_login(alice)
    page = my_submissions(client, competition)
    assert "there are no final submissions to select" in page
    assert 'type="checkbox"' not in page and "final-selection" not in page
