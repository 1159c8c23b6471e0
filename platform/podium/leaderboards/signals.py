"""What else changes what the public board shows: a competition saved (its precision, its
metric), a team saved or deleted (renamed, disqualified, merged away), a membership saved or
deleted (the members column), a board row deleted, a user renamed (the members column shows
usernames: every board of every team the user is in; the admin is where a username changes).
Each drops the board's cached pages once its transaction commits (``cache``). Writes by
``QuerySet.update`` send no signal: the services that make them call
``cache.board_changed`` themselves (``services.team_entry_refresh``, ``score_record``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_save

from podium.competitions.models import Competition
from podium.leaderboards.cache import board_changed
from podium.leaderboards.models import LeaderboardEntry
from podium.teams.models import Membership, Team


def _changed(sender, instance, **kwargs) -> None:
    board_changed(instance.competition_id)


def _competition_changed(sender, instance, **kwargs) -> None:
    board_changed(instance.pk)  # its precision, its metric's direction, its title


_BEFORE = "_podium_username_before"  # set on the instance between pre_save and post_save


def _user_saving(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Remember the stored username when this save may change it (not a login's
    ``update_fields=["last_login"]``, not a new user: neither is on a board yet)."""
    if (
        raw
        or instance.pk is None
        or (update_fields is not None and "username" not in update_fields)
    ):
        return
    before = sender._default_manager.filter(pk=instance.pk).values_list("username", flat=True)
    instance.__dict__[_BEFORE] = before.first()


def _user_saved(sender, instance, **kwargs) -> None:
    before = instance.__dict__.pop(_BEFORE, None)
    if before is None or before == instance.get_username():
        return
    competitions = (
        Membership.objects.filter(user_id=instance.pk)
        .order_by()
        .values_list("competition_id", flat=True)
        .distinct()
    )
    for competition_id in competitions:
        board_changed(competition_id)


def connect() -> None:
    for model in (Team, Membership):
        post_save.connect(_changed, sender=model, dispatch_uid=f"board-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"board-{model.__name__}-del")
    post_delete.connect(_changed, sender=LeaderboardEntry, dispatch_uid="board-entry-del")
    post_save.connect(_competition_changed, sender=Competition, dispatch_uid="board-competition")
    user = get_user_model()
    pre_save.connect(_user_saving, sender=user, dispatch_uid="board-user-saving")
    post_save.connect(_user_saved, sender=user, dispatch_uid="board-user-saved")
