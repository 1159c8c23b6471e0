"""The reveal of a private board: by an organizer (who confirms it by typing the competition's
slug: it cannot be undone) or by beat at the end, or at the scheduled ``reveal_at``.

Locking: ``leaderboard_reveal`` holds the competition's row while it fixes the automatic final
selections and builds the board, so two reveals (an organizer's and beat's) make one board.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from podium.competitions.models import Competition
from podium.competitions.selectors import require_organizer
from podium.core.errors import Conflict, DomainError
from podium.core.locks import lock_row
from podium.core.queue import COMPUTE_AWARDS, enqueue_on_commit
from podium.core.timeutils import now
from podium.leaderboards.error_codes import BoardErrorCode
from podium.leaderboards.services import private_board_build
from podium.notifications.models import Kind
from podium.notifications.services import notify
from podium.submissions.models import Submission
from podium.teams.models import Membership

logger = logging.getLogger(__name__)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def leaderboard_reveal(*, competition: Competition, by=None) -> bool:
    """Reveal the private board: fix the automatic selections, build the board, and set
    ``private_revealed_at``. True when revealed now; False when it already was (idempotent).

    ``by``: the organizer who asked (checked), or None for the schedule (``reveal_due_boards``).
    Refused before the competition's end (Conflict(reveal_before_end)) and while submissions
    made before the end are still being scored (Conflict(reveal_waits_for_scoring)): they may
    still change the board.

    Locking: the competition row, for the whole reveal: a second reveal waits and then finds it
    done, and no team changes its final selection meanwhile.
    """
    if by is not None:
        require_organizer(user=by, competition=competition, to="reveal its private leaderboard")
    with transaction.atomic():
        locked = lock_row(Competition.objects, competition.pk)
        if locked.private_revealed_at is not None:
            competition.private_revealed_at = locked.private_revealed_at
            return False
        moment = now()
        if moment < locked.end_at:
            raise Conflict(
                BoardErrorCode.REVEAL_BEFORE_END,
                f"{locked.title} ends on {locked.end_at:%d %b %Y at %H:%M} UTC: its private "
                "leaderboard can be revealed after that.",
            )
        waiting = Submission.objects.filter(
            competition=locked,
            is_late=False,
            status__in=[Submission.Status.PENDING, Submission.Status.SCORING],
        ).count()
        if waiting:
            raise Conflict(
                BoardErrorCode.REVEAL_WAITS_FOR_SCORING,
                f"{_plural(waiting, 'submission')} made before the end "
                f"{'is' if waiting == 1 else 'are'} still being scored: the private leaderboard "
                "can be revealed once scoring is done.",
                details={"waiting": waiting},
            )
        teams = private_board_build(competition=locked)
        Competition.objects.filter(pk=locked.pk).update(private_revealed_at=moment)
        _revealed_notify(locked)
        enqueue_on_commit(COMPUTE_AWARDS, locked.pk)  # medals and points (progression)
    competition.private_revealed_at = moment
    logger.info(
        "Private leaderboard of %s revealed (%d teams) by %s",
        locked.slug,
        teams,
        getattr(by, "username", None) or "the schedule",
    )
    return True


def _revealed_notify(competition: Competition) -> None:
    """Every member of every team in the competition hears that the final board is out."""
    members = Membership.objects.filter(competition_id=competition.pk).values_list(
        "user_id", flat=True
    )
    notify(
        recipient_ids=list(members),
        kind=Kind.BOARD_REVEALED,
        title=f"The private leaderboard of {competition.title} is revealed",
        url=f"/competitions/{competition.slug}/leaderboard/private/",
    )


def leaderboard_reveal_confirmed(*, competition: Competition, by, typed: str) -> bool:
    """An organizer's reveal from a page (the dashboard's, the admin's): the reveal cannot be
    undone, so the organizer types the competition's slug, as GitHub asks for a repository's
    name before deleting it. Anything else is refused with
    DomainError(reveal_confirmation_wrong) and nothing happens; then ``leaderboard_reveal``."""
    require_organizer(user=by, competition=competition, to="reveal its private leaderboard")
    if (typed or "").strip() != competition.slug:
        raise DomainError(
            BoardErrorCode.REVEAL_CONFIRMATION_WRONG,
            f"Type {competition.slug} to confirm: the private leaderboard of "
            f"{competition.title} was not revealed.",
            details={"expected": competition.slug},
        )
    return leaderboard_reveal(competition=competition, by=by)


def reveal_due_boards(*, moment: datetime | None = None) -> list[str]:
    """Reveal every competition with ``auto_reveal_private`` that is due and not revealed yet:
    at its ``reveal_at`` when one is scheduled (after the end: time to verify the winners),
    else at its end. Returns the slugs revealed. Drafts are never revealed (only their
    organizers' test submissions exist). One that still has submissions being scored waits for
    a later run. Safe to run at once and any number of times (each reveal locks its
    competition)."""
    moment = moment or now()
    due = (
        Competition.objects.filter(auto_reveal_private=True, private_revealed_at__isnull=True)
        .filter(Q(reveal_at__isnull=True, end_at__lte=moment) | Q(reveal_at__lte=moment))
        .exclude(status=Competition.Status.DRAFT)
        .order_by("end_at")
    )
    revealed = []
    for competition in due:
        try:
            if leaderboard_reveal(competition=competition):
                revealed.append(competition.slug)
        except Conflict as exc:
            logger.info("Private leaderboard of %s not revealed yet: %s", competition.slug, exc)
    return revealed
