"""Awarding medals and ranking points from revealed private boards, and keeping users'
standings and tiers current.

``competition_awards_compute`` is queued by name (``core.queue.COMPUTE_AWARDS``) on commit of a
reveal and of every rebuild of a revealed board (rescoring, disqualification); safe to run any
number of times. ``standings_refresh`` recomputes users' standings from their results (the
daily beat decays the points through it).

Locking: a competition's computation holds its row (as the reveal does), so two runs for one
competition take turns; a standing is recomputed under its own row lock, taken in user order
after the results are written, so two competitions that share a user never lose each other's
results.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from podium.accounts.models import Profile
from podium.accounts.models import Tier as ProfileTier
from podium.competitions.models import Competition
from podium.core.locks import lock_row
from podium.core.timeutils import now
from podium.leaderboards.models import PrivateEntry
from podium.notifications.models import Kind
from podium.notifications.services import notify
from podium.progression import community, rules
from podium.progression.models import CompetitionResult, MedalNotice, UserStanding
from podium.submissions.models import Submission
from podium.teams.models import Membership

logger = logging.getLogger(__name__)

STANDINGS_BATCH = 500


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _counted_board(competition: Competition) -> list[PrivateEntry]:
    """The private board without Baseline and disqualified teams, best first."""
    return list(
        PrivateEntry.objects.filter(
            competition=competition,
            team__is_baseline=False,
            team__disqualified_at__isnull=True,
        )
        .select_related("team")
        .order_by("rank")
    )


def _results(competition: Competition) -> list[CompetitionResult]:
    board = _counted_board(competition)
    members: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in Membership.objects.filter(
        team_id__in=[entry.team_id for entry in board]
    ).values_list("team_id", "user_id"):
        members[team_id].append(user_id)
    teams, moment = len(board), now()
    results = []
    for counted_rank, entry in enumerate(board, start=1):
        users = sorted(members.get(entry.team_id, ()))
        if not users:
            continue
        medal = rules.medal_for(counted_rank, teams)
        points = rules.ranking_points(
            rank=counted_rank, teams=teams, teammates=len(users), days_since_deadline=0
        )
        results.extend(
            CompetitionResult(
                competition=competition,
                user_id=user_id,
                team_id=entry.team_id,
                team_name=entry.team.name,
                rank=entry.rank,
                counted_rank=counted_rank,
                teams=teams,
                teammates=len(users),
                medal=int(medal) if medal else None,
                points=points,
                deadline=competition.end_at,
                computed_at=moment,
            )
            for user_id in users
        )
    return results


def _notify_new_medals(competition: Competition, results: list[CompetitionResult]) -> int:
    """Tell each user whose medal here is better than any they were told of; returns how many."""
    told = dict(MedalNotice.objects.filter(competition=competition).values_list("user_id", "medal"))
    news: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for result in results:
        if result.medal and result.medal > told.get(result.user_id, 0):
            news[(result.medal, result.rank, result.teams)].append(result.user_id)
    url = f"/competitions/{competition.slug}/leaderboard/private/"
    for (medal, rank, teams), user_ids in news.items():
        name = rules.Medal(medal).name.lower()
        notify(
            recipient_ids=user_ids,
            kind=Kind.MEDAL,
            title=f"A {name} medal in {competition.title}: {_ordinal(rank)} of {teams} teams",
            url=url,
        )
    MedalNotice.objects.bulk_create(
        [
            MedalNotice(competition=competition, user_id=i, medal=medal)
            for (medal, _, _), user_ids in news.items()
            for i in user_ids
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["competition", "user"],
        update_fields=["medal", "notified_at"],
    )
    return sum(len(ids) for ids in news.values())


def competition_awards_compute(competition_id: int) -> dict[str, int]:
    """Recompute a revealed competition's results (medals, points at the deadline) from its
    private board, tell the winners of new medals, and recompute the standings and tiers of
    every user it concerns (now or before). Idempotent. A competition not revealed yet gets
    nothing; one with ``awards_medals`` off loses whatever it had awarded."""
    with transaction.atomic():
        competition = lock_row(Competition.objects, competition_id)
        if competition.private_revealed_at is None:
            return {"results": 0, "notified": 0}
        before = set(
            CompetitionResult.objects.filter(competition=competition).values_list(
                "user_id", flat=True
            )
        )
        results = _results(competition) if competition.awards_medals else []
        CompetitionResult.objects.filter(competition=competition).delete()
        CompetitionResult.objects.bulk_create(results, batch_size=1000)
        notified = _notify_new_medals(competition, results)
        standings_refresh(user_ids=before | {result.user_id for result in results})
    logger.info(
        "Awards of %s: %d results, %d told of a new medal", competition.slug, len(results), notified
    )
    return {"results": len(results), "notified": notified}


def _vote_medals(votes: dict[int, list[int]], thresholds: dict[str, int]) -> dict[int, dict]:
    counts: dict[int, dict] = {}
    for user_id, per_item in votes.items():
        medals = [rules.vote_medal(v, thresholds) for v in per_item]
        counts[user_id] = {m: medals.count(m) for m in rules.Medal}
    return counts


def _tier(standing: UserStanding, *, contributed: bool) -> str:
    medals = rules.MedalCount(
        gold=standing.gold,
        silver=standing.silver,
        bronze=standing.bronze,
        solo_gold=standing.solo_gold,
    )
    tier = rules.tier_for(
        medals, contributed=contributed, rules=rules.tier_rules(settings.PODIUM_TIERS)
    )
    return ProfileTier(tier.name.lower())


def _standing(user_id: int, results: list[CompetitionResult], moment: datetime) -> UserStanding:
    standing = UserStanding(user_id=user_id, updated_at=moment)
    for result in results:
        days = (moment - result.deadline).total_seconds() / 86400
        standing.points += rules.points_decayed(result.points, days_since_deadline=days)
        standing.competitions += 1
        if result.teammates == 1:
            standing.solo_competitions += 1
        else:
            standing.team_competitions += 1
        if result.medal == rules.Medal.GOLD:
            standing.gold += 1
            standing.solo_gold += result.teammates == 1
        elif result.medal == rules.Medal.SILVER:
            standing.silver += 1
        elif result.medal == rules.Medal.BRONZE:
            standing.bronze += 1
    return standing


STANDING_FIELDS = [
    f.name for f in UserStanding._meta.concrete_fields if f.name not in ("id", "user")
]


def standings_refresh(*, user_ids: Iterable[int], moment: datetime | None = None) -> int:
    """Recompute these users' standings (points decayed to ``moment``, medal counts, vote
    medals) and their tiers into ``accounts.Profile``; returns how many. Idempotent."""
    ids = sorted({int(i) for i in user_ids})
    if not ids:
        return 0
    moment = moment or now()
    with transaction.atomic():
        UserStanding.objects.bulk_create(
            [UserStanding(user_id=i) for i in ids], ignore_conflicts=True
        )
        # The lock that makes two computations sharing a user take turns (module docstring).
        list(UserStanding.objects.select_for_update().filter(user_id__in=ids).order_by("user_id"))
        by_user: dict[int, list[CompetitionResult]] = defaultdict(list)
        for result in CompetitionResult.objects.filter(user_id__in=ids):
            by_user[result.user_id].append(result)
        posts = _vote_medals(community.post_votes(ids), settings.PODIUM_DISCUSSION_MEDAL_VOTES)
        kernels = _vote_medals(community.kernel_votes(ids), settings.PODIUM_KERNEL_MEDAL_VOTES)
        submitted = set(
            Submission.objects.filter(
                submitted_by_id__in=ids, status=Submission.Status.SCORED, is_test=False
            )
            .values_list("submitted_by_id", flat=True)
            .distinct()
        )
        tiers: dict[str, list[int]] = defaultdict(list)
        rows: list[UserStanding] = []
        for user_id in ids:
            fresh = _standing(user_id, by_user.get(user_id, []), moment)
            for prefix, counts in (("discussion", posts), ("kernel", kernels)):
                for medal, n in counts.get(user_id, {}).items():
                    setattr(fresh, f"{prefix}_{medal.name.lower()}", n)
            rows.append(fresh)
            contributed = user_id in submitted or bool(by_user.get(user_id))
            tiers[_tier(fresh, contributed=contributed)].append(user_id)
        # One INSERT .. ON CONFLICT DO UPDATE per batch (bulk_update's CASE per field and row
        # cost 25 s of Python for 1,200 rows; an UPDATE per row, a round trip each).
        UserStanding.objects.bulk_create(
            rows,
            batch_size=STANDINGS_BATCH,
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=STANDING_FIELDS,
        )
        Profile.objects.bulk_create([Profile(user_id=i) for i in ids], ignore_conflicts=True)
        for tier, tier_ids in tiers.items():
            Profile.objects.filter(user_id__in=tier_ids).exclude(tier=tier).update(tier=tier)
    return len(ids)


def standings_refresh_all(*, moment: datetime | None = None) -> int:
    """Every active user's standing, in batches (one transaction each): the daily decay of
    the points, and the vote medals of people with no competition result."""
    moment = moment or now()
    User = get_user_model()
    ids = list(User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    ids = sorted(
        set(ids) | set(CompetitionResult.objects.values_list("user_id", flat=True).distinct())
    )
    for start in range(0, len(ids), STANDINGS_BATCH):
        standings_refresh(user_ids=ids[start : start + STANDINGS_BATCH], moment=moment)
    return len(ids)
