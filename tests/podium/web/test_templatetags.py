"""The Python-built markup of the board's rows (podium.web.templatetags.podium.board_row)."""

from __future__ import annotations

from datetime import timedelta

from podium.core.timeutils import now
from podium.leaderboards.selectors import BoardRow
from podium.web.templatetags.podium import board_row


def row(**fields) -> BoardRow:
    values = dict(
        rank=3,
        team_id=7,
        team_name="ada",
        members=["ada", "grace"],
        is_baseline=False,
        score=0.9,
        score_display="0.90000",
        entries=4,
        last_submission_at=now() - timedelta(hours=2),
        rank_change=2,
        is_new=False,
    )
    return BoardRow(**{**values, **fields})


def test_a_row_holds_rank_move_team_members_score_entries_and_time():
    html = board_row(row(), None)
    assert html.startswith('<tr id="team-7"><td class="num">3</td>')
    assert 'title="Up 2">▲2<' in html
    assert '<span class="team-name">ada</span>' in html
    assert html.count('class="avatar ') == 2  # a colour class each (no inline style: CSP)
    assert '<td class="num score">0.90000</td><td class="num">4</td>' in html
    assert "2\xa0hours ago</td></tr>" in html
    assert "you" not in html and "baseline" not in html


def test_my_row_and_a_baseline_row_are_marked():
    mine = board_row(row(), 7)
    assert mine.startswith('<tr id="team-7" class="mine">') and 'badge you">you<' in mine
    baseline = board_row(row(is_baseline=True, team_id=8), 7)
    assert baseline.startswith('<tr id="team-8" class="baseline">')
    assert 'badge muted">baseline<' in baseline and "you<" not in baseline


def test_a_team_name_is_escaped():
    html = board_row(row(team_name='<script>alert("x")</script>', members=["<b>"]), None)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_relative_times_say_just_now_under_a_minute():
    from podium.web.templatetags.podium import ago

    assert ago(now() - timedelta(seconds=5)) == "just now"
    assert ago(now() + timedelta(seconds=2)) == "just now"  # a clock a little ahead
    assert ago(now() - timedelta(minutes=3)) == "3\xa0minutes ago"
    assert ago(None) == ""
    assert "just now</td></tr>" in board_row(row(last_submission_at=now()), None)
