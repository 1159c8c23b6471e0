"""Never twice, even at once: four digests, or four deliveries of the immediate task, racing
over the same notifications mail each of them once. Each thread has its own database
connection, as separate workers would. On PostgreSQL the digest locks each user's rows
(``select_for_update``) and a late locker finds them claimed; the immediate mail's claim is a
conditional UPDATE. On SQLite the IMMEDIATE transaction serializes the writers."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection

from podium.notifications import email
from podium.notifications.models import Kind, Notification
from podium.notifications.services import notify
from tests.podium.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 4


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def race(call: Callable[[], int]) -> list[object]:
    start = threading.Barrier(RACERS)
    outcomes: list[object] = [None] * RACERS

    def run(i: int) -> None:
        try:
            start.wait(timeout=30)
            outcomes[i] = call()
        except Exception as exc:  # noqa: BLE001 - asserted by the caller
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_digests_at_once_mail_each_user_once():
    users = [UserFactory() for _ in range(5)]
    for i in range(3):
        notify(recipient_ids=[u.pk for u in users], kind=Kind.REPLY, title=f"reply {i}")
    outcomes = race(email.digests_send)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    assert sum(outcomes) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert all("(3 notifications)" in m.subject for m in mail.outbox)


def test_the_immediate_task_delivered_at_once_mails_each_once(monkeypatch):
    users = [UserFactory() for _ in range(5)]
    queued = []  # medals are emailed at once by default: the racers below deliver the task
    monkeypatch.setattr(
        "podium.notifications.services.enqueue_on_commit", lambda *args: queued.append(args)
    )
    notify(recipient_ids=[u.pk for u in users], kind=Kind.MEDAL, title="A medal")
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert queued == [("podium.notifications.tasks.email_notifications", sorted(ids))]
    outcomes = race(lambda: email.emails_send(notification_ids=ids))
    assert sum(outcomes) == 5, outcomes
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
