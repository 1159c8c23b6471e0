"""Rescoring every submission with a new answer key, in the background, losing nothing.

The job lives on the answer key version (``rescore_requested_at`` / ``rescore_finished_at``,
set by ``competitions.services.rescore_start`` / ``rescore_mark_finished``); its progress is in
the submissions themselves: one is done when it was scored (or failed) with the job's version
(``submissions.selectors.rescored_q``). Nothing else is stored, so there is no state to lose.

1. ``rescore_walk`` (the ``rescore_submissions`` task, queued by ``rescore_start``): reads the
   competition's next 500 (settings.RESCORING_WALK_STEP) submission ids after the last one
   walked, puts those not yet done back to pending and queues their scoring, then queues the
   next step. Each step re-reads everything, so a step run twice, or two walks at once, change
   nothing more.
2. The scoring pipeline scores each with the active answer key and refreshes its team's public
   row from scratch (``score_record`` -> ``team_entry_refresh``), so the board keeps showing,
   moving towards the new scores as they come in.
3. ``rescore_sweep`` (the periodic ``rescoring_sweep`` task) finishes jobs: it puts back to
   pending whatever ended without the job's version (a walk whose worker died, a message lost,
   a worker that scored with the old key while the job started) and, once every submission is
   done, rebuilds every team's public row and, if revealed, the private board, then closes the
   job. What sits in pending or scoring is the reconciler's (``submissions_reconcile``): a dead
   lease or a lost message is queued again; one that can never be scored ends failed, which
   counts as done.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from podium.competitions.models import Competition, SolutionVersion
from podium.competitions.selectors import active_solution
from podium.competitions.services import rescore_mark_finished
from podium.core.queue import COMPUTE_AWARDS, RESCORE_SUBMISSIONS, enqueue_on_commit
from podium.leaderboards.services import private_board_build, team_entry_refresh
from podium.submissions.selectors import rescore_progress, submission_ids_page
from podium.submissions.services import submissions_rescore_for_version
from podium.teams.models import Team

logger = logging.getLogger(__name__)

SWEEP_LIMIT = 2000  # submissions one sweep puts back to pending, per job


def _running(version: SolutionVersion | None) -> bool:
    """The job is open and its version is still the competition's active answer key."""
    if version is None or version.rescore_requested_at is None:
        return False
    if version.rescore_finished_at is not None:
        return False
    active = active_solution(version.competition)
    return active is not None and active.pk == version.pk


def rescore_walk(*, version_id: int, after_id: int = 0, step: int | None = None) -> int | None:
    """One step of the walk: the submissions after ``after_id`` (``step`` of them, by id, by
    default settings.RESCORING_WALK_STEP) that
    are not yet done go back to pending and are queued; the next step is queued after commit.
    Returns where the next step starts, or None when the walk is over (end of the submissions,
    or the job was finished or superseded). No locks of its own: see
    ``submissions_rescore_for_version``."""
    step = step or settings.RESCORING_WALK_STEP
    version = SolutionVersion.objects.select_related("competition").filter(pk=version_id).first()
    if not _running(version):
        return None
    ids = submission_ids_page(competition_id=version.competition_id, after_id=after_id, limit=step)
    if ids:
        submissions_rescore_for_version(version=version, submission_ids=ids, limit=len(ids))
    if len(ids) < step:
        return None
    enqueue_on_commit(RESCORE_SUBMISSIONS, version_id, ids[-1])
    return ids[-1]


def private_board_rebuild_if_revealed(*, competition: Competition) -> bool:
    """Rebuild the private board when it is revealed (before that nobody sees it, and the
    reveal builds it), then its medals and points (queued on commit); True when it was rebuilt."""
    if not competition.private_is_revealed:
        return False
    private_board_build(competition=competition)
    enqueue_on_commit(COMPUTE_AWARDS, competition.pk)
    return True


def boards_rebuild(*, competition: Competition) -> int:
    """Recompute every team's public row from its scored submissions (each under its team's
    row lock, one short transaction per team), then the private board if revealed. Returns the
    number of teams. Idempotent."""
    teams = Team.objects.filter(competition=competition).order_by("pk")
    team_ids = list(teams.values_list("pk", flat=True))
    for team_id in team_ids:
        with transaction.atomic():
            team = Team.objects.select_for_update().get(pk=team_id)
            team_entry_refresh(competition=competition, team=team)
    private_board_rebuild_if_revealed(competition=competition)
    return len(team_ids)


def rescore_finish(*, version: SolutionVersion) -> bool:
    """Rebuild the boards and close the job; False if it was closed (or restarted) meanwhile."""
    boards_rebuild(competition=version.competition)
    return rescore_mark_finished(version=version)


def rescore_sweep(*, limit: int = SWEEP_LIMIT) -> dict[str, list]:
    """Move every open rescoring job on: close a superseded one, put back to pending (and queue)
    up to ``limit`` submissions that ended without the job's version, and finish a job whose
    submissions are all done. Safe to run any number of times, and at once with the walks."""
    report: dict[str, list] = {"requeued": [], "finished": [], "superseded": []}
    jobs = SolutionVersion.objects.select_related("competition").filter(
        rescore_requested_at__isnull=False, rescore_finished_at__isnull=True
    )
    for version in jobs:
        if not _running(version):
            if rescore_mark_finished(version=version):
                report["superseded"].append(version.pk)
            continue
        requeued = submissions_rescore_for_version(version=version, limit=limit)
        if requeued:
            logger.info("Rescoring %s: %d submissions queued again", version, len(requeued))
            report["requeued"].extend(requeued)
            continue
        progress = rescore_progress(version.competition)
        if progress is None or progress.done < progress.total:
            continue  # pending or scoring: the workers' and the reconciler's
        if rescore_finish(version=version):
            logger.info("Rescoring %s finished: %d submissions", version, progress.total)
            report["finished"].append(version.pk)
    return report
