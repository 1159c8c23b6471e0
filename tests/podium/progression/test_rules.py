"""Kaggle's medal table, ranking points and tiers (progression/rules.py)."""

import math

import pytest

from podium.progression.rules import (
    Medal,
    MedalCount,
    MedalCutoffs,
    Tier,
    medal_cutoffs,
    medal_for,
    ranking_points,
    tier_for,
)


@pytest.mark.parametrize(
    ("teams", "cutoffs"),
    [
        (0, MedalCutoffs(0, 0, 0)),
        (1, MedalCutoffs(0, 0, 0)),
        (9, MedalCutoffs(0, 1, 3)),  # 10 % of 9 rounds down: no gold
        (10, MedalCutoffs(1, 2, 4)),
        (99, MedalCutoffs(9, 19, 39)),
        (100, MedalCutoffs(10, 20, 40)),  # from 100: gold is the top 10
        (249, MedalCutoffs(10, 49, 99)),
        (250, MedalCutoffs(10, 50, 100)),  # from 250: top 10 + 0.2 %, 50, 100
        (999, MedalCutoffs(11, 50, 100)),
        (1000, MedalCutoffs(12, 50, 100)),  # from 1000: 10 + 0.2 %, 5 %, 10 %
        (47_430, MedalCutoffs(104, 2371, 4743)),
    ],
)
def test_the_medal_table_by_number_of_teams(teams, cutoffs):
    assert medal_cutoffs(teams) == cutoffs


def test_a_rank_earns_the_best_medal_it_is_within():
    assert [medal_for(rank, 10) for rank in range(1, 11)] == [
        Medal.GOLD, Medal.SILVER, Medal.BRONZE, Medal.BRONZE, *[None] * 6,
    ]  # fmt: skip
    assert medal_for(104, 47_430) is Medal.GOLD and medal_for(105, 47_430) is Medal.SILVER
    assert medal_for(4743, 47_430) is Medal.BRONZE and medal_for(4744, 47_430) is None
    assert Medal.GOLD > Medal.SILVER > Medal.BRONZE
    with pytest.raises(ValueError):
        medal_for(11, 10)
    with pytest.raises(ValueError):
        medal_for(0, 10)


def test_ranking_points_follow_kaggles_formula():
    points = ranking_points(rank=16, teams=1204, teammates=2, days_since_deadline=100)
    expected = (
        100_000 / math.sqrt(2) * 16**-0.75 * math.log10(1 + math.log10(1204)) * math.exp(-0.2)
    )
    # by hand: 70710.7 x 1/8 (16^-0.75) x 0.61072 x 0.81873
    assert points == pytest.approx(expected) and points == pytest.approx(4419.6, abs=0.1)
    first = ranking_points(rank=1, teams=1204, teammates=1, days_since_deadline=0)
    assert first > points
    # a team of four shares: each earns half of what one alone would
    solo = ranking_points(rank=3, teams=500, teammates=1, days_since_deadline=0)
    assert ranking_points(rank=3, teams=500, teammates=4, days_since_deadline=0) == solo / 2
    # points fade with time, never grow before the deadline, and a board of one is worth nothing
    assert ranking_points(rank=3, teams=500, teammates=1, days_since_deadline=500) == (
        pytest.approx(solo / math.e)
    )
    assert ranking_points(rank=3, teams=500, teammates=1, days_since_deadline=-5) == solo
    assert ranking_points(rank=1, teams=1, teammates=1, days_since_deadline=0) == 0
    with pytest.raises(ValueError):
        ranking_points(rank=2, teams=1, teammates=1, days_since_deadline=0)


@pytest.mark.parametrize(
    ("medals", "contributed", "tier"),
    [
        (MedalCount(), False, Tier.NOVICE),
        (MedalCount(), True, Tier.CONTRIBUTOR),
        (MedalCount(bronze=1), True, Tier.CONTRIBUTOR),
        (MedalCount(bronze=2), False, Tier.EXPERT),
        (MedalCount(silver=1, bronze=1), False, Tier.EXPERT),  # a better medal counts lower
        (MedalCount(gold=2), False, Tier.EXPERT),
        (MedalCount(gold=1, silver=1), False, Tier.EXPERT),
        (MedalCount(gold=1, silver=2), False, Tier.MASTER),
        (MedalCount(gold=3), False, Tier.MASTER),  # two golds stand in for the two silvers
        (MedalCount(gold=5, silver=3), False, Tier.MASTER),  # no solo gold
        (MedalCount(gold=5, solo_gold=1), False, Tier.GRANDMASTER),
        (MedalCount(gold=4, silver=9, solo_gold=1), False, Tier.MASTER),
    ],
)
def test_tiers_from_medal_counts(medals, contributed, tier):
    assert tier_for(medals, contributed=contributed) is tier
