"""The demo's community (issue 17), seeded after the competitions: medals and tiers from the
finished competition, discussion (topics, replies, votes, an announcement, a write-up), votes
and comments on the baseline kernels, and notifications waiting for the demo users.

Each step is idempotent; they run in this order because later ones notify about earlier ones.
``community_is_seeded`` looks for the last step's mark (bob's invitation to alice, made by
``seed_notifications``), so ``make run`` skips the whole seed on a later start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from podium.demo.discussion import seed_discussion
from podium.demo.kernels_community import kernels_community_demo
from podium.demo.notifications import INVITATION, seed_notifications
from podium.demo.progression import progression_demo
from podium.teams.models import Invitation


def seed_community(
    *,
    slugs: Iterable[str],
    usernames: Iterable[str],
    log: Callable[[str], None] = lambda line: None,
) -> None:
    """In-process steps (the caller runs tasks eagerly): awards of the demo competitions
    (``slugs``) and the demo users' standings, discussion, notifications."""
    progression_demo(slugs=slugs, usernames=usernames, log=log)
    seed_discussion(log=log)
    seed_notifications(log=log)


def seed_kernel_community(*, log: Callable[[str], None] = lambda line: None) -> None:
    """Not eagerly: a baseline kernel launched here trains when a worker takes it, never
    inside the seed."""
    kernels_community_demo(log=log)


def community_is_seeded() -> bool:
    slug, leader, invitee = INVITATION
    return Invitation.objects.filter(
        competition__slug=slug, invited_by__username=leader, invitee__username=invitee
    ).exists()
