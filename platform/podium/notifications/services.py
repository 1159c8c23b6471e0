"""Telling users: ``notify`` is the one way any app creates a notification."""

from __future__ import annotations

from collections.abc import Iterable

from podium.notifications.models import Kind, Notification


def notify(
    *,
    recipient_ids: Iterable[int],
    kind: Kind,
    title: str,
    url: str = "",
    actor_id: int | None = None,
) -> int:
    """One notification per recipient (never to the actor themselves); returns how many.

    Call it inside the transaction that made the event: rolled back together.
    """
    ids = sorted({int(i) for i in recipient_ids} - {actor_id})
    rows = [
        Notification(recipient_id=i, kind=kind, title=title[:300], url=url, actor_id=actor_id)
        for i in ids
    ]
    Notification.objects.bulk_create(rows, batch_size=500)
    return len(rows)
