"""Writes of the teams app. Joining a competition makes a solo team (Kaggle's model)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from podium.competitions import selectors as competition_selectors
from podium.competitions.error_codes import CompetitionErrorCode
from podium.competitions.models import Competition
from podium.competitions.services import rules_accept
from podium.core.errors import DomainError, PermissionDenied
from podium.core.timeutils import now
from podium.teams.models import Membership, Team


def _free_team_name(competition: Competition, wanted: str) -> str:
    name, n = wanted[:100], 2
    while Team.objects.filter(competition=competition, name=name).exists():
        name = f"{wanted[:90]} ({n})"
        n += 1
    return name


def competition_join(*, user, competition: Competition) -> Team:
    """Accept the rules and join in a solo team. Idempotent: a member gets their team back."""
    existing = Team.objects.filter(competition=competition, memberships__user=user).first()
    if existing is not None:
        rules_accept(user=user, competition=competition)
        return existing
    if not competition_selectors.can_view(user, competition):
        raise PermissionDenied(
            CompetitionErrorCode.NOT_INVITED, f"{competition.title} is open to invited people only."
        )
    moment = now()
    if competition.entry_deadline and moment >= competition.entry_deadline:
        raise DomainError(
            CompetitionErrorCode.ENTRY_DEADLINE_PASSED,
            f"The entry deadline of {competition.title} has passed; new teams cannot join.",
        )
    if moment >= competition.end_at:
        raise DomainError(CompetitionErrorCode.ENDED, f"{competition.title} has ended.")
    try:
        with transaction.atomic():
            rules_accept(user=user, competition=competition)
            team = Team.objects.create(
                competition=competition,
                name=_free_team_name(competition, user.get_username()),
                leader=user,
            )
            Membership.objects.create(team=team, user=user, competition=competition)
    except IntegrityError:  # the same user joined twice at once: the other request won
        team = Team.objects.get(competition=competition, memberships__user=user)
    return team
