"""The demo's medals, points and tiers: awarded from the demo's revealed private boards (the
finished competition's), as the reveal's queued task awards them on a running site.

``seed_demo`` runs the reveal with tasks in-process, so this usually finds the awards made; it
makes them where they are missing (a demo seeded before progression existed) and refreshes the
demo users' standings and tiers. Idempotent: a medal is never told twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model

from podium.competitions.models import Competition
from podium.progression.services import competition_awards_compute, standings_refresh


def progression_demo(
    *,
    slugs: Iterable[str],
    usernames: Iterable[str],
    log: Callable[[str], None] = lambda line: None,
) -> int:
    """Award every revealed demo competition (``slugs``) and refresh the demo users'
    standings; returns the number of results awarded (0 without a revealed one)."""
    results = 0
    revealed = Competition.objects.filter(slug__in=list(slugs), private_revealed_at__isnull=False)
    for competition in revealed.order_by("end_at"):
        awarded = competition_awards_compute(competition.pk)
        results += awarded["results"]
        log(f"{competition.slug}: medals and points for {awarded['results']} participant(s)")
    users = get_user_model()._default_manager.filter(username__in=list(usernames))
    standings_refresh(user_ids=users.values_list("pk", flat=True))
    return results
