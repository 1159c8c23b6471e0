"""Mailing notifications: at once (``emails_send``, the ``email_notifications`` task) or in
the daily digest (``digests_send``, beat), through Django's configured backend
(``core/mail.py``: SMTP from the environment, the console in debug).

Never twice: a notification is claimed before it is mailed, by a conditional UPDATE of its
``emailed_at`` (NULL -> now), so a task delivered twice, the sweep and the task at once, or two
digests at once mail it once. A message the backend refused is released (``emailed_at`` back
to NULL) for the sweep or the next digest to try again. Links are absolute
(``settings.SITE_URL``: the worker has no request to read the host from); every message ends
with where to change these emails.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

from podium.core.timeutils import now
from podium.notifications.models import Delivery, Notification

logger = logging.getLogger(__name__)

# The preferences page (web:notification_preferences; the notifications app sits below web).
PREFERENCES_PATH = "/notifications/preferences/"
DIGEST_WINDOW = timedelta(days=1)
# Users whose digest rows one transaction claims (a commit each: the digest's main cost).
DIGEST_CLAIM_BATCH = 100
# Immediate mail the task did not send (a broker that was away, a refused message) is sent by
# the sweep once it is this old, for up to a day.
SWEEP_AFTER = timedelta(minutes=5)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path.startswith("/") else settings.SITE_URL + "/"


def _one_line(text: str, limit: int = 150) -> str:
    """A subject: one line (a header cannot hold a newline), not too long."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _footer() -> str:
    return (
        "\n-- \nYou get this email because of your notification settings on Podium. "
        f"To choose which notifications are emailed, or to stop these emails, open\n"
        f"{absolute(PREFERENCES_PATH)}\n"
    )


def _line(notification: Notification) -> str:
    where = f"\n  {absolute(notification.url)}" if notification.url else ""
    return f"- {notification.title}{where}"


def immediate_message(notification: Notification) -> EmailMessage:
    user = notification.recipient
    body = f"Hello {user.get_username()},\n\n{notification.title}\n"
    if notification.url:
        body += f"{absolute(notification.url)}\n"
    body += f"\nAll your notifications: {absolute('/notifications/')}\n" + _footer()
    return EmailMessage(
        subject=_one_line(f"Podium: {notification.title}"), body=body, to=[user.email]
    )


def digest_message(user, notifications: list[Notification]) -> EmailMessage:
    n = len(notifications)
    lines = "\n".join(_line(x) for x in notifications)
    body = (
        f"Hello {user.get_username()},\n\nWhat happened on Podium in the last day "
        f"({n} notification{'' if n == 1 else 's'}):\n\n{lines}\n\n"
        f"All your notifications: {absolute('/notifications/')}\n" + _footer()
    )
    subject = f"Podium: your daily digest ({n} notification{'' if n == 1 else 's'})"
    return EmailMessage(subject=subject, body=body, to=[user.email])


def _release(ids: list[int], moment: datetime) -> None:
    Notification.objects.filter(pk__in=ids, emailed_at=moment).update(emailed_at=None)


def emails_send(*, notification_ids: list[int]) -> int:
    """Mail each of these notifications that is still waiting for an immediate email; returns
    how many were sent. Each is claimed on its own (one UPDATE) just before it is sent."""
    sent = 0
    connection = None
    for pk in notification_ids:
        moment = now()
        claimed = Notification.objects.filter(
            pk=pk, delivery=Delivery.EMAIL, emailed_at__isnull=True
        ).update(emailed_at=moment)
        if not claimed:
            continue
        found = Notification.objects.select_related("recipient").get(pk=pk)
        if not found.recipient.email or not found.recipient.is_active:
            continue  # nowhere to send it: it stays claimed, in the app only
        connection = connection or get_connection()
        message = immediate_message(found)
        message.connection = connection
        try:
            message.send()
        except Exception:  # the backend's error, whatever its kind: try again later
            logger.exception("Could not email notification %s; the sweep will retry.", pk)
            _release([pk], moment)
            continue
        sent += 1
    return sent


def emails_sweep(*, moment: datetime | None = None, limit: int = 1000) -> int:
    """Send the immediate emails no task sent (queued while the broker was away, or refused by
    the mail server), from the last day; returns how many were sent."""
    moment = moment or now()
    waiting = Notification.objects.filter(
        delivery=Delivery.EMAIL,
        emailed_at__isnull=True,
        created_at__gte=moment - DIGEST_WINDOW,
        created_at__lte=moment - SWEEP_AFTER,
    ).order_by("created_at")
    return emails_send(notification_ids=list(waiting.values_list("pk", flat=True)[:limit]))


def digests_send(*, moment: datetime | None = None) -> int:
    """Mail each user, in one message, their digest-kind notifications of the last day that
    were neither emailed nor read yet; returns how many users were mailed. Safe to run twice,
    or twice at once: the rows of a batch of users are locked and claimed in one transaction
    (``select_for_update``, then ``emailed_at`` set), and a second run finds them claimed."""
    moment = moment or now()
    waiting = Notification.objects.filter(
        delivery=Delivery.DIGEST,
        emailed_at__isnull=True,
        read_at__isnull=True,
        created_at__gte=moment - DIGEST_WINDOW,
        created_at__lte=moment,
    )
    # One walk of the waiting rows (the partial index), then claimed by primary key.
    by_user: dict[int, list[int]] = {}
    found = (
        waiting.exclude(recipient__email="")
        .filter(recipient__is_active=True)
        .order_by("recipient_id", "created_at", "id")
        .values_list("recipient_id", "pk")
    )
    for user_id, pk in found:
        by_user.setdefault(user_id, []).append(pk)
    mailed = 0
    connection = None
    users = list(by_user)
    for first in range(0, len(users), DIGEST_CLAIM_BATCH):
        batch = users[first : first + DIGEST_CLAIM_BATCH]
        with transaction.atomic():  # one commit claims a batch of users' rows
            rows = list(
                Notification.objects.filter(
                    pk__in=[pk for user_id in batch for pk in by_user[user_id]],
                    emailed_at__isnull=True,
                    read_at__isnull=True,
                )
                .select_for_update(of=("self",))
                .select_related("recipient")
                .order_by("recipient_id", "created_at", "id")
            )
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=moment)
        claimed: dict[int, list[Notification]] = {}
        for row in rows:  # what a run at the same time took is not among them
            claimed.setdefault(row.recipient_id, []).append(row)
        for user_id, notes in claimed.items():
            connection = connection or get_connection()
            message = digest_message(notes[0].recipient, notes)
            message.connection = connection
            try:
                message.send()
            except Exception:
                logger.exception(
                    "Could not email the digest of user %s; the next run retries.", user_id
                )
                _release([note.pk for note in notes], moment)
                continue
            mailed += 1
    return mailed
