"""Reading a user's notifications and preferences.

The bell's count is one COUNT over the ``notification_unread`` index (recipient, read_at),
bounded: it counts at most ``UNREAD_CAP`` rows (the bell says "99+"), so a user with a
hundred thousand unread costs what one with a hundred does. No cached counter: nothing to keep
in step with the rows, and the query reads a handful of index entries.
"""

from __future__ import annotations

from django.db.models import QuerySet

from podium.notifications.models import DEFAULT_DELIVERY, Kind, Notification, NotificationPreference

UNREAD_CAP = 100


def notifications_of(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """Newest first."""
    found = Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")
    if unread_only:
        found = found.filter(read_at__isnull=True)
    return found


def unread_count(*, user) -> int:
    """Unread notifications, counted up to ``UNREAD_CAP`` (one bounded index scan)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    # Ordered as the notification_unread index is (recipient, read_at): its first entries are
    # the answer, and the planner never prefers a table scan that a LIMIT would only seem to
    # cut short (it did for a user holding a third of the rows). Any other order would sort
    # every unread row first.
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    return unread.order_by("recipient_id", "read_at")[:UNREAD_CAP].count()


def preferences_of(*, user) -> dict[str, str]:
    """Every kind's delivery for this user: their choice, else the default."""
    chosen = dict(
        NotificationPreference.objects.filter(user_id=user.pk).values_list("kind", "delivery")
    )
    return {kind.value: chosen.get(kind.value, DEFAULT_DELIVERY[kind]) for kind in Kind}


def deliveries_for(*, user_ids: list[int], kind: str) -> dict[int, str]:
    """Each recipient's delivery for ``kind`` (one query over the stored choices)."""
    chosen = dict(
        NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind).values_list(
            "user_id", "delivery"
        )
    )
    default = DEFAULT_DELIVERY[Kind(kind)]
    return {i: chosen.get(i, default) for i in user_ids}
