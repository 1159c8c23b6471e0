"""Disqualifying a team, and reinstating it: the team leaves both boards and comes back.

Here, in leaderboards, because it is about the boards: the public rows of disqualified teams stay
in the table and the selectors leave them out (``public_board``, ``rank_of``, ``board_size``), so
the ranks behind close up; the private board, once revealed, is rebuilt. The team's
submissions are kept. The reason is shown to the team on its competition's pages, and refusing
its new submissions is the submissions app's rule (``_check_can_submit``).
"""

from __future__ import annotations

import logging

from django.db import transaction

from podium.competitions.selectors import require_organizer
from podium.core.errors import Conflict, DomainError
from podium.core.timeutils import now
from podium.leaderboards.error_codes import BoardErrorCode as Code
from podium.leaderboards.services import team_entry_refresh
from podium.teams.models import Team
from podium.workflows.rescoring import private_board_rebuild_if_revealed

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = Team._meta.get_field("disqualification_reason").max_length
# Refusals of the reason itself: checked before anything is written.
REASON_CODES = frozenset(
    {Code.DISQUALIFICATION_REASON_REQUIRED.value, Code.DISQUALIFICATION_REASON_TOO_LONG.value}
)


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(
            Code.DISQUALIFICATION_REASON_REQUIRED,
            "Give a reason for the disqualification: the team sees it on the competition's pages.",
        )
    if len(text) > REASON_MAX_LENGTH:
        raise DomainError(
            Code.DISQUALIFICATION_REASON_TOO_LONG,
            f"The reason is {len(text)} characters long; at most {REASON_MAX_LENGTH} fit.",
        )
    return text


def team_disqualify(*, team: Team, reason: str, by) -> Team:
    """Disqualify ``team`` with ``reason`` (shown to the team): it leaves the public board at
    once and the private board if revealed (rebuilt after the team's row is committed).

    Locks the team row: the lock the scoring takes before it writes the team's board row, so a
    submission scored at the same moment sees the team either before or after. Raises
    PermissionDenied(not_an_organizer), DomainError(disqualification_reason_required,
    disqualification_reason_too_long) and Conflict(team_already_disqualified).
    """
    competition = team.competition
    require_organizer(user=by, competition=competition, to="disqualify its teams")
    text = _reason(reason)
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        if locked.disqualified_at is not None:
            raise Conflict(
                Code.TEAM_ALREADY_DISQUALIFIED,
                f"{locked.name} is already disqualified: {locked.disqualification_reason}",
            )
        locked.disqualified_at, locked.disqualification_reason = now(), text
        locked.save(update_fields=["disqualified_at", "disqualification_reason", "updated_at"])
    private_board_rebuild_if_revealed(competition=competition)
    logger.info("Team %s of %s disqualified by %s: %s", locked.pk, competition.slug, by, text)
    return locked


def team_reinstate(*, team: Team, by) -> Team:
    """Take back a disqualification: the team's public row is recomputed (scoring leaves it
    alone while the team is disqualified) and it is back on both boards.

    Locks the team row (as ``team_disqualify``). Raises PermissionDenied(not_an_organizer) and
    Conflict(team_not_disqualified).
    """
    competition = team.competition
    require_organizer(user=by, competition=competition, to="reinstate its teams")
    with transaction.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        if locked.disqualified_at is None:
            raise Conflict(Code.TEAM_NOT_DISQUALIFIED, f"{locked.name} is not disqualified.")
        locked.disqualified_at, locked.disqualification_reason = None, ""
        locked.save(update_fields=["disqualified_at", "disqualification_reason", "updated_at"])
        team_entry_refresh(competition=competition, team=locked)
    private_board_rebuild_if_revealed(competition=competition)
    logger.info("Team %s of %s reinstated by %s", locked.pk, competition.slug, by)
    return locked
