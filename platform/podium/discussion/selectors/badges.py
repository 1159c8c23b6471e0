"""Author badges: tier, "Host", and the current PUBLIC rank in the competition, for every
author of a page at once (four queries whatever the page's size: never one per post)."""

from __future__ import annotations

from dataclasses import dataclass

from podium.accounts.models import Profile, Tier
from podium.competitions.models import Competition
from podium.leaderboards import selectors as board_selectors
from podium.teams.models import Membership


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 112th."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class Badges:
    tier: str = Tier.NOVICE
    host: bool = False
    public_rank: int | None = None  # on the competition's public board, never the private one

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label

    @property
    def rank_text(self) -> str:
        return f"{ordinal(self.public_rank)} in this competition" if self.public_rank else ""


def author_badges(*, competition: Competition | None, author_ids) -> dict[int, Badges]:
    """Each author's badges; a user without a profile row is a Novice."""
    ids = set(author_ids)
    if not ids:
        return {}
    tiers = dict(Profile.objects.filter(user_id__in=ids).values_list("user_id", "tier"))
    hosts: set[int] = set()
    ranks: dict[int, int] = {}
    if competition is not None:
        hosts = set(competition.organizers.filter(pk__in=ids).values_list("pk", flat=True))
        teams = dict(
            Membership.objects.filter(competition=competition, user_id__in=ids).values_list(
                "user_id", "team_id"
            )
        )
        if teams:
            board = board_selectors.public_ranks_of(
                competition=competition, team_ids=teams.values()
            )
            ranks = {user: board[team] for user, team in teams.items() if team in board}
    return {
        pk: Badges(tier=tiers.get(pk, Tier.NOVICE), host=pk in hosts, public_rank=ranks.get(pk))
        for pk in ids
    }
