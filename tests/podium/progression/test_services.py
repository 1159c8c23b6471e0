"""Medals, points, standings and tiers from revealed private boards
(progression.services.competition_awards_compute)."""

from datetime import timedelta

import pytest

from podium.accounts.models import Profile
from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.notifications.models import Kind, Notification
from podium.progression import rules
from podium.progression.models import CompetitionResult, Medal, UserStanding
from podium.progression.services import (
    competition_awards_compute,
    standings_refresh,
    standings_refresh_all,
)
from podium.teams.services import baseline_team_ensure
from podium.teams.services.requests import invitation_create
from podium.workflows.disqualification import team_disqualify
from podium.workflows.team_joins import invitation_accept
from tests.podium.factories import UserFactory, organizer, participant, scored
from tests.podium.progression.helpers import board_of, ended, reveal, team_of

pytestmark = pytest.mark.django_db


def medals(competition) -> list:
    rows = CompetitionResult.objects.filter(competition=competition).order_by("counted_rank")
    return [(r.user.username, r.medal) for r in rows]


def tier(user) -> str:
    return Profile.objects.get(user=user).tier


def test_nothing_before_the_reveal():
    competition, _ = board_of(3)
    assert competition_awards_compute(competition.pk) == {"results": 0, "notified": 0}
    assert not CompetitionResult.objects.exists()


@pytest.mark.parametrize(
    ("teams", "gold", "silver", "bronze"),
    [
        (9, 0, 1, 2),  # 10 % of 9 rounds down: no gold; 20 %: 1; 40 %: 3
        (10, 1, 1, 2),  # gold 1, silver to 2, bronze to 4
    ],
)
def test_the_medal_table_at_its_boundaries(teams, gold, silver, bronze):
    competition, users = board_of(teams)
    reveal(competition)
    competition_awards_compute(competition.pk)
    got = [m for _, m in medals(competition)]
    assert got.count(Medal.GOLD) == gold
    assert got.count(Medal.SILVER) == silver
    assert got.count(Medal.BRONZE) == bronze
    assert got[: gold + silver + bronze] == sorted(got[: gold + silver + bronze], reverse=True)
    assert len(got) == teams
    last = CompetitionResult.objects.get(competition=competition, user=users[-1])
    assert last.medal is None and last.teams == teams


def test_the_reveal_queues_the_awards_on_commit(eager, django_capture_on_commit_callbacks):
    competition, users = board_of(3)
    with django_capture_on_commit_callbacks(execute=True):
        reveal(competition)
    first = CompetitionResult.objects.get(competition=competition, user=users[0])
    assert first.medal == Medal.BRONZE  # 3 teams: 10 % and 20 % round to none, 40 % to one
    standing = UserStanding.objects.get(user=users[0])
    assert standing.competitions == 1 and standing.solo_competitions == 1
    assert standing.points == pytest.approx(first.points * 1.0, rel=1e-3)


def test_baseline_and_disqualified_teams_get_nothing_and_do_not_count():
    competition, users = board_of(10, end=False)
    baseline_user = UserFactory(username="baseline-bot")
    baseline_team_ensure(competition=competition, user=baseline_user)
    scored(baseline_user, competition, 0.5, 0.999)  # first on the board
    competition = ended(competition)
    host = organizer(competition)
    team_disqualify(team=team_of(users[1], competition), reason="shared code", by=host)
    reveal(competition)
    competition_awards_compute(competition.pk)
    result = {r.user_id: r for r in CompetitionResult.objects.filter(competition=competition)}
    assert baseline_user.pk not in result and users[1].pk not in result
    # 9 counted teams: no gold; p0 is 2nd on the board (after Baseline) but counted first.
    first = result[users[0].pk]
    assert (first.rank, first.counted_rank, first.teams, first.medal) == (2, 1, 9, Medal.SILVER)


def test_the_switch_awards_nothing_and_takes_back_what_it_had_awarded():
    competition, users = board_of(10)
    reveal(competition)
    competition_awards_compute(competition.pk)
    assert tier(users[0]) == "contributor"  # one gold alone is no tier rule
    assert UserStanding.objects.get(user=users[0]).gold == 1
    Competition.objects.filter(pk=competition.pk).update(awards_medals=False)
    assert competition_awards_compute(competition.pk)["results"] == 0
    assert not CompetitionResult.objects.filter(competition=competition).exists()
    standing = UserStanding.objects.get(user=users[0])
    assert (standing.gold, standing.points, standing.competitions) == (0, 0.0, 0)


def test_a_disqualification_after_the_reveal_moves_the_medals(
    eager, django_capture_on_commit_callbacks
):
    competition, users = board_of(10)
    with django_capture_on_commit_callbacks(execute=True):
        reveal(competition)
    assert medals(competition)[0] == ("p0", Medal.GOLD)
    host = organizer(competition)
    with django_capture_on_commit_callbacks(execute=True):
        team_disqualify(team=team_of(users[0], competition), reason="two accounts", by=host)
    # 9 teams now: no gold at all; p1 moves up to first with silver.
    assert medals(competition)[0] == ("p1", Medal.SILVER)
    assert not CompetitionResult.objects.filter(user=users[0]).exists()
    assert UserStanding.objects.get(user=users[0]).gold == 0


