"""Rank history: periodic snapshots of the ranks that changed, the public board's 24-hour moves,
and a team's score and rank over time."""

from datetime import timedelta

import pytest
from django.urls import reverse

from podium.core.timeutils import now
from podium.leaderboards.models import LeaderboardEntry, RankSnapshot
from podium.leaderboards.selectors import public_board, team_rank_history, team_score_history
from podium.leaderboards.services import board_ranks_snapshot, board_ranks_snapshot_due
from podium.teams.models import Team
from podium.workflows import tasks
from tests.podium.factories import (
    CompetitionFactory,
    competition_with_solution,
    participant,
    scored,
)

pytestmark = pytest.mark.django_db

T0 = now() - timedelta(days=5)


def at(hours: float):
    return T0 + timedelta(hours=hours)


@pytest.fixture
def competition():
    return competition_with_solution(daily_submission_limit=20)


@pytest.fixture
def three(competition):
    users = {n: participant(competition, n) for n in ("alice", "bob", "carol")}
    for hours, (name, score) in enumerate((("alice", 0.9), ("bob", 0.8), ("carol", 0.7))):
        scored(users[name], competition, score, 0.5, at=at(hours))
    return users


def snapshots(competition) -> set[tuple[str, int, float]]:
    rows = RankSnapshot.objects.filter(competition=competition)
    return set(rows.values_list("team__name", "rank", "score"))


# -- snapshots ----------------------------------------------------------------------------------


def test_a_snapshot_records_only_the_ranks_that_changed(competition, three):
    assert board_ranks_snapshot(competition=competition) == 3  # the first: everyone
    assert snapshots(competition) == {("alice", 1, 0.9), ("bob", 2, 0.8), ("carol", 3, 0.7)}
    assert board_ranks_snapshot(competition=competition) == 0  # nothing moved

    scored(three["carol"], competition, 0.85, 0.5)  # carol passes bob
    assert board_ranks_snapshot(competition=competition) == 2
    assert RankSnapshot.objects.count() == 5
    latest = RankSnapshot.objects.order_by("-taken_at", "team__name")[:2]
    assert {(s.team.name, s.rank, s.score) for s in latest} == {("bob", 3, 0.8), ("carol", 2, 0.85)}

    scored(three["alice"], competition, 0.95, 0.5)  # a better score, the same rank: recorded
    assert board_ranks_snapshot(competition=competition) == 1


def test_disqualified_teams_are_not_ranked_in_snapshots(competition, three):
    Team.objects.filter(name="alice").update(disqualified_at=now())
    board_ranks_snapshot(competition=competition)
    assert snapshots(competition) == {("bob", 1, 0.8), ("carol", 2, 0.7)}


def test_the_task_snapshots_running_boards_and_those_ended_less_than_a_day_ago(competition, three):
    ended_today = CompetitionFactory(end_at=now() - timedelta(hours=3))
    long_over = CompetitionFactory(
        start_at=now() - timedelta(days=30), end_at=now() - timedelta(days=2)
    )
    upcoming = CompetitionFactory(start_at=now() + timedelta(days=1))
    written = tasks.snapshot_board_ranks.apply().get()
    assert written[competition.slug] == 3 and written[ended_today.slug] == 0
    assert long_over.slug not in written and upcoming.slug not in written
    assert board_ranks_snapshot_due() == {competition.slug: 0, ended_today.slug: 0}


