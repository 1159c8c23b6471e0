"""The private board and its reveal: automatic (the beat task) or by an organizer, idempotent,
the final-selection rules (Kaggle's and DrivenData's), ties, disqualified teams, late entries."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from podium.competitions.models import Competition
from podium.core.errors import DomainError, NotFound
from podium.core.timeutils import now
from podium.leaderboards.models import PrivateEntry
from podium.leaderboards.reveal import leaderboard_reveal, reveal_due_boards
from podium.leaderboards.selectors import (
    private_board,
    private_board_page,
    private_board_visible,
    team_private_entry,
)
from podium.leaderboards.services import private_board_build
from podium.submissions.models import FinalSelection, Submission
from podium.submissions.services import final_selection_set
from podium.teams.models import Team
from podium.workflows import tasks
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    organizer,
    participant,
    scored,
    submit,
)

pytestmark = pytest.mark.django_db

T0 = now() - timedelta(days=5)


def at(hours: float):
    return T0 + timedelta(hours=hours)


def end(competition, ago=timedelta(minutes=1)) -> Competition:
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - ago)
    competition.refresh_from_db()
    return competition


def board(competition, viewer=None) -> list[tuple[str, float]]:
    viewer = viewer or UserFactory(is_superuser=True)
    rows = private_board(competition=competition, viewer=viewer)
    return [(r.team_name, r.private_score) for r in rows]


def choose(user, competition, *subs):
    team = Team.objects.get(competition=competition, memberships__user=user)
    final_selection_set(user=user, team=team, submission_ids=[s.pk for s in subs])


@pytest.fixture
def competition():
    return competition_with_solution(daily_submission_limit=20)


@pytest.fixture
def shake_up(competition):
    """Three teams; the public order alice > bob > carol becomes carol > bob > alice."""
    alice, bob, carol = (participant(competition, n) for n in ("alice", "bob", "carol"))
    a = scored(alice, competition, 0.95, 0.60, at=at(1))
    b = scored(bob, competition, 0.90, 0.75, at=at(2))
    c = scored(carol, competition, 0.85, 0.90, at=at(3))
    choose(alice, competition, a)
    choose(bob, competition, b)
    choose(carol, competition, c)
    return competition, (alice, bob, carol), (a, b, c)


# -- the organizer's reveal ---------------------------------------------------------------------


def test_an_organizer_reveals_the_board_with_each_teams_move(shake_up):
    competition, _, (a, b, c) = shake_up
    host = organizer(competition)
    end(competition)
    assert leaderboard_reveal(competition=competition, by=host) is True
    competition.refresh_from_db()
    assert competition.private_revealed_at is not None and competition.state == "revealed"

    rows = private_board(competition=competition, viewer=AnonymousUser())
    assert [(r.rank, r.team_name, r.private_score) for r in rows] == [
        (1, "carol", 0.90),
        (2, "bob", 0.75),
        (3, "alice", 0.60),
    ]
    assert [(r.public_rank, r.public_score, r.move) for r in rows] == [
        (3, 0.85, 2),
        (2, 0.90, 0),
        (1, 0.95, -2),
    ]
    assert [r.submission_id for r in rows] == [c.pk, b.pk, a.pk]
    assert rows[0].private_display == "0.90000" and rows[0].public_display == "0.85000"


def test_the_reveal_is_idempotent(shake_up):
    competition, _, _ = shake_up
    end(competition)
    assert leaderboard_reveal(competition=competition) is True
    first = list(PrivateEntry.objects.order_by("rank").values_list("pk", "built_at"))
    revealed_at = Competition.objects.get(pk=competition.pk).private_revealed_at
    assert leaderboard_reveal(competition=competition) is False
    assert leaderboard_reveal(competition=Competition.objects.get(pk=competition.pk)) is False
    assert list(PrivateEntry.objects.order_by("rank").values_list("pk", "built_at")) == first
    assert Competition.objects.get(pk=competition.pk).private_revealed_at == revealed_at


def test_no_reveal_before_the_end(shake_up):
    competition, _, _ = shake_up
    end_at = competition.end_at
    with pytest.raises(DomainError) as caught:
        leaderboard_reveal(competition=competition)
    assert caught.value.code == "reveal_before_end" and caught.value.status == 409
    assert caught.value.message == (
        f"{competition.title} ends on {end_at:%d %b %Y at %H:%M} UTC: its private leaderboard "
        "can be revealed after that."
    )
    assert not PrivateEntry.objects.exists()
    assert Competition.objects.get(pk=competition.pk).private_revealed_at is None


def test_the_reveal_waits_for_submissions_still_being_scored(shake_up):
    competition, (alice, bob, _), _ = shake_up
    pending = [submit(alice, competition), submit(bob, competition)]
    end(competition)
    with pytest.raises(DomainError) as caught:
        leaderboard_reveal(competition=competition)
    assert caught.value.code == "reveal_waits_for_scoring"
    assert caught.value.message == (
        "2 submissions made before the end are still being scored: the private leaderboard can "
        "be revealed once scoring is done."
    )
    Submission.objects.filter(pk=pending[0].pk).update(status=Submission.Status.FAILED)
    with pytest.raises(DomainError) as caught:
        leaderboard_reveal(competition=competition)
    assert caught.value.message.startswith("1 submission made before the end is still")
    # a late submission being scored does not hold the reveal
    Submission.objects.filter(pk=pending[1].pk).update(is_late=True)
    assert leaderboard_reveal(competition=competition) is True


def test_only_its_organizers_reveal(shake_up):
    competition, (alice, _, _), _ = shake_up
    end(competition)
    for outsider in (alice, organizer(competition_with_solution())):
        with pytest.raises(DomainError) as caught:
            leaderboard_reveal(competition=competition, by=outsider)
        assert caught.value.code == "not_an_organizer"
        assert caught.value.message == (
            f"Only the organizers of {competition.title} can reveal its private leaderboard."
        )
    assert Competition.objects.get(pk=competition.pk).private_revealed_at is None


# -- the automatic reveal (beat task) -----------------------------------------------------------


def test_the_task_reveals_every_competition_that_ended(shake_up):
    competition, _, _ = shake_up
    running = competition_with_solution()
    manual = end(competition_with_solution(auto_reveal_private=False))
    assert tasks.reveal_due_boards() == []  # nothing has ended with auto_reveal yet
    end(competition)
    assert tasks.reveal_due_boards.apply().get() == [competition.slug]
    assert tasks.reveal_due_boards() == []  # idempotent: already revealed
    assert Competition.objects.get(pk=competition.pk).private_revealed_at is not None
    for other in (running, manual):
        assert Competition.objects.get(pk=other.pk).private_revealed_at is None
    assert len(board(competition)) == 3


def test_the_task_waits_for_scoring_then_reveals(shake_up, caplog):
    competition, (alice, _, _), _ = shake_up
    pending = submit(alice, competition)
    end(competition)
    assert reveal_due_boards() == []
    assert "still being scored" in caplog.text
    Submission.objects.filter(pk=pending.pk).update(status=Submission.Status.FAILED)
    assert reveal_due_boards() == [competition.slug]


def test_the_beat_schedule_runs_the_task_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reveal-due-boards"]
    assert entry == {
        "task": "podium.workflows.tasks.reveal_due_boards",
        "schedule": 60.0,
        "options": {"queue": "maintenance", "expires": 60.0},  # its own queue, never piled up
    }
    assert entry["task"] == tasks.reveal_due_boards.name


# -- what counts for a team ---------------------------------------------------------------------


def test_a_team_scores_its_best_private_among_its_selections(competition):
    alice = participant(competition, "alice")
    chosen_low = scored(alice, competition, 0.90, 0.50, at=at(1))
    chosen_high = scored(alice, competition, 0.80, 0.70, at=at(2))
    scored(alice, competition, 0.70, 0.99, at=at(3))  # not chosen: does not count
    choose(alice, competition, chosen_low, chosen_high)
    end(competition)
    leaderboard_reveal(competition=competition)
    entry = PrivateEntry.objects.get()
    assert (entry.submission_id, entry.private_score) == (chosen_high.pk, 0.70)
    assert entry.public_score == 0.90 and entry.public_rank == 1


def test_kaggle_a_team_that_chose_none_gets_its_best_public_ones(competition):
    alice = participant(competition, "alice")
    scored(alice, competition, 0.95, 0.50, at=at(1))
    best_private_of_two = scored(alice, competition, 0.90, 0.60, at=at(2))
    scored(alice, competition, 0.70, 0.99, at=at(3))  # third by public: not used
    end(competition)
    leaderboard_reveal(competition=competition)
    entry = PrivateEntry.objects.get()
    assert entry.submission_id == best_private_of_two.pk and entry.private_score == 0.60
    auto = FinalSelection.objects.filter(automatic=True)
    assert auto.count() == 2 and best_private_of_two.pk in {s.submission_id for s in auto}


def test_drivendata_every_team_is_ranked_by_its_best_private_score():
    competition = competition_with_solution(
        daily_submission_limit=20, final_selection_fallback="best_private"
    )
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    scored(alice, competition, 0.95, 0.50, at=at(1))
    hidden_gem = scored(alice, competition, 0.60, 0.97, at=at(2))
    scored(bob, competition, 0.99, 0.80, at=at(1))
    scored(alice, competition, 0.99, 0.99, at=at(3), late=True)  # late: never
    end(competition)
    leaderboard_reveal(competition=competition)
    assert board(competition) == [("alice", 0.97), ("bob", 0.80)]
    assert PrivateEntry.objects.get(rank=1).submission_id == hidden_gem.pk
    assert not FinalSelection.objects.exists()  # nothing is selected in this mode


def test_ties_go_to_the_earlier_submission(competition):
    alice, bob, carol = (participant(competition, n) for n in ("alice", "bob", "carol"))
    # within a team: the same private score twice, the earlier one counts
    early = scored(alice, competition, 0.80, 0.70, at=at(2))
    scored(alice, competition, 0.85, 0.70, at=at(5))
    # across teams: bob's tied score was submitted before alice's, carol's after
    scored(bob, competition, 0.60, 0.70, at=at(1))
    scored(carol, competition, 0.90, 0.70, at=at(3))
    end(competition)
    leaderboard_reveal(competition=competition)
    assert [name for name, _ in board(competition)] == ["bob", "alice", "carol"]
    assert PrivateEntry.objects.get(team__name="alice").submission_id == early.pk


def test_lower_is_better_metrics_rank_ascending():
    competition = competition_with_solution(metric="log_loss")
    good, bad = participant(competition, "good"), participant(competition, "bad")
    scored(good, competition, 0.9, 0.2, at=at(1))
    scored(bad, competition, 0.1, 0.8, at=at(2))
    end(competition)
    leaderboard_reveal(competition=competition)
    rows = private_board(competition=competition, viewer=AnonymousUser())
    assert [(r.team_name, r.move) for r in rows] == [("good", 1), ("bad", -1)]


def test_disqualified_teams_are_left_out_and_the_ranks_close_up(shake_up):
    competition, _, _ = shake_up
    Team.objects.filter(competition=competition, name="bob").update(
        disqualified_at=now(), disqualification_reason="Two accounts"
    )
    end(competition)
    leaderboard_reveal(competition=competition)
    rows = private_board(competition=competition, viewer=AnonymousUser())
    assert [(r.rank, r.team_name, r.public_rank) for r in rows] == [
        (1, "carol", 2),
        (2, "alice", 1),
    ]


def test_late_submissions_are_never_on_the_board(competition):
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    scored(alice, competition, 0.5, 0.5, at=at(1))
    scored(bob, competition, 0.4, 0.4, at=at(1))
    end(competition)
    late = scored(bob, competition, 0.99, 0.99)  # made after the end
    late.refresh_from_db()
    assert late.is_late
    leaderboard_reveal(competition=competition)
    assert board(competition) == [("alice", 0.5), ("bob", 0.4)]
    assert late.pk not in set(FinalSelection.objects.values_list("submission_id", flat=True))


def test_a_team_with_only_late_submissions_is_not_on_the_board(competition):
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    scored(alice, competition, 0.5, 0.5, at=at(1))
    end(competition)
    scored(bob, competition, 0.9, 0.9)
    leaderboard_reveal(competition=competition)
    assert board(competition) == [("alice", 0.5)]


# -- rebuilding after the reveal ----------------------------------------------------------------


def test_a_rebuild_follows_new_scores_and_is_idempotent(shake_up):
    competition, _, (a, _, _) = shake_up
    end(competition)
    leaderboard_reveal(competition=competition)
    assert private_board_build(competition=competition) == 3
    assert private_board_build(competition=competition) == 3
    assert PrivateEntry.objects.count() == 3
    Submission.objects.filter(pk=a.pk).update(private_score=0.99)  # rescored
    private_board_build(competition=competition)
    assert board(competition)[0] == ("alice", 0.99)


# -- who sees it --------------------------------------------------------------------------------


def test_before_the_reveal_only_organizers_see_the_private_board(shake_up):
    competition, (alice, _, _), _ = shake_up
    private_board_build(competition=competition)  # e.g. rebuilt early: still hidden
    host = organizer(competition)
    for viewer in (AnonymousUser(), alice, organizer(competition_with_solution())):
        assert not private_board_visible(competition=competition, viewer=viewer)
        with pytest.raises(NotFound) as caught:
            private_board_page(competition=competition, viewer=viewer)
        assert caught.value.message == (
            "The private leaderboard is revealed when the competition ends."
        )
        assert caught.value.code == "private_leaderboard_not_revealed"
        team = Team.objects.get(competition=competition, name="alice")
        assert team_private_entry(team=team, viewer=viewer) is None
    assert private_board_page(competition=competition, viewer=host).total == 3

    end(competition)
    leaderboard_reveal(competition=competition)
    assert private_board_page(competition=competition, viewer=AnonymousUser()).total == 3
    mine = team_private_entry(team=Team.objects.get(name="alice"), viewer=alice)
    assert (mine.rank, mine.move) == (3, -2)


# -- the admin ----------------------------------------------------------------------------------

LIST_URL = reverse("admin:competitions_competition_changelist")


def test_the_admin_action_reveals_and_says_so(client, shake_up):
    competition, _, _ = shake_up
    client.force_login(organizer(competition))
    asked = {"action": "reveal_private_board", "_selected_action": [competition.pk]}
    confirmation = client.post(LIST_URL, asked).content.decode()  # the intermediate page
    assert "This cannot be undone." in confirmation
    assert f"type <code>{competition.slug}</code> to confirm" in confirmation
    data = {**asked, "post": "yes", f"confirm_{competition.pk}": competition.slug}

    page = client.post(LIST_URL, data, follow=True).content.decode()
    assert "its private leaderboard can be revealed after that" in page
    assert Competition.objects.get(pk=competition.pk).private_revealed_at is None

    end(competition)
    page = client.post(LIST_URL, data, follow=True).content.decode()
    assert f"The private leaderboard of {competition.title} is revealed." in page
    assert Competition.objects.get(pk=competition.pk).private_revealed_at is not None
    page = client.post(LIST_URL, data, follow=True).content.decode()
    assert "was already revealed" in page


def test_the_admin_exports_the_private_board(client, shake_up):
    competition, _, _ = shake_up
    end(competition)
    leaderboard_reveal(competition=competition)
    client.force_login(organizer(competition))
    data = {"action": "export_private_board_csv", "_selected_action": [competition.pk]}
    response = client.post(LIST_URL, data)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["rank", "move", "team", "members", "private_score"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        ("1", "2", "carol"),
        ("2", "0", "bob"),
        ("3", "-2", "alice"),
    ]


def test_the_admin_form_shows_the_final_results_settings(client, competition):
    client.force_login(organizer(competition))
    url = reverse("admin:competitions_competition_change", args=[competition.pk])
    page = client.get(url).content.decode()
    assert "Final results" in page
    assert 'name="auto_reveal_private"' in page and 'name="final_selection_fallback"' in page
    assert 'name="private_revealed_at"' not in page  # read-only: only the reveal sets it


# -- the Leaderboard tab --------------------------------------------------------------------------


def test_the_private_sub_tab_appears_with_the_reveal(client, shake_up):
    competition, (alice, _, _), _ = shake_up
    public_url = reverse("web:leaderboard", args=[competition.slug])
    private_url = reverse("web:leaderboard_private", args=[competition.slug])
    client.force_login(alice)
    assert private_url not in client.get(public_url).content.decode()
    response = client.get(private_url)
    assert response.status_code == 404
    assert "The private leaderboard is revealed when the competition ends." in (
        response.content.decode()
    )

    end(competition)
    leaderboard_reveal(competition=competition)
    page = client.get(public_url).content.decode()
    assert f'href="{private_url}"' in page and "holds the\n  final standings" in page
    page = client.get(private_url).content.decode()
    assert 'aria-current="page">Private<' in page
    rows = re.findall(r"<tr[^>]*>\s*<td class=\"num\">(\d+)</td>(.*?)</tr>", page, re.S)
    assert [rank for rank, _ in rows] == ["1", "2", "3"]
    carol, bob, alice_row = (cells for _, cells in rows)
    assert "▲2" in carol and "carol" in carol and "0.90000" in carol and "0.85000" in carol
    assert 'title="No change"' in bob
    assert "▼2" in alice_row and "0.60000" in alice_row and "(#1)" in alice_row
    assert 'class="mine"' in page  # alice's own row is marked


def test_organizers_see_the_private_board_before_the_reveal(client, shake_up):
    competition, _, _ = shake_up
    private_board_build(competition=competition)
    client.force_login(organizer(competition))
    page = client.get(reverse("web:leaderboard_private", args=[competition.slug])).content.decode()
    assert "Organizers only:" in page and "0.90000" in page


def test_my_submissions_after_the_reveal(client, shake_up):
    competition, (alice, _, _), (a, _, _) = shake_up
    end(competition)
    late = scored(alice, competition, 0.99, 0.42)
    leaderboard_reveal(competition=competition)
    client.force_login(alice)
    page = client.get(reverse("web:my_submissions", args=[competition.slug])).content.decode()
    assert "Your team finished <strong>#3</strong>" in page and "▼2" in page
    assert "Private score" in page and "0.42000" in page  # the late one, with both its scores
    assert page.count('class="badge counted"') == 1
    row = re.search(rf'<tr id="submission-{a.pk}".*?</tr>', page, re.S).group(0)
    assert "counted" in row and "0.60000" in row
    assert late.pk not in {e.submission_id for e in PrivateEntry.objects.all()}
