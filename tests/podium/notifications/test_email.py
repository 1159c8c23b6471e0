"""Mail: immediate (the task queued on commit), the sweep, the daily digest. Never twice, links
absolute, the preferences page named in every message; a refused message is tried again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from podium.core.timeutils import now
from podium.notifications import email, tasks
from podium.notifications.models import Delivery, Kind, Notification
from podium.notifications.services import notify, preferences_set
from tests.podium.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://podium.example.com"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


class Refusing:
    """A mail backend whose server refuses every message."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("connection refused")


def test_an_immediate_email_is_sent_once_on_commit_with_absolute_links(
    eager, django_capture_on_commit_callbacks
):
    user = UserFactory(username="ivan", email="ivan@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipient_ids=[user.pk],
            kind=Kind.TEAM_INVITATION,
            title="lea invited you to join the team “Sharks” in Ocean Cup",
            url="/competitions/ocean/team/",
        )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ivan@example.com"]
    assert sent.subject == "Podium: lea invited you to join the team “Sharks” in Ocean Cup"
    assert "https://podium.example.com/competitions/ocean/team/\n" in sent.body
    assert "https://podium.example.com/notifications/preferences/" in sent.body
    assert "stop these emails" in sent.body
    note = Notification.objects.get()
    assert note.emailed_at is not None
    # a second delivery of the task, and the sweep, send nothing more
    assert tasks.email_notifications([note.pk]) == 0
    assert email.emails_sweep(moment=now() + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


def test_app_and_digest_kinds_are_not_mailed_at_once(eager, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient_ids=[user.pk], kind=Kind.SUBMISSION_FAILED, title="failed")
        notify(recipient_ids=[user.pk], kind=Kind.REPLY, title="a reply")
    assert mail.outbox == []
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert email.emails_send(notification_ids=ids) == 0  # not immediate kinds: untouched
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


def test_a_refused_message_is_released_and_the_sweep_sends_it_later(settings):
    user = UserFactory()
    notify(recipient_ids=[user.pk], kind=Kind.MEDAL, title="A gold medal")  # not committed: no task
    note = Notification.objects.get()
    settings.EMAIL_BACKEND = f"{__name__}.Refusing"
    assert email.emails_send(notification_ids=[note.pk]) == 0
    note.refresh_from_db()
    assert note.emailed_at is None  # released for a later try
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert email.emails_sweep(moment=now()) == 0  # too recent: the task may still come
    assert email.emails_sweep(moment=now() + email.SWEEP_AFTER + timedelta(seconds=1)) == 1
    assert email.emails_sweep(moment=now() + timedelta(hours=1)) == 0
    assert [m.subject for m in mail.outbox] == ["Podium: A gold medal"]


def test_a_user_without_an_address_gets_no_mail():
    user = UserFactory(email="")
    notify(recipient_ids=[user.pk], kind=Kind.MEDAL, title="gold")
    assert email.emails_send(notification_ids=[Notification.objects.get().pk]) == 0
    assert mail.outbox == []


def test_the_digest_mails_each_user_their_last_day_once():
    ana, bo, quiet = (UserFactory(username=n, email=f"{n}@example.com") for n in ("ana", "bo", "q"))
    preferences_set(user=quiet, choices={Kind.REPLY: Delivery.APP})
    for i in range(3):
        notify(
            recipient_ids=[ana.pk, quiet.pk],
            kind=Kind.REPLY,
            title=f"reply {i}",
            url=f"/discussion/{i}/",
        )
    notify(recipient_ids=[bo.pk], kind=Kind.REPLY, title="for bo")
    notify(recipient_ids=[bo.pk], kind=Kind.REPLY, title="bo read this one")
    Notification.objects.filter(title="bo read this one").update(read_at=now())
    notify(recipient_ids=[ana.pk], kind=Kind.REPLY, title="too old")
    Notification.objects.filter(title="too old").update(created_at=now() - timedelta(days=2))
    notify(recipient_ids=[ana.pk], kind=Kind.TEAM_INVITATION, title="emailed at once instead")

    assert tasks.send_daily_digests() == 2
    by = {m.to[0]: m for m in mail.outbox}
    assert set(by) == {"ana@example.com", "bo@example.com"}
    ana_mail = by["ana@example.com"]
    assert ana_mail.subject == "Podium: your daily digest (3 notifications)"
    for i in range(3):
        assert f"- reply {i}\n  https://podium.example.com/discussion/{i}/" in ana_mail.body
    assert "too old" not in ana_mail.body and "at once" not in ana_mail.body
    assert "https://podium.example.com/notifications/preferences/" in ana_mail.body
    assert by["bo@example.com"].subject == "Podium: your daily digest (1 notification)"
    assert "bo read this one" not in by["bo@example.com"].body

    assert tasks.send_daily_digests() == 0  # a second run: nothing twice
    assert len(mail.outbox) == 2


def test_a_refused_digest_is_released_for_the_next_run(settings):
    user = UserFactory()
    notify(recipient_ids=[user.pk], kind=Kind.REPLY, title="r")
    settings.EMAIL_BACKEND = f"{__name__}.Refusing"
    assert email.digests_send() == 0
    assert Notification.objects.get().emailed_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert email.digests_send() == 1 and len(mail.outbox) == 1


def test_a_subject_is_one_line_whatever_the_title():
    user = UserFactory()
    notify(recipient_ids=[user.pk], kind=Kind.MEDAL, title="two\nlines " + "y" * 300)
    assert email.emails_send(notification_ids=[Notification.objects.get().pk]) == 1
    subject = mail.outbox[0].subject
    assert "\n" not in subject and len(subject) == 150 and subject.endswith("…")


def test_the_digest_claims_users_in_batches_and_mails_every_one(monkeypatch):
    monkeypatch.setattr(email, "DIGEST_CLAIM_BATCH", 2)
    users = [UserFactory() for _ in range(5)]
    for i in range(2):
        notify(recipient_ids=[u.pk for u in users], kind=Kind.REPLY, title=f"r{i}")
    assert email.digests_send() == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert all(m.subject.endswith("(2 notifications)") for m in mail.outbox)
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
