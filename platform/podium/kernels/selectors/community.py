"""Reads of kernels as a community: the Kernels tab's list (All and Mine, sorted by votes,
recency or public score) with each run's votes and comments, a run's comments, who voted,
the copies' credit, and the figures other apps read (a profile's kernels, kernel medals).

Visibility is ``runs``' (``runs_for``, ``can_see``): a published run for everyone who may see
its competition, every run for its organizers, a team's own runs for the team. Counts are read
from the rows (never a stored counter), so a vote withdrawn or a comment added shows at once.
A score here is the run's submission's public score, and only where the public board shows it
(scored, not an organizer's test, not late); never a private one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from podium.competitions import selectors as competition_selectors
from podium.competitions.models import Competition
from podium.kernels.models import KernelComment, KernelRun, KernelVote
from podium.kernels.selectors.runs import _member_team_id, can_see, is_organizer, runs_for
from podium.submissions.models import Submission

TABS = ("all", "mine")
SORTS = ("votes", "recent", "score")


def _count(model, **filters) -> Coalesce:
    rows = (
        model.objects.filter(run=OuterRef("pk"), **filters)
        .order_by()
        .values("run")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


# The public score as the public board shows it: a scored submission on the board only.
_BOARD_SCORE = Case(
    When(
        submission__status=Submission.Status.SCORED,
        submission__is_test=False,
        submission__is_late=False,
        then=F("submission__public_score"),
    ),
    default=None,
)


def with_community(runs: QuerySet[KernelRun], *, viewer) -> QuerySet[KernelRun]:
    """``runs`` with ``vote_count``, ``comment_count``, ``board_score`` and ``voted`` (the
    viewer's own vote): one query for a whole list."""
    runs = runs.select_related("created_by", "team", "competition").annotate(
        vote_count=_count(KernelVote),
        comment_count=_count(KernelComment),
        board_score=_BOARD_SCORE,
    )
    if viewer is not None and viewer.is_authenticated:
        mine = KernelVote.objects.filter(run=OuterRef("pk"), user=viewer)
        return runs.annotate(voted=Exists(mine))
    return runs.annotate(voted=Value(False))


@dataclass(frozen=True)
class KernelCard:
    """One row of the Kernels tab: the run, its author, "run 3 days ago", its votes and
    comments, and its public score where the board shows one."""

    run: KernelRun
    author: str
    ran_at: datetime
    vote_count: int
    comment_count: int
    public_score: float | None
    submission_status: str | None
    voted: bool


def kernel_card_of(run: KernelRun) -> KernelCard:
    """The card of a run read through ``kernel_list`` (its annotations: a page of it)."""
    return KernelCard(
        run=run,
        author=run.created_by.get_username(),
        ran_at=run.started_at or run.created_at,
        vote_count=run.vote_count,
        comment_count=run.comment_count,
        public_score=run.board_score,
        submission_status=run.submission_state,
        voted=run.voted,
    )


def kernel_list(
    *, competition: Competition, viewer, tab: str = "all", sort: str = "votes"
) -> QuerySet[KernelRun]:
    """The Kernels tab's runs. ``all``: the published ones (its organizers see every run, to
    manage them); ``mine``: the viewer's own runs and their team's. Sorted by ``votes`` (then
    the newest), ``recent``, or ``score`` (best public score first, in the metric's direction;
    runs without one last)."""
    runs = runs_for(competition=competition, viewer=viewer)
    if tab == "mine":
        if not viewer.is_authenticated:
            return runs.none()
        team_id = _member_team_id(viewer, competition)
        mine = Q(created_by=viewer) | (Q(team_id=team_id) if team_id else Q(pk__in=[]))
        runs = runs.filter(mine)
    elif not is_organizer(viewer, competition):
        runs = runs.filter(published=True)
    runs = with_community(runs, viewer=viewer).annotate(submission_state=F("submission__status"))
    if sort == "recent":
        return runs.order_by("-created_at", "-pk")
    if sort == "score":
        best = F("board_score")
        best = (
            best.desc(nulls_last=True)
            if competition.greater_is_better
            else best.asc(nulls_last=True)
        )
        return runs.order_by(best, "-created_at", "-pk")
    return runs.order_by("-vote_count", "-created_at", "-pk")


def kernel_cards(
    *, competition: Competition, viewer, tab: str = "all", sort: str = "votes", limit: int = 200
) -> list[KernelCard]:
    runs = kernel_list(competition=competition, viewer=viewer, tab=tab, sort=sort)
    return [kernel_card_of(run) for run in runs[:limit]]


def kernel_card(*, run: KernelRun, viewer) -> KernelCard:
    """The run's own figures (its page): the caller checked ``can_see``."""
    found = (
        with_community(KernelRun.objects.filter(pk=run.pk), viewer=viewer)
        .annotate(submission_state=F("submission__status"))
        .get()
    )
    return kernel_card_of(found)


def kernel_comments(*, run: KernelRun) -> QuerySet[KernelComment]:
    """The run's comments, oldest first (the caller checked ``can_see``)."""
    return (
        KernelComment.objects.filter(run=run).select_related("author").order_by("created_at", "pk")
    )


def comment_get(*, comment_id: int, viewer) -> KernelComment | None:
    """The comment, if the viewer may see its run (None: as if absent)."""
    if not isinstance(comment_id, int) or not 0 < comment_id < 2**63:
        return None
    comment = (
        KernelComment.objects.select_related("run__competition", "author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or not can_see(viewer, comment.run):
        return None
    return comment


@dataclass(frozen=True)
class CopyCredit:
    """ "copied from alice's <title>": linked only where the viewer may see the source."""

    author: str
    title: str
    run: KernelRun | None  # None: the source is not the viewer's to see


def copy_credit(*, run: KernelRun, viewer) -> CopyCredit | None:
    if run.forked_from_id is None:
        return None
    source = KernelRun.objects.select_related("created_by", "competition").get(
        pk=run.forked_from_id
    )
    if can_see(viewer, source):
        return CopyCredit(source.created_by.get_username(), source.title, source)
    return CopyCredit(source.created_by.get_username(), "a kernel you cannot see", None)


# -- read by other apps: profiles and progression --------------------------------------------


def author_kernel_votes(*, user_ids) -> dict[int, list[int]]:
    """For each author in ``user_ids``, the vote count of each of their published kernels (the
    kernel medals' input); an author with none is left out. One query."""
    ids = {int(pk) for pk in user_ids}
    if not ids:
        return {}
    rows = (
        KernelRun.objects.filter(created_by_id__in=ids, published=True)
        .annotate(vote_count=_count(KernelVote))
        .order_by("created_by_id", "pk")
        .values_list("created_by_id", "vote_count")
    )
    found: dict[int, list[int]] = defaultdict(list)
    for author_id, votes in rows:
        found[author_id].append(votes)
    return dict(found)


def published_kernels_by_author(*, author, viewer) -> list[KernelCard]:
    """A profile's Kernels tab: ``author``'s published kernels in competitions the viewer may
    see, most voted first."""
    runs = KernelRun.objects.filter(created_by=author, published=True)
    competitions = Competition.objects.filter(pk__in=runs.values("competition_id"))
    visible = [c.pk for c in competitions if competition_selectors.can_view(viewer, c)]
    runs = with_community(runs.filter(competition_id__in=visible), viewer=viewer).annotate(
        submission_state=F("submission__status")
    )
    return [kernel_card_of(run) for run in runs.order_by("-vote_count", "-created_at", "-pk")]
