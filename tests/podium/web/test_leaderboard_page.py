"""The leaderboard page's additions: avatars, "jump to my team", the top-10 chart, the
countdown; and the reads behind them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from podium.competitions.models import Competition
from podium.competitions.page_facts import next_deadline
from podium.core.timeutils import now
from podium.leaderboards.selectors import board_position, top_teams_score_history
from podium.submissions.models import Submission
from podium.submissions.selectors import failures_by_error_code, submissions_per_day
from podium.teams.models import Team
from podium.web.templatetags.podium import hue, hue_class, initials
from tests.podium.factories import (
    CompetitionFactory,
    competition_with_solution,
    participant,
    scored,
    submit,
)

pytestmark = pytest.mark.django_db


def test_initials_and_hue():
    assert initials("ada_lovelace") == "AL"
    assert initials("grace") == "GR"
    assert initials("j.r.r.tolkien") == "JR"
    assert initials("") == "?"
    assert hue("ada") == hue("ada") and 0 <= hue("ada") < 360 and hue("ada") != hue("bob")
    assert hue_class("ada") == f"hue-{hue('ada') // 10}"


def test_the_board_shows_avatars_the_chart_and_a_jump_to_my_team(client):
    competition = competition_with_solution()
    teams = {name: participant(competition, name) for name in ("ada_l", "bob", "cy")}
    scored(teams["bob"], competition, 0.9, 0.1, at=now() - timedelta(days=2))
    scored(teams["bob"], competition, 0.95, 0.1, at=now() - timedelta(days=1))
    scored(teams["ada_l"], competition, 0.8, 0.1)
    client.force_login(teams["ada_l"])
    page = client.get(reverse("web:leaderboard", args=[competition.slug])).content.decode()
    mine = Team.objects.get(name="ada_l")
    assert f'href="?page=1#team-{mine.pk}">Jump to my team (#2)' in page
    assert f'<tr id="team-{mine.pk}" class="mine">' in page
    assert f'<span class="avatar {hue_class("ada_l")}" title="ada_l">AL</span>' in page
    assert "style=" not in page  # a colour is a class (Content-Security-Policy: no inline styles)
    start = page.index('<svg class="chart"')  # the nav's bell is an <svg> too, before it
    chart = page[start : page.index("</svg>", start)]
    assert chart.count('<path class="series"') == 2  # the two teams with a score
    assert "#1 bob" in chart and "#2 ada_l" in chart

    client.force_login(teams["cy"])  # no score: no jump
    page = client.get(reverse("web:leaderboard", args=[competition.slug])).content.decode()
    assert "Jump to my team" not in page


def test_the_private_board_marks_baseline_rows_without_a_prize_rank(client):
    from podium.leaderboards.reveal import leaderboard_reveal

    competition = competition_with_solution()
    for name, private in (("ada", 0.7), ("baseline", 0.9), ("bob", 0.6)):
        scored(participant(competition, name), competition, 0.5, private)
    Team.objects.filter(name="baseline").update(is_baseline=True)
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - timedelta(minutes=1))
    competition.refresh_from_db()
    assert leaderboard_reveal(competition=competition) is True
    page = client.get(reverse("web:leaderboard_private", args=[competition.slug])).content.decode()
    rows = {
        name: page[page.index(f'id="team-{Team.objects.get(name=name).pk}"') :][:900]
        for name in ("ada", "baseline", "bob")
    }
    assert "Baseline — no prize" in rows["baseline"] and 'class="baseline"' in rows["baseline"]
    assert '<td class="num prize-rank">–</td>' in rows["baseline"]
    assert '<td class="num prize-rank">1</td>' in rows["ada"]
    assert '<td class="num prize-rank">2</td>' in rows["bob"]
    assert "no prize" not in rows["ada"] + rows["bob"]


def test_the_competition_pages_count_down_to_the_next_deadline(client):
    competition = competition_with_solution(entry_deadline=now() + timedelta(days=2))
    page = client.get(reverse("web:overview", args=[competition.slug])).content.decode()
    assert "Entry deadline in" in page
    competition.refresh_from_db()
    shown = competition.entry_deadline.strftime("%Y-%m-%dT%H:%M:%S")
    assert f'data-countdown="{shown}' in page


def test_next_deadline():
    moment = now()
    upcoming = CompetitionFactory(start_at=moment + timedelta(days=1))
    assert next_deadline(upcoming, moment).label == "Starts"
    running = CompetitionFactory(
        entry_deadline=moment + timedelta(days=5), team_merger_deadline=moment + timedelta(days=3)
    )
    found = next_deadline(running, moment)
    assert (found.label, found.at) == ("Team merger deadline", running.team_merger_deadline)
    later = moment + timedelta(days=4)
    assert next_deadline(running, later).label == "Entry deadline"
    assert next_deadline(running, moment + timedelta(days=6)).label == "Final submission deadline"
    assert next_deadline(running, running.end_at + timedelta(seconds=1)) is None


def test_top_teams_score_history_keeps_improvements_of_the_top_ten_only():
    competition = competition_with_solution()
    users = [participant(competition, f"t{i:02d}") for i in range(12)]
    start = now() - timedelta(days=3)
    for i, user in enumerate(users):
        scored(user, competition, 0.5 + i / 100, 0.1, at=start)
    best = users[-1]
    scored(best, competition, 0.4, 0.1, at=start + timedelta(hours=1))  # not an improvement
    scored(best, competition, 0.9, 0.1, at=start + timedelta(hours=2))
    scored(best, competition, 0.99, 0.1, at=now(), late=True)  # late: not on the board
    history = top_teams_score_history(competition=competition)
    assert [h.team_name for h in history] == [f"t{i:02d}" for i in range(11, 1, -1)]
    assert [h.rank for h in history] == list(range(1, 11))
    assert [p.score for p in history[0].points] == [0.61, 0.9]


def test_board_position_gives_the_page_and_skips_the_disqualified():
    competition = competition_with_solution()
    users = [participant(competition, f"u{i}") for i in range(5)]
    for i, user in enumerate(users):
        scored(user, competition, 0.9 - i / 100, 0.1)
    fourth = Team.objects.get(name="u3")
    found = board_position(competition=competition, team=fourth, per_page=2)
    assert (found.rank, found.page, found.team_id) == (4, 2, fourth.pk)
    Team.objects.filter(name="u0").update(disqualified_at=now())
    assert board_position(competition=competition, team=fourth, per_page=2).rank == 3
    assert board_position(competition=competition, team=Team.objects.get(name="u0")) is None
    assert board_position(competition=competition, team=None) is None


def test_submissions_per_day_and_failures_by_code():
    competition = competition_with_solution()
    user = participant(competition)
    made = [submit(user, competition) for _ in range(4)]
    yesterday = now() - timedelta(days=1)
    Submission.objects.filter(pk=made[0].pk).update(created_at=yesterday)
    Submission.objects.filter(pk__in=[made[1].pk, made[2].pk]).update(
        status=Submission.Status.FAILED, error_code="bad_header", error_message="old"
    )
    Submission.objects.filter(pk=made[2].pk).update(error_message="newest")
    counts = submissions_per_day(competition=competition, since=now() - timedelta(days=7))
    assert counts == {yesterday.date(): (1, 0), now().date(): (1, 2)}
    [failure] = failures_by_error_code(competition=competition)
    assert (failure.code, failure.count, failure.example) == ("bad_header", 2, "newest")
    assert Competition.objects.count() == 1


def test_cached_rows_and_chart_mark_only_the_viewers_own_team(
    client, django_capture_on_commit_callbacks
):
    """The rows and the chart are rendered once per board version for everyone
    (web/board_fragments.py): whoever fills the cache, each viewer sees only their own row
    marked "you" and their own line highlighted; a new score shows at once."""
    competition = competition_with_solution()
    teams = {name: participant(competition, name) for name in ("ada", "bob", "cy")}
    scored(teams["ada"], competition, 0.9, 0.1)
    scored(teams["bob"], competition, 0.8, 0.1)
    url = reverse("web:leaderboard", args=[competition.slug])
    ids = {name: Team.objects.get(name=name).pk for name in teams}

    def seen_by(name: str | None) -> str:
        if name:
            client.force_login(teams[name])
        else:
            client.logout()
        return client.get(url).content.decode()

    anonymous = seen_by(None)  # fills the cache with the neutral rendering
    assert 'class="mine"' not in anonymous and "badge you" not in anonymous
    assert 'font-weight="700"' not in anonymous  # the chart highlights nobody's line
    for name, other in (("ada", "bob"), ("bob", "ada")):
        page = seen_by(name)
        assert f'<tr id="team-{ids[name]}" class="mine">' in page
        assert f'<tr id="team-{ids[other]}" class="mine">' not in page
        assert page.count("badge you") == 1
        start = page.index('<svg class="chart"')  # the nav's bell is an <svg> too, before it
        chart = page[start : page.index("</svg>", start)]
        assert chart.count('font-weight="700"') == 1  # one legend entry in bold: theirs
        bold = chart[: chart.index('font-weight="700"')]
        assert chart[len(bold) :].split("</text>")[0].endswith(f"{name}")
    assert "badge you" not in seen_by("cy")  # not on the board: nothing of theirs to mark
    assert 'class="mine"' not in seen_by(None)  # the cached rows were never marked

    with django_capture_on_commit_callbacks(execute=True):  # the version is bumped on commit
        scored(teams["cy"], competition, 0.95, 0.1)  # the board changed: the cache is dropped
    page = seen_by(None)
    assert page.index(f'id="team-{ids["cy"]}"') < page.index(f'id="team-{ids["ada"]}"')
    assert "#1 cy" in page[page.index('<svg class="chart"') : page.index("</svg>")]
