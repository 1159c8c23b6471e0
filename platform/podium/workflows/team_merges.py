"""Team merges: the rules that count submissions, and moving members, submissions and the board
row. A workflow, not in teams/, because it moves submissions and refreshes board rows (the
teams app may not import either); the merge-request model and the rules that need no
submissions are in ``podium.teams`` (``models``, ``rules``).

Kaggle's rules: team A asks team B; B's leader accepts; B remains (with its name and leader),
A's members and submissions move into it, A is deleted and B's board row is recomputed. Allowed
only before the team merger deadline (and the end), when neither team is disqualified (nor a
baseline team), when the merged team fits the size cap, and when the merged team's submissions
(those that count toward the limits) are at most the daily limit times the days the competition
has run (day 1 is the UTC day it starts) and within its total limit, if it has one.

Accepting an invitation or a join request is also a merge when the newcomer's solo team has
submissions: ``podium.workflows.team_joins``.

Locking: both team rows are locked (``select_for_update``, ascending pk: ``lock_teams``) before
anything is counted, then the request is answered with a conditional UPDATE, so two merges at
once into one team are decided one after the other against the members and submissions the
first one left. On SQLite the IMMEDIATE transaction serializes writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction

from podium.competitions.models import Competition
from podium.core.errors import Conflict, DomainError
from podium.core.timeutils import now
from podium.leaderboards.models import LeaderboardEntry
from podium.leaderboards.services import team_entry_refresh
from podium.submissions.models import Submission
from podium.submissions.selectors import counted_submissions
from podium.teams import rules
from podium.teams import services as team_services
from podium.teams.error_codes import TeamErrorCode as Code
from podium.teams.models import (
    Membership,
    MergeRequest,
    RequestStatus,
    Team,
)


def days_run(competition: Competition, moment: datetime) -> int:
    """Whole UTC days the competition has run at ``moment``, counted like Kaggle: 1 on the UTC
    day it starts, 2 the next day, ...; 0 before the start."""
    if moment < competition.start_at:
        return 0
    started = competition.start_at.astimezone(UTC).date()
    return (moment.astimezone(UTC).date() - started).days + 1


@dataclass(frozen=True)
class MergePreview:
    """Whether ``team`` may merge into ``into`` now, and every reason it may not."""

    team: Team
    into: Team
    refusals: list[DomainError]
    members: int
    max_members: int
    submissions: int
    max_submissions: int
    days: int

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def reasons(self) -> list[str]:
        return [refusal.message for refusal in self.refusals]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def merge_preview(*, team: Team, into: Team, moment: datetime | None = None) -> MergePreview:
    """Every reason ``team`` may not merge into ``into`` now (empty: it may). A read: the
    services call it again with both rows locked."""
    moment = moment or now()
    competition = into.competition
    refusals = rules.merge_refusals_without_submissions(team, into, moment)
    members = rules.member_count(team) + rules.member_count(into)
    days = days_run(competition, moment)
    daily = competition.daily_submission_limit
    cap = daily * days
    comparable = team.pk != into.pk and team.competition_id == into.competition_id
    made = 0
    if comparable:
        made = sum(
            counted_submissions(team=t, competition=competition).count() for t in (team, into)
        )
        if made > cap:
            refusals.append(
                DomainError(
                    Code.MERGE_TOO_MANY_SUBMISSIONS,
                    f"Together the teams have made {_plural(made, 'submission')}; a merged team "
                    f"may have made at most {cap} by now ({daily} a day for the "
                    f"{_plural(days, 'day')} {competition.title} has run).",
                    details={"submissions": made, "max_submissions": cap, "days": days},
                )
            )
        total = competition.total_submission_limit
        if total is not None and made > total:
            refusals.append(
                DomainError(
                    Code.MERGE_OVER_TOTAL_LIMIT,
                    f"Together the teams have made {_plural(made, 'submission')}; this competition "
                    f"allows {total} per team in all.",
                    details={"submissions": made, "total_limit": total},
                )
            )
    return MergePreview(
        team=team,
        into=into,
        refusals=refusals,
        members=members,
        max_members=competition.max_team_size,
        submissions=made,
        max_submissions=cap,
        days=days,
    )


def team_merge(*, survivor: Team, absorbed: Team, moment: datetime) -> Team:
    """Merge ``absorbed`` into ``survivor``: members and submissions move, ``absorbed``'s board
    row and pending requests go, then the team itself; ``survivor``'s board row is recomputed
    from all its submissions. Checks every merge rule first.

    Call inside a transaction with both team rows locked (``lock_teams``).
    """
    preview = merge_preview(team=absorbed, into=survivor, moment=moment)
    if not preview.allowed:
        raise preview.refusals[0]
    moved = list(Membership.objects.filter(team=absorbed).values_list("user_id", flat=True))
    Membership.objects.filter(team=absorbed).update(team=survivor, updated_at=moment)
    Submission.objects.filter(team=absorbed).update(team=survivor, updated_at=moment)
    LeaderboardEntry.objects.filter(team=absorbed).delete()
    team_entry_refresh(competition=survivor.competition, team=survivor)
    team_services.pending_requests_cancel(team=absorbed, moment=moment)
    team_services.pending_user_requests_cancel(
        user_ids=moved, competition_id=survivor.competition_id, moment=moment
    )
    Team.objects.filter(pk=absorbed.pk).delete()
    return survivor


# -- merge requests ------------------------------------------------------------------------------


def merge_request_create(*, user, team: Team, into: Team) -> MergeRequest:
    """``team``'s leader asks ``into`` to merge (``into`` would remain). Refused, with the first
    reason, when the merge would be refused now; asking again returns the pending request.

    No lock: nothing changes until ``into``'s leader accepts, and that checks everything again.
    """
    rules.require_leader(user, team, "ask another team to merge")
    preview = merge_preview(team=team, into=into)
    if not preview.allowed:
        raise preview.refusals[0]
    pending = MergeRequest.objects.filter(status=RequestStatus.PENDING)
    if pending.filter(from_team=into, to_team=team).exists():
        raise Conflict(
            Code.MERGE_REQUEST_CROSSED,
            f"“{into.name}” has already asked to merge with “{team.name}”: accept its request "
            "instead.",
        )
    existing = pending.filter(from_team=team, to_team=into).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            made = MergeRequest.objects.create(
                competition_id=into.competition_id,
                from_team=team,
                to_team=into,
                from_team_name=team.name,
                to_team_name=into.name,
                requested_by=user,
            )
            team_services.request_made_notify(made)  # into's leader
            return made
    except IntegrityError:  # sent twice at once
        return pending.get(from_team=team, to_team=into)


def merge_request_accept(*, user, merge_request: MergeRequest) -> Team:
    """The leader of the asked team accepts; returns the merged team (the asked one).

    Locks both team rows (ascending pk) before the leader, the request and every rule are
    checked, so of two merges into one team at once that would together pass the size cap,
    the second is refused.
    """
    if merge_request.status != RequestStatus.PENDING or None in (
        merge_request.from_team,
        merge_request.to_team,
    ):
        raise team_services.request_closed(merge_request)
    moment = now()
    with transaction.atomic():
        absorbed, survivor = team_services.lock_teams(
            merge_request.from_team, merge_request.to_team
        )
        rules.require_leader(user, survivor, "accept merge requests for the team")
        team_services.request_close(
            merge_request, status=RequestStatus.ACCEPTED, by=user, moment=moment
        )
        return team_merge(survivor=survivor, absorbed=absorbed, moment=moment)


def merge_request_decline(*, user, merge_request: MergeRequest) -> MergeRequest:
    """The leader of the asked team says no. One conditional UPDATE, no lock."""
    if merge_request.to_team is None:
        raise team_services.request_closed(merge_request)
    rules.require_leader(user, merge_request.to_team, "answer merge requests for the team")
    team_services.request_close(merge_request, status=RequestStatus.DECLINED, by=user, moment=now())
    return merge_request


def merge_request_cancel(*, user, merge_request: MergeRequest) -> MergeRequest:
    """The asking team's leader takes the request back. One conditional UPDATE, no lock."""
    if merge_request.from_team is None:
        raise team_services.request_closed(merge_request)
    rules.require_leader(user, merge_request.from_team, "take back its merge requests")
    team_services.request_close(
        merge_request, status=RequestStatus.CANCELLED, by=user, moment=now()
    )
    return merge_request
