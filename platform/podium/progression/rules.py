"""Kaggle's progression rules, as pure functions: the medal a final rank earns, the ranking
points a result is worth, and the tier a medal count reaches (issue 17; the numbers are Kaggle's).

Nothing here reads the database: the reveal and the profile pages hand in a private board's
rank, its number of teams (Baseline and disqualified teams left out: they neither get a medal
nor count) and a team's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum


class Medal(IntEnum):
    """Ordered: a better medal compares greater."""

    BRONZE = 1
    SILVER = 2
    GOLD = 3


@dataclass(frozen=True)
class MedalCutoffs:
    """The worst rank that still earns each medal (0: none of that medal)."""

    gold: int
    silver: int
    bronze: int


def medal_cutoffs(teams: int) -> MedalCutoffs:
    """Kaggle's table by the number of ranked teams; a percentage rounds down, so 9 teams give
    no gold (10 % of 9 is 0.9)."""
    if teams <= 0:
        return MedalCutoffs(0, 0, 0)
    if teams < 100:
        return MedalCutoffs(teams * 10 // 100, teams * 20 // 100, teams * 40 // 100)
    if teams < 250:
        return MedalCutoffs(10, teams * 20 // 100, teams * 40 // 100)
    gold = 10 + teams * 2 // 1000  # top 10 + 0.2 %
    if teams < 1000:
        return MedalCutoffs(gold, 50, 100)
    return MedalCutoffs(gold, teams * 5 // 100, teams * 10 // 100)


def medal_for(rank: int, teams: int) -> Medal | None:
    """The medal of the team ranked ``rank`` (1 is first) among ``teams``; None for none."""
    if rank < 1 or rank > teams:
        raise ValueError(f"rank {rank} is not among {teams} teams")
    cutoffs = medal_cutoffs(teams)
    for medal, worst in (
        (Medal.GOLD, cutoffs.gold),
        (Medal.SILVER, cutoffs.silver),
        (Medal.BRONZE, cutoffs.bronze),
    ):
        if rank <= worst:
            return medal
    return None


POINTS_SCALE = 100_000
POINTS_DECAY_DAYS = 500


def ranking_points(*, rank: int, teams: int, teammates: int, days_since_deadline: float) -> float:
    """A result's points: 100000 / sqrt(teammates) x rank^-0.75 x log10(1 + log10(teams)) x
    exp(-days since the deadline / 500). One team alone earns nothing (log10(1) is 0)."""
    if rank < 1 or rank > teams or teammates < 1:
        raise ValueError(f"rank {rank} of {teams} teams with {teammates} teammates")
    return (
        POINTS_SCALE
        / math.sqrt(teammates)
        * rank**-0.75
        * math.log10(1 + math.log10(teams))
        * math.exp(-max(days_since_deadline, 0.0) / POINTS_DECAY_DAYS)
    )


class Tier(IntEnum):
    NOVICE = 0
    CONTRIBUTOR = 1
    EXPERT = 2
    MASTER = 3
    GRANDMASTER = 4


@dataclass(frozen=True)
class MedalCount:
    gold: int = 0
    silver: int = 0
    bronze: int = 0
    solo_gold: int = 0  # gold medals won in a team of one


@dataclass(frozen=True)
class TierRule:
    """The least of each medal a tier needs; a better medal counts toward a lesser one's
    requirement (two golds satisfy "two bronze")."""

    tier: Tier
    gold: int = 0
    silver: int = 0
    bronze: int = 0
    solo_gold: int = 0


# Kaggle's competition tiers, best first; a site may set its own (PODIUM_TIER_RULES, issue 17).
TIER_RULES = (
    TierRule(Tier.GRANDMASTER, gold=5, solo_gold=1),
    TierRule(Tier.MASTER, gold=1, silver=2),
    TierRule(Tier.EXPERT, bronze=2),
)


def tier_for(
    medals: MedalCount, *, contributed: bool = False, rules: tuple[TierRule, ...] = TIER_RULES
) -> Tier:
    """The best tier whose rule ``medals`` meets; else Contributor for someone who has taken
    part (a scored submission), else Novice."""
    for rule in rules:
        golds = medals.gold
        silvers = medals.silver + max(golds - rule.gold, 0)
        bronzes = medals.bronze + max(silvers - rule.silver, 0)
        if (
            golds >= rule.gold
            and medals.solo_gold >= rule.solo_gold
            and silvers >= rule.silver
            and bronzes >= rule.bronze
        ):
            return rule.tier
    return Tier.CONTRIBUTOR if contributed else Tier.NOVICE


def tier_rules(table: dict[str, dict[str, int]]) -> tuple[TierRule, ...]:
    """Tier rules from a settings table ({"master": {"gold": 1, "silver": 2}, ...}), best first
    whatever the table's order."""
    rules = [TierRule(Tier[name.upper()], **needs) for name, needs in table.items()]
    return tuple(sorted(rules, key=lambda rule: rule.tier, reverse=True))


def vote_medal(votes: int, thresholds: dict[str, int]) -> Medal | None:
    """The medal a post or kernel with ``votes`` earns ({"gold": 10, "silver": 5, "bronze": 1})."""
    for medal in (Medal.GOLD, Medal.SILVER, Medal.BRONZE):
        needed = thresholds.get(medal.name.lower())
        if needed is not None and votes >= needed:
            return medal
    return None


def points_decayed(points: float, *, days_since_deadline: float) -> float:
    """A result's points at the deadline, decayed as ``ranking_points`` decays them."""
    return points * math.exp(-max(days_since_deadline, 0.0) / POINTS_DECAY_DAYS)
