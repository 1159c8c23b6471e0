"""Celery tasks of progression: thin, take ids, safe to run twice. Queued by name
(``core.queue.COMPUTE_AWARDS``) from the reveal and the board rebuilds below this layer."""

from __future__ import annotations

from celery import shared_task

from podium.progression.services import competition_awards_compute, standings_refresh_all


@shared_task(name="podium.progression.tasks.compute_awards")
def compute_awards(competition_id: int) -> dict:
    return competition_awards_compute(competition_id)


@shared_task(name="podium.progression.tasks.refresh_standings")
def refresh_standings() -> int:
    """Daily (beat): points decay with time, and vote medals follow the votes."""
    return standings_refresh_all()
