"""The "hot" order of topic lists, written down.

Reddit's formula rather than Hacker News' gravity (votes / (age + 2)^1.8): both mix votes and
recency, but Reddit's does not change as time passes, so it is stored on the topic
(``Topic.hot``, recomputed when a vote is cast or withdrawn) and a list is one indexed query
(index ``topic_hot``) instead of a computation over every topic at each read:

    hot = log10(1 + votes) + (created - 2024-01-01) / 45,000 s

A topic 12.5 hours (45,000 s) newer ranks with one that has about ten times the votes (9 votes
against none, 99 against 9); within the same hour, votes decide.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
PERIOD_SECONDS = 45_000


def hot_score(votes: int, created_at: datetime) -> float:
    return math.log10(1 + max(votes, 0)) + (created_at - EPOCH).total_seconds() / PERIOD_SECONDS
