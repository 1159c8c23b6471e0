"""Accepting a prediction file: who may submit, the file's size, and the team's limits
(``submission_create``).

Locking: ``submission_create`` counts a team's submissions while holding the team row
(``core.locks.lock_row``: ``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL; SQLite has no row
locks, its IMMEDIATE transaction serializes writers), so concurrent uploads cannot pass a limit.
Until issue 14 it took a bare ``select_for_update()`` (FOR UPDATE); ``lock_row`` is a drop-in:
every service that locks a team row (``teams.services.lock_teams``, the board's
``score_record``, disqualification, the final selection, a kernel launch) waits for a FOR NO
KEY UPDATE exactly as for a FOR UPDATE, so two uploads still count one after the other; only
inserts of rows that merely reference the team no longer wait, and every new submission goes
through this lock. The file is stored before the lock (it may be large) and deleted again if
the upload is refused or its transaction rolled back. When the COMMIT itself fails (the database
went away at that moment) the row may or may not exist: the upload asks the database again, for
up to ``COMMIT_CHECK_SECONDS`` (a restart takes seconds). A saved row is an accepted upload (its
scoring is queued and it answers 201, so the client does not send it twice); no row deletes the
file (503, resend). Only a database that stays away keeps the file for the orphan sweep.

A submission counts from the moment it is saved (pending); if it then fails the file checks,
which never look at the public/private split, it is free again (``selectors.counted_q``), up to
``daily_invalid_submission_limit`` such failures a day; one that fails while the boards are
scored keeps counting.
"""

from __future__ import annotations

import errno
import logging
import time
import uuid
from datetime import datetime

from django.core.files import File
from django.db import DatabaseError, connection, transaction

from podium.competitions import selectors as competition_selectors
from podium.competitions.error_codes import CompetitionErrorCode
from podium.competitions.models import Competition
from podium.core.error_codes import CommonErrorCode
from podium.core.errors import DomainError, LimitReached, PermissionDenied, Unavailable
from podium.core.files import sha256_and_size
from podium.core.locks import lock_row
from podium.core.log_context import log_context
from podium.core.queue import SCORE_SUBMISSION, enqueue_on_commit
from podium.core.timeutils import humanize_delta, now
from podium.submissions import selectors
from podium.submissions.error_codes import SubmissionRefusal
from podium.submissions.models import Submission, submission_upload_to
from podium.teams.error_codes import TeamErrorCode
from podium.teams.models import Team
from scoring.error_codes import SubmissionErrorCode as FileErrorCode

logger = logging.getLogger(__name__)


def _check_can_submit(
    competition: Competition, facts: selectors.UploadFacts, moment: datetime
) -> None:
    competition_selectors.require_not_archived(competition, to="take submissions")
    if not facts.rules_accepted:
        raise competition_selectors.rules_not_accepted(competition)
    # A draft's organizers make test submissions whatever its dates: they rehearse it.
    if moment < competition.start_at and competition.status != Competition.Status.DRAFT:
        raise DomainError(
            CompetitionErrorCode.NOT_STARTED,
            f"{competition.title} opens for submissions in "
            f"{humanize_delta(competition.start_at - moment)}.",
        )
    team = facts.team
    if team.disqualified_at:
        raise PermissionDenied(
            TeamErrorCode.TEAM_DISQUALIFIED,
            f"Your team was disqualified: {team.disqualification_reason or 'see the organizers'}.",
        )
    if not facts.has_answer_key:
        raise DomainError(
            CompetitionErrorCode.NO_SOLUTION,
            "This competition is not ready to score submissions yet; the organizers have not "
            "uploaded its answer key.",
        )


def _check_limits(competition: Competition, team: Team, moment: datetime) -> None:
    quota = selectors.quota(team=team, competition=competition, moment=moment)
    if quota.total_limit is not None and quota.used_total >= quota.total_limit:
        raise LimitReached(
            SubmissionRefusal.TOTAL_LIMIT_REACHED,
            f"Your team has used all {quota.total_limit} submissions this competition allows.",
            details={"used": quota.used_total, "limit": quota.total_limit},
        )
    wait = humanize_delta(quota.resets_at - moment)
    if quota.used_today >= quota.daily_limit:
        raise LimitReached(
            SubmissionRefusal.DAILY_LIMIT_REACHED,
            f"Your team has used {quota.used_today} of {quota.daily_limit} submissions today. "
            f"The next one opens at 00:00 UTC (in {wait}).",
            details={
                "used": quota.used_today,
                "limit": quota.daily_limit,
                "resets_at": quota.resets_at.isoformat(),
            },
        )
    if quota.invalid_limit_reached:
        raise LimitReached(
            SubmissionRefusal.INVALID_LIMIT_REACHED,
            f"Your team's submissions were refused by the file checks {quota.invalid_today} "
            f"times today; this competition allows {quota.invalid_limit} such failures a day. "
            "Check your file against the sample submission; the next upload opens at 00:00 UTC "
            f"(in {wait}).",
            details={
                "invalid": quota.invalid_today,
                "limit": quota.invalid_limit,
                "resets_at": quota.resets_at.isoformat(),
            },
        )


_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


def _store(submission: Submission, file: File) -> None:
    """Store the upload under its generated name (a uuid: nobody else's file). A full disk
    (or quota) leaves nothing behind and refuses with 503 + Retry-After: nothing is recorded."""
    try:
        submission.file.save(submission.original_name, file, save=False)
    except OSError as exc:
        if exc.errno not in _DISK_FULL:
            raise
        partial = submission_upload_to(submission, submission.original_name)
        try:
            submission.file.storage.delete(partial)
        except OSError:
            logger.exception("Could not remove the partial upload %s", partial)
        logger.error("Upload refused, the storage is full: %s", exc)
        raise Unavailable(
            CommonErrorCode.STORAGE_FULL,
            "The server has no room to store your file right now; nothing was recorded and "
            "this does not count toward your limits. Try again in a few minutes.",
            retry_after=120,
        ) from None


def submission_create(
    *,
    user,
    competition: Competition,
    file: File,
    description: str = "",
    facts: selectors.UploadFacts | None = None,
) -> Submission:
    """Accept a prediction file and queue its scoring after commit.

    The file is stored first (outside any lock: it may be large), then the limits are checked
    under the team's row lock; a refused upload's file is deleted again. ``facts``: what
    ``selectors.upload_facts`` says of ``user`` in ``competition``, as the caller just read it
    (before reading the body); read here when not given.
    """
    moment = now()
    if facts is None:
        facts = selectors.upload_facts(user=user, competition=competition)
    _check_can_submit(competition, facts, moment)
    team = facts.team
    digest, size = sha256_and_size(file)
    if size == 0:
        raise DomainError(FileErrorCode.FILE_EMPTY, "The file is empty.")
    if size > competition.submission_max_bytes:
        raise DomainError(
            FileErrorCode.FILE_TOO_LARGE,
            f"The file is {size / 1e6:.1f} MB; this competition accepts at most "
            f"{competition.submission_max_bytes / 1e6:.0f} MB.",
            status=413,
        )
    submission = Submission(
        uuid=uuid.uuid4(),
        competition=competition,
        team=team,
        submitted_by=user,
        original_name=(getattr(file, "name", "") or "submission.csv").rsplit("/", 1)[-1][:255],
        size=size,
        sha256=digest,
        description=description.strip()[:500],
        is_late=moment >= competition.end_at,
        queued_at=moment,
        # On a draft (only its organizers see it): a test submission, scored, never on a board,
        # deleted when the competition is published (``competitions.lifecycle``).
        is_test=competition.status == Competition.Status.DRAFT,
    )
    _store(submission, file)
    committing = False
    try:  # from here the file is deleted again unless its row may have been committed
        with log_context() as context, transaction.atomic():  # the queuing's lines: its id
            lock_row(Team.objects, team.pk)
            _check_limits(competition, team, moment)
            submission.save()
            context.bind(submission_id=submission.pk)
            enqueue_on_commit(SCORE_SUBMISSION, submission.pk)
            committing = True
    except BaseException as exc:
        if not committing:
            saved: bool | None = False
        elif isinstance(exc, DatabaseError):
            saved = _saved_after_failed_commit(submission)
        else:  # interrupted during the COMMIT (a worker's timeout): nothing to ask
            saved = None
        if saved is None:  # the COMMIT failed and the database stays away: the row may exist
            logger.warning(
                "The commit of upload %s failed and the database did not answer since; its "
                "file is kept, and the orphan sweep removes it if no row names it",
                submission.uuid,
            )
        elif not saved:  # rolled back: no row names the file
            submission.file.delete(save=False)
        else:  # the COMMIT went through before the connection dropped: accepted after all
            logger.warning("The commit of upload %s failed, yet its row is saved", submission.uuid)
            enqueue_on_commit(SCORE_SUBMISSION, submission.pk)  # its on-commit queuing never ran
            return submission
        raise
    return submission


COMMIT_CHECK_SECONDS = 15.0
COMMIT_CHECK_EVERY_S = 0.5


def _saved_after_failed_commit(submission: Submission) -> bool | None:
    """Whether ``submission``'s row exists after its COMMIT raised: asked until the database
    answers, for up to ``COMMIT_CHECK_SECONDS``; None when it never does, or when the COMMIT was
    not this upload's own (an enclosing transaction, whose caller decides)."""
    if connection.in_atomic_block:
        return None
    deadline = time.monotonic() + COMMIT_CHECK_SECONDS
    while True:
        try:
            return Submission.objects.filter(uuid=submission.uuid).exists()
        except DatabaseError:
            connection.close()  # the next try opens a fresh connection
            if time.monotonic() >= deadline:
                return None
            time.sleep(COMMIT_CHECK_EVERY_S)
