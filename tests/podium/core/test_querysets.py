"""podium.core.querysets: counts of several relations per row, each as its own subquery.

Pinned: two counts over different relations (members, submissions) come out exact where two
plain Count annotations multiply each other; a row with none counts 0, not NULL; the outer query
keeps one row per object, in one query, and can filter and order on the counts.
"""

from __future__ import annotations

import pytest
from django.db.models import Count

from podium.core.querysets import related_count
from podium.teams.models import Membership, Team
from tests.podium.factories import (
    CompetitionFactory,
    competition_with_solution,
    participant,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams():
    competition = competition_with_solution(rows=20)
    alice, carol = participant(competition, "alice"), participant(competition, "carol")
    busy = Team.objects.get(competition=competition, memberships__user=alice)
    bob = participant(CompetitionFactory(), "bob")  # a user of another competition joins alice
    Membership.objects.create(team=busy, user=bob, competition=competition)
    for _ in range(3):
        submit(alice, competition)
    idle = Team.objects.get(competition=competition, memberships__user=carol)
    return Team.objects.filter(competition=competition), busy, idle


def counted(queryset):
    return queryset.annotate(
        member_count=related_count(Team, "memberships"),
        submission_count=related_count(Team, "submissions"),
    )


def test_two_counts_do_not_multiply(teams):
    queryset, busy, idle = teams
    rows = {t.pk: (t.member_count, t.submission_count) for t in counted(queryset)}
    assert rows == {busy.pk: (2, 3), idle.pk: (1, 0)}
    # what the subqueries avoid: two plain Counts join both relations (2 x 3 rows)
    naive = queryset.annotate(m=Count("memberships"), s=Count("submissions")).get(pk=busy.pk)
    assert (naive.m, naive.s) == (6, 6)


def test_a_row_with_none_counts_zero_not_null(teams):
    queryset, _, idle = teams
    assert counted(queryset).get(pk=idle.pk).submission_count == 0


def test_one_query_one_row_per_team(teams, django_assert_num_queries):
    queryset, busy, idle = teams
    with django_assert_num_queries(1):
        rows = list(counted(queryset).order_by("-submission_count"))
    assert [t.pk for t in rows] == [busy.pk, idle.pk]


def test_the_counts_can_be_filtered_on(teams):
    queryset, busy, _ = teams
    assert list(counted(queryset).filter(submission_count__gte=1)) == [busy]
    assert list(counted(queryset).filter(member_count=2, submission_count=3)) == [busy]
