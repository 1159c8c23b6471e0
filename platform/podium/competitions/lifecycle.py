"""A competition's lifecycle, written: Draft -> Published (-> Archived).

A draft is seen by its organizers only (``selectors.can_view``); they preview it as a
participant would, and may join it and submit: those submissions are test submissions
(``Submission.is_test``), scored but never on a board. Publishing checks the publish
checklist (``checklist.publish_checklist``) and then clears the rehearsal away.
"""

from __future__ import annotations

from django.db import transaction

from podium.competitions import selectors
from podium.competitions.checklist import checklist_unmet, publish_checklist
from podium.competitions.error_codes import CompetitionErrorCode as Code
from podium.competitions.models import Competition
from podium.core.errors import Conflict, DomainError
from podium.core.locks import lock_row
from podium.core.timeutils import now


def competition_publish(*, competition: Competition, by) -> Competition:
    """Publish a draft: everyone its visibility admits sees it from now on.

    Refused with DomainError(publish_checklist_unmet) listing every unmet item of the checklist
    (``details["unmet"]``: their codes, ``details["items"]``: code -> what to fix), and with
    Conflict(competition_not_a_draft) when it is not a draft; PermissionDenied(not_an_organizer)
    unless ``by`` organizes it.

    The draft's rehearsal is deleted, not hidden: its test submissions, and the teams made
    while it was a draft (only its organizers could join then) except the Baseline team (the
    organizers' kernels, which stays on the board as the baseline, without its test runs).
    Deleted because a hidden row would have to be filtered out of every count, limit, board,
    export and final selection forever after, and one forgotten filter would show it; deleting
    it also gives the organizers a clean start, with the participants' own limits. The files
    of the deleted submissions are left to the orphan sweep. The organizers' rules acceptances
    stay (they joined; they may join again as participants).

    Locks the competition row, so two publishes (or a publish and an upload's scoring that
    reads the row) run one after the other; the checklist runs first, outside the lock (it may
    run the metric), and the status is checked again under it.
    """
    selectors.require_organizer(user=by, competition=competition, to="publish it")
    _require_status(competition, Competition.Status.DRAFT, "published")
    unmet = checklist_unmet(publish_checklist(competition=competition))
    if unmet:
        raise DomainError(
            Code.PUBLISH_CHECKLIST_UNMET,
            f"{competition.title} cannot be published yet: "
            + " ".join(f"{item.detail} {item.fix}" for item in unmet),
            details={
                "unmet": [str(item.code) for item in unmet],
                "items": {str(item.code): item.fix for item in unmet},
            },
        )
    with transaction.atomic():
        locked = lock_row(Competition.objects, competition.pk)
        _require_status(locked, Competition.Status.DRAFT, "published")
        moment = now()
        locked.submissions.filter(is_test=True).delete()
        locked.teams.filter(is_baseline=False).delete()
        Competition.objects.filter(pk=locked.pk).update(
            status=Competition.Status.PUBLISHED, published_at=moment
        )
    competition.status, competition.published_at = Competition.Status.PUBLISHED, moment
    return competition


def competition_archive(*, competition: Competition, by) -> Competition:
    """Archive a published competition: its pages stay readable, it leaves the lists, and
    nobody joins, uploads or launches a kernel any more (``selectors.require_not_archived``).
    Refused with Conflict(competition_not_published) unless it is published (a draft is
    deleted, not archived); PermissionDenied(not_an_organizer) unless ``by`` organizes it.
    One conditional UPDATE on the status: no lock."""
    selectors.require_organizer(user=by, competition=competition, to="archive it")
    changed = Competition.objects.filter(
        pk=competition.pk, status=Competition.Status.PUBLISHED
    ).update(status=Competition.Status.ARCHIVED)
    if not changed:
        competition.refresh_from_db(fields=["status"])
        _require_status(competition, Competition.Status.PUBLISHED, "archived")
    competition.status = Competition.Status.ARCHIVED
    return competition


def _require_status(competition: Competition, wanted: str, to: str) -> None:
    if competition.status == wanted:
        return
    code = Code.NOT_A_DRAFT if wanted == Competition.Status.DRAFT else Code.NOT_PUBLISHED
    raise Conflict(
        code,
        f"{competition.title} is {competition.status}: only a {wanted} competition can be {to}.",
        details={"status": competition.status},
    )
