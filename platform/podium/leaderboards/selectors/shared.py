"""What the public and the private board share: a page of rows, and the members of teams."""

from __future__ import annotations

from dataclasses import dataclass

from podium.teams.models import Membership


def members_by_team(team_ids: list[int]) -> dict[int, list[str]]:
    """Usernames by team, sorted. Straight from the memberships (by their team index), without
    Team's default ordering, which joined competitions and sorted for nothing."""
    members: dict[int, list[str]] = {}
    if team_ids:
        rows = (
            Membership.objects.filter(team_id__in=team_ids)
            .order_by()
            .values_list("team_id", "user__username")
        )
        for team_id, username in rows:
            members.setdefault(team_id, []).append(username)
    return {team_id: sorted(names) for team_id, names in members.items()}


@dataclass(frozen=True)
class BoardPage:
    """One page of a board (public rows or private rows)."""

    rows: list
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages
