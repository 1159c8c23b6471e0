"""What the API's views share: finding the competition and the caller's team."""

from __future__ import annotations

from rest_framework import serializers

from podium.competitions import selectors as competition_selectors
from podium.competitions.models import Competition
from podium.teams import selectors as team_selectors
from podium.teams.models import Team


def competition(request, slug: str, *, row: Competition | None = None) -> Competition:
    """The competition, or the 404 of one that does not exist (also for one the caller may not
    see: an invite-only competition is not admitted to exist). ``row``: the competition already
    read by ``slug`` in this request (not read again)."""
    if row is None:
        return competition_selectors.competition_get(slug=slug, user=request.user)
    return competition_selectors.competition_visible(row, slug=slug, user=request.user)


def my_team(request, competition: Competition) -> Team:
    return team_selectors.require_team(user=request.user, competition=competition)


class MessageSerializer(serializers.Serializer):
    """What an action did, in words (the web UI's flash message)."""

    message = serializers.CharField()
