"""Telling users: ``notify`` is the one way any app creates a notification; reading them and
choosing how each kind is delivered.

Email: a notification whose recipient wants that kind emailed at once is mailed by the
``email_notifications`` task, queued when the event's transaction commits (nothing is mailed
for an event that was rolled back); digest kinds wait for the daily digest (``digest``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction

from podium.core.errors import DomainError, NotFound
from podium.core.queue import EMAIL_NOTIFICATIONS, enqueue_on_commit
from podium.core.timeutils import now
from podium.notifications.error_codes import NotificationErrorCode as Code
from podium.notifications.models import (
    DEFAULT_DELIVERY,
    Delivery,
    Kind,
    Notification,
    NotificationPreference,
)
from podium.notifications.selectors import deliveries_for


def notify(
    *,
    recipient_ids: Iterable[int],
    kind: Kind,
    title: str,
    url: str = "",
    actor_id: int | None = None,
) -> int:
    """One notification per recipient (never to the actor themselves); returns how many.

    Call it inside the transaction that made the event: rolled back together, and the
    immediate emails are queued only once it commits.
    """
    ids = sorted({int(i) for i in recipient_ids} - {actor_id})
    if not ids:
        return 0
    kind = Kind(kind)
    delivery = deliveries_for(user_ids=ids, kind=kind)
    rows = [
        Notification(
            recipient_id=i,
            kind=kind,
            title=title[:300],
            url=url,
            actor_id=actor_id,
            delivery=delivery[i],
        )
        for i in ids
    ]
    Notification.objects.bulk_create(rows, batch_size=500)
    emailed = [row.pk for row in rows if row.delivery == Delivery.EMAIL]
    if emailed:
        enqueue_on_commit(EMAIL_NOTIFICATIONS, emailed)
    return len(rows)


def notification_open(*, user, notification_id: int) -> Notification:
    """The user's notification, marked read (once: a second open keeps the first time)."""
    found = Notification.objects.filter(pk=notification_id, recipient_id=user.pk).first()
    if found is None:
        raise NotFound(Code.NOTIFICATION_NOT_FOUND, "You have no such notification.")
    if found.read_at is None:
        moment = now()
        Notification.objects.filter(pk=found.pk, read_at__isnull=True).update(read_at=moment)
        found.read_at = moment
    return found


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=now()
    )


@transaction.atomic
def preferences_set(*, user, choices: Mapping[str, str]) -> None:
    """Set the delivery of some kinds (``{kind: delivery}``); a choice equal to the default is
    stored as no row. Unknown kinds or deliveries are refused, and then nothing changes."""
    for kind, delivery in choices.items():
        if kind not in Kind.values:
            raise DomainError(
                Code.PREFERENCE_KIND_UNKNOWN,
                f"“{kind}” is not a kind of notification; the kinds are {', '.join(Kind.values)}.",
            )
        if delivery not in Delivery.values:
            raise DomainError(
                Code.PREFERENCE_DELIVERY_UNKNOWN,
                f"“{delivery}” is not a delivery; choose one of {', '.join(Delivery.values)}.",
            )
    for kind, delivery in choices.items():
        if delivery == DEFAULT_DELIVERY[Kind(kind)]:
            NotificationPreference.objects.filter(user_id=user.pk, kind=kind).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user_id=user.pk, kind=kind, defaults={"delivery": delivery}
            )
