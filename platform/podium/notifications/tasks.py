"""Celery tasks of notifications: thin, take ids, safe to run twice (``email`` claims each
notification before mailing it)."""

from __future__ import annotations

import logging

from celery import shared_task

from podium.notifications.email import digests_send, emails_send, emails_sweep

logger = logging.getLogger(__name__)


@shared_task(name="podium.notifications.tasks.email_notifications", acks_late=True)
def email_notifications(notification_ids: list[int]) -> int:
    """Queued on commit by ``services.notify`` for the recipients who want that kind at once."""
    return emails_send(notification_ids=notification_ids)


@shared_task(name="podium.notifications.tasks.send_daily_digests")
def send_daily_digests() -> int:
    """Beat, once a day: each user's digest of the last day, in one message."""
    mailed = digests_send()
    logger.info("Daily digest: %d user(s) mailed", mailed)
    return mailed


@shared_task(name="podium.notifications.tasks.sweep_notification_emails")
def sweep_notification_emails() -> int:
    """Beat: the immediate emails that no task sent (the reconciler of ``email_notifications``)."""
    return emails_sweep()
