"""What else changes what the public board shows: a competition saved (its precision, its
metric), a team saved or deleted (renamed, disqualified, merged away), a membership saved or
deleted (the members column), a board row deleted. Each drops the board's cached pages once
its transaction commits (``cache``). Writes by ``QuerySet.update`` send no signal: the services
that make them call
``cache.board_changed`` themselves (``services.team_entry_refresh``, ``score_record``).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from podium.competitions.models import Competition
from podium.leaderboards.cache import board_changed
from podium.leaderboards.models import LeaderboardEntry
from podium.teams.models import Membership, Team


def _changed(sender, instance, **kwargs) -> None:
    board_changed(instance.competition_id)


def _competition_changed(sender, instance, **kwargs) -> None:
    board_changed(instance.pk)  # its precision, its metric's direction, its title


def connect() -> None:
    for model in (Team, Membership):
        post_save.connect(_changed, sender=model, dispatch_uid=f"board-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"board-{model.__name__}-del")
    post_delete.connect(_changed, sender=LeaderboardEntry, dispatch_uid="board-entry-del")
    post_save.connect(_competition_changed, sender=Competition, dispatch_uid="board-competition")
