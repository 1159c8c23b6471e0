"""notify, reading and preferences: who gets a row, how each is delivered, what is queued."""

from __future__ import annotations

import pytest
from django.db import transaction

from podium.core.errors import DomainError, NotFound
from podium.core.queue import EMAIL_NOTIFICATIONS
from podium.notifications import selectors, services
from podium.notifications.models import Delivery, Kind, Notification, NotificationPreference
from tests.podium.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_makes_one_row_per_recipient_never_for_the_actor():
    a, b, actor = UserFactory(), UserFactory(), UserFactory()
    made = services.notify(
        recipient_ids=[a.pk, b.pk, b.pk, actor.pk],
        kind=Kind.TEAM_INVITATION,
        title="x" * 400,
        url="/competitions/c/team/",
        actor_id=actor.pk,
    )
    assert made == 2
    rows = Notification.objects.order_by("recipient_id")
    assert [r.recipient_id for r in rows] == sorted([a.pk, b.pk])
    assert {len(r.title) for r in rows} == {300}
    assert (
        services.notify(recipient_ids=[actor.pk], kind=Kind.MEDAL, title="t", actor_id=actor.pk)
        == 0
    )


def test_each_row_carries_its_recipient_s_delivery_and_only_email_ones_are_queued(
    monkeypatch, django_capture_on_commit_callbacks
):
    default, digest, quiet = UserFactory(), UserFactory(), UserFactory()
    services.preferences_set(user=digest, choices={Kind.TEAM_INVITATION: Delivery.DIGEST})
    services.preferences_set(user=quiet, choices={Kind.TEAM_INVITATION: Delivery.APP})
    queued = []
    monkeypatch.setattr(
        "podium.notifications.services.enqueue_on_commit",
        lambda name, *args: transaction.on_commit(lambda: queued.append((name, args))),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipient_ids=[default.pk, digest.pk, quiet.pk], kind=Kind.TEAM_INVITATION, title="t"
        )
    delivery = dict(Notification.objects.values_list("recipient_id", "delivery"))
    assert delivery == {
        default.pk: Delivery.EMAIL,  # invitations are emailed by default
        digest.pk: Delivery.DIGEST,
        quiet.pk: Delivery.APP,
    }
    emailed = Notification.objects.get(recipient=default).pk
    assert queued == [(EMAIL_NOTIFICATIONS, ([emailed],))]


def test_a_rolled_back_event_leaves_no_notification_and_queues_nothing(
    django_capture_on_commit_callbacks,
):
    user = UserFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.notify(recipient_ids=[user.pk], kind=Kind.MEDAL, title="gold")
            raise RuntimeError("the event failed")
    assert not Notification.objects.exists() and callbacks == []


def test_opening_marks_read_once_and_only_the_owner_s():
    owner, other = UserFactory(), UserFactory()
    services.notify(recipient_ids=[owner.pk], kind=Kind.MEDAL, title="gold")
    note = Notification.objects.get()
    with pytest.raises(NotFound) as refused:
        services.notification_open(user=other, notification_id=note.pk)
    assert refused.value.code == "notification_not_found"
    first = services.notification_open(user=owner, notification_id=note.pk).read_at
    assert first is not None
    assert services.notification_open(user=owner, notification_id=note.pk).read_at == first
    note.refresh_from_db()
    assert note.read_at == first


def test_mark_all_read_touches_only_the_caller_s_unread():
    me, other = UserFactory(), UserFactory()
    for _ in range(3):
        services.notify(recipient_ids=[me.pk, other.pk], kind=Kind.REPLY, title="r")
    assert selectors.unread_count(user=me) == 3
    assert services.notifications_mark_all_read(user=me) == 3
    assert services.notifications_mark_all_read(user=me) == 0
    assert selectors.unread_count(user=me) == 0 and selectors.unread_count(user=other) == 3


def test_preferences_store_only_what_differs_from_the_default_and_refuse_unknowns():
    user = UserFactory()
    services.preferences_set(user=user, choices={"reply": "email", "medal": "email"})
    assert list(NotificationPreference.objects.values_list("kind", "delivery")) == [
        ("reply", "email")
    ]  # medal is emailed by default: no row
    assert selectors.preferences_of(user=user)["reply"] == "email"
    services.preferences_set(user=user, choices={"reply": "digest"})  # back to the default
    assert not NotificationPreference.objects.exists()
    for choices, code in (
        ({"reply": "email", "nope": "app"}, "notification_kind_unknown"),
        ({"reply": "email", "medal": "pigeon"}, "notification_delivery_unknown"),
    ):
        with pytest.raises(DomainError) as refused:
            services.preferences_set(user=user, choices=choices)
        assert refused.value.code == code
    assert not NotificationPreference.objects.exists()  # nothing of a refused change
