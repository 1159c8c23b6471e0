"""Write-ups and the private board: their ranks are re-read from it, and only once revealed
(before that there are no write-ups, and nothing here reads the private board)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from podium.competitions.models import Competition
from podium.discussion.models import Topic
from podium.leaderboards import selectors as board_selectors


def current_writeup_ranks(competition: Competition) -> dict[int, int]:
    """Team id -> its rank on the private board now, for the teams with a write-up; empty
    before the reveal. Read as anyone would (an anonymous viewer): public once revealed."""
    if not competition.private_is_revealed:
        return {}
    teams = set(
        Topic.objects.filter(competition=competition, writeup_team__isnull=False).values_list(
            "writeup_team_id", flat=True
        )
    )
    if not teams:
        return {}
    rows = board_selectors.private_board_rows(competition=competition, viewer=AnonymousUser())
    return {row.team_id: row.rank for row in rows if row.team_id in teams}


def writeup_links(competition: Competition) -> dict[int, int]:
    """Team id -> the topic id of its write-up (the private board links each); empty before
    the reveal."""
    if not competition.private_is_revealed:
        return {}
    found = Topic.objects.filter(
        competition=competition, kind=Topic.Kind.WRITEUP, writeup_team__isnull=False
    )
    return dict(found.values_list("writeup_team_id", "pk"))