def test_the_beat_schedule_takes_snapshots(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["snapshot-board-ranks"]
    assert entry["task"] == tasks.snapshot_board_ranks.name
    assert entry["schedule"] == float(settings.RANK_SNAPSHOT_EVERY_SECONDS)


# -- the board's 24-hour moves ------------------------------------------------------------------


@pytest.fixture
def a_day_later(competition, three):
    """Ranks as they were 25 hours ago, then a day of changes: carol jumps to the top, dave
    enters, erin entered days ago but has no snapshot from back then."""
    board_ranks_snapshot(competition=competition, moment=now() - timedelta(hours=25))
    scored(three["carol"], competition, 0.95, 0.5)
    scored(participant(competition, "dave"), competition, 0.75, 0.5)
    erin = participant(competition, "erin")
    scored(erin, competition, 0.1, 0.5, at=at(10))
    RankSnapshot.objects.filter(team__name="erin").delete()
    board_ranks_snapshot(competition=competition, moment=now() - timedelta(hours=1))
    return competition


def test_the_board_shows_each_teams_move_over_24_hours(a_day_later):
    rows = public_board(competition=a_day_later)
    assert [(r.team_name, r.rank, r.rank_change, r.is_new) for r in rows] == [
        ("carol", 1, 2, False),
        ("alice", 2, -1, False),
        ("bob", 3, -1, False),
        ("dave", 4, None, True),
        ("erin", 5, None, False),  # no rank from a day ago, yet not new: no arrow
    ]


def test_moves_are_against_the_rank_a_day_before_the_moment(a_day_later):
    # 30 hours from now the 25-hour-old snapshot has been replaced by the 1-hour-old one
    rows = public_board(competition=a_day_later, moment=now() + timedelta(hours=30))
    assert [(r.team_name, r.rank_change, r.is_new) for r in rows][:4] == [
        ("carol", 0, False),
        ("alice", 0, False),
        ("bob", 0, False),
        ("dave", 0, False),
    ]


def test_a_board_page_is_three_queries_whatever_its_size(a_day_later, django_assert_num_queries):
    """The page, its teams' ranks a day ago, its members: never one query per row."""
    with django_assert_num_queries(3):
        rows = public_board(competition=a_day_later, offset=1, limit=2)
    assert [(r.rank, r.team_name, r.rank_change) for r in rows] == [
        (2, "alice", -1),
        (3, "bob", -1),
    ]
    with django_assert_num_queries(3):
        assert len(public_board(competition=a_day_later, limit=100)) == 5  # every team


def test_the_leaderboard_page_shows_the_arrows(client, a_day_later):
    page = client.get(reverse("web:leaderboard", args=[a_day_later.slug])).content.decode()
    assert 'title="Up 2">▲2<' in page
    assert page.count('title="Down 1">▼1<') == 2
    assert ">new<" in page


def test_the_first_entry_is_kept_on_the_board_row(competition, three):
    entry = LeaderboardEntry.objects.get(team__name="alice")
    assert entry.first_entry_at == at(0)
    scored(three["alice"], competition, 0.99, 0.5)
    entry.refresh_from_db()
    assert entry.first_entry_at == at(0)  # a later entry leaves it


# -- a team's history ---------------------------------------------------------------------------


def test_score_history_is_the_best_public_score_at_each_improvement(competition):
    alice = participant(competition, "alice")
    scored(alice, competition, 0.70, 0.1, at=at(0))
    scored(alice, competition, 0.65, 0.9, at=at(1))  # worse: no point
    scored(alice, competition, 0.80, 0.1, at=at(2))
    scored(alice, competition, 0.80, 0.1, at=at(3))  # a tie is no improvement
    scored(alice, competition, 0.99, 0.1, at=at(4), late=True)  # late: not on the board
    team = Team.objects.get(name="alice")
    assert team_score_history(team) == [(at(0), 0.70), (at(2), 0.80)]
    assert team_score_history(team)[0].score == 0.70


def test_score_history_of_a_lower_is_better_metric():
    competition = competition_with_solution(metric="rmse", daily_submission_limit=20)
    bob = participant(competition, "bob")
    scored(bob, competition, 30.0, 1, at=at(0))
    scored(bob, competition, 35.0, 1, at=at(1))
    scored(bob, competition, 20.0, 1, at=at(2))
    assert [p.score for p in team_score_history(Team.objects.get(name="bob"))] == [30.0, 20.0]


def test_rank_history_reads_the_snapshots_in_order(a_day_later):
    carol = Team.objects.get(name="carol")
    history = team_rank_history(carol)
    assert [(p.rank, p.score) for p in history] == [(3, 0.7), (1, 0.95)]
    assert history[0].at < history[1].at
    assert team_rank_history(carol, since=now() - timedelta(hours=2)) == history[1:]
