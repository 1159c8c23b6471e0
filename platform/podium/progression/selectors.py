"""Reads of progression for the profile pages, the site ranking and the API.

A result is shown only for a competition the viewer may see (``competitions.selectors``) and
only once its private board is revealed (results exist only then: nothing private leaks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q

from podium.accounts.models import Profile, Tier
from podium.competitions.selectors import can_view
from podium.core.errors import NotFound
from podium.progression.error_codes import ProgressionErrorCode
from podium.progression.models import CompetitionResult, UserStanding

RANKING_PAGE_SIZE = 50


@dataclass(frozen=True)
class SiteRank:
    rank: int
    of: int  # users with ranking points


@dataclass(frozen=True)
class UserProfile:
    user: object
    bio: str
    tier: str
    tier_label: str
    joined_at: datetime
    last_seen_at: datetime | None
    standing: UserStanding | None
    site_rank: SiteRank | None


@dataclass(frozen=True)
class RankingRow:
    rank: int
    username: str
    tier: str
    tier_label: str
    points: float
    gold: int
    silver: int
    bronze: int
    competitions: int


def user_by_username(username: str):
    """The active user called ``username``; NotFound (profile_not_found) otherwise."""
    user = (
        get_user_model()
        ._default_manager.filter(username=username, is_active=True)
        .select_related("profile", "standing")
        .first()
    )
    if user is None:
        raise NotFound(ProgressionErrorCode.PROFILE_NOT_FOUND, f"There is no user {username}.")
    return user


def ranked_users() -> int:
    return UserStanding.objects.filter(points__gt=0).count()


def site_rank(standing: UserStanding | None) -> SiteRank | None:
    """ "16 of 1,204": one more than the users with more points (ties to the earlier account),
    among those with points; None without points. Two counts over ``standing_rank``."""
    if standing is None or standing.points <= 0:
        return None
    ahead = UserStanding.objects.filter(
        Q(points__gt=standing.points) | Q(points=standing.points, user_id__lt=standing.user_id)
    ).count()
    return SiteRank(rank=ahead + 1, of=ranked_users())


def _related(user, name: str):
    try:
        return getattr(user, name)
    except (Profile.DoesNotExist, UserStanding.DoesNotExist):
        return None


def user_profile(*, username: str) -> UserProfile:
    user = user_by_username(username)
    profile = _related(user, "profile")
    standing = _related(user, "standing")
    tier = profile.tier if profile else Tier.NOVICE
    return UserProfile(
        user=user,
        bio=profile.bio if profile else "",
        tier=tier,
        tier_label=Tier(tier).label,
        joined_at=user.date_joined,
        last_seen_at=profile.last_seen_at if profile else None,
        standing=standing,
        site_rank=site_rank(standing),
    )


def user_results(*, user, viewer) -> list[CompetitionResult]:
    """``user``'s final results, latest first, in competitions ``viewer`` may see."""
    rows = CompetitionResult.objects.filter(
        user=user, competition__private_revealed_at__isnull=False
    ).select_related("competition")
    return [row for row in rows.order_by("-deadline", "-pk") if can_view(viewer, row.competition)]


def ranking_page(*, page: int = 1, size: int = RANKING_PAGE_SIZE) -> tuple[list[RankingRow], int]:
    """One page of the site ranking (users with points, most first) and how many there are."""
    start = (max(int(page), 1) - 1) * size
    return ranking_rows(offset=start, limit=size), ranked_users()


def ranking_rows(*, offset: int, limit: int) -> list[RankingRow]:
    """Rows ``offset`` .. ``offset + limit`` of the site ranking: the page's keys from the
    index alone (deep pages skip index entries, not joined rows), then those rows' users."""
    start = max(offset, 0)
    ranked = UserStanding.objects.filter(points__gt=0).order_by("-points", "user_id")
    keys = list(ranked.values_list("pk", flat=True)[start : start + limit])
    found = UserStanding.objects.filter(pk__in=keys).select_related("user__profile")
    by_key = {standing.pk: standing for standing in found}
    standings = [by_key[key] for key in keys if key in by_key]
    rows = []
    for rank, standing in enumerate(standings, start=start + 1):
        profile = _related(standing.user, "profile")
        tier = profile.tier if profile else Tier.NOVICE
        rows.append(
            RankingRow(
                rank=rank,
                username=standing.user.get_username(),
                tier=tier,
                tier_label=Tier(tier).label,
                points=standing.points,
                gold=standing.gold,
                silver=standing.silver,
                bronze=standing.bronze,
                competitions=standing.competitions,
            )
        )
    return rows