def test_a_rescore_after_the_reveal_moves_the_medals(eager, django_capture_on_commit_callbacks):
    from podium.submissions.models import Submission
    from podium.workflows.rescoring import boards_rebuild

    competition, users = board_of(10)
    with django_capture_on_commit_callbacks(execute=True):
        reveal(competition)
    # The answer key was wrong: p9's submission turns out the best.
    Submission.objects.filter(competition=competition, team__memberships__user=users[9]).update(
        private_score=0.9999
    )
    with django_capture_on_commit_callbacks(execute=True):
        boards_rebuild(competition=competition)
    assert medals(competition)[0] == ("p9", Medal.GOLD)
    assert medals(competition)[1] == ("p0", Medal.SILVER)


def test_a_new_medal_is_told_once():
    competition, users = board_of(10)
    reveal(competition)
    competition_awards_compute(competition.pk)
    competition_awards_compute(competition.pk)  # idempotent: nobody told twice
    told = Notification.objects.filter(kind=Kind.MEDAL)
    assert sorted(n.recipient.username for n in told) == ["p0", "p1", "p2", "p3"]
    gold = told.get(recipient=users[0])
    assert gold.title == f"A gold medal in {competition.title}: 1st of 10 teams"
    assert gold.url == f"/competitions/{competition.slug}/leaderboard/private/"
    # Off and on again: the same medals, told of already.
    Competition.objects.filter(pk=competition.pk).update(awards_medals=False)
    competition_awards_compute(competition.pk)
    Competition.objects.filter(pk=competition.pk).update(awards_medals=True)
    competition_awards_compute(competition.pk)
    assert Notification.objects.filter(kind=Kind.MEDAL).count() == 4


def test_a_team_shares_points_by_the_square_root_of_its_size():
    competition, users = board_of(10, end=False)
    mate = participant(competition, "mate")
    team = team_of(users[0], competition)
    invitation = invitation_create(user=users[0], team=team, invitee="mate")
    invitation_accept(user=mate, invitation=invitation, accept_rules=True)
    competition = ended(competition)
    reveal(competition)
    competition_awards_compute(competition.pk)
    ours = CompetitionResult.objects.get(competition=competition, user=mate)
    assert ours.teammates == 2 and ours.medal == Medal.GOLD
    expected = rules.ranking_points(rank=1, teams=10, teammates=2, days_since_deadline=0)
    assert ours.points == pytest.approx(expected)
    standing = UserStanding.objects.get(user=mate)
    assert (standing.team_competitions, standing.solo_competitions, standing.solo_gold) == (1, 0, 0)
    assert UserStanding.objects.get(user=users[0]).solo_gold == 0


def test_points_decay_with_time():
    competition, users = board_of(10, end=False)
    competition = ended(competition, ago=timedelta(days=500))
    reveal(competition)
    competition_awards_compute(competition.pk)
    result = CompetitionResult.objects.get(competition=competition, user=users[0])
    standing = UserStanding.objects.get(user=users[0])
    assert standing.points == pytest.approx(result.points / 2.718281828, rel=1e-3)
    standings_refresh(user_ids=[users[0].pk], moment=now() + timedelta(days=500))
    standing.refresh_from_db()
    assert standing.points == pytest.approx(result.points * 2.718281828**-2, rel=1e-3)


def test_the_daily_refresh_reaches_everyone():
    competition, users = board_of(10)
    reveal(competition)
    competition_awards_compute(competition.pk)
    idle = UserFactory(username="idle")
    UserStanding.objects.filter(user=users[0]).update(points=0)
    assert standings_refresh_all() >= 11
    assert UserStanding.objects.get(user=users[0]).points > 0
    assert tier(idle) == "novice"


def _gold_in(n: int, user, *, solo: bool = True):
    """``user`` wins a 10-team competition, ``n`` times."""
    for i in range(n):
        competition, users = board_of(9, prefix=f"{user.username}-{i}-", end=False)
        participant(competition, user.username)
        scored(user, competition, 0.5, 0.9999)
        competition = ended(competition)
        reveal(competition)
        competition_awards_compute(competition.pk)


@pytest.mark.slow
def test_the_tier_thresholds(settings):
    star = UserFactory(username="star")
    _gold_in(1, star)
    assert tier(star) == "contributor"
    settings.PODIUM_TIERS = {**settings.PODIUM_TIERS, "master": {"gold": 1, "silver": 0}}
    standings_refresh(user_ids=[star.pk])
    assert tier(star) == "master"
    settings.PODIUM_TIERS = {**settings.PODIUM_TIERS, "expert": {"bronze": 2}}
    _gold_in(1, star)  # 2 gold: Expert's 2 bronze met, Master's own rule too
    assert tier(star) == "master"
    settings.PODIUM_TIERS = {"grandmaster": {"gold": 2, "solo_gold": 1}}
    standings_refresh(user_ids=[star.pk])
    assert tier(star) == "grandmaster"
