"""The bell's count: one bounded, indexed query, whatever the number of unread."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from podium.notifications import selectors
from podium.notifications.models import Kind, Notification
from podium.notifications.services import notify
from tests.podium.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_unread_count_is_one_query_capped_at_the_bell_s_limit():
    user, other = UserFactory(), UserFactory()
    notify(recipient_ids=[user.pk, other.pk], kind=Kind.REPLY, title="r")
    Notification.objects.bulk_create(
        Notification(recipient=user, kind=Kind.REPLY, title=f"r{i}") for i in range(120)
    )
    with CaptureQueriesContext(connection) as queries:
        assert selectors.unread_count(user=user) == selectors.UNREAD_CAP
    assert len(queries) == 1
    # in the order of the notification_unread index (recipient, read_at): an index-only scan
    sql = queries[0]["sql"].replace('"', "").replace("notifications_notification.", "")
    assert sql.endswith("ORDER BY recipient_id ASC, read_at ASC LIMIT 100) subquery"), sql
    assert selectors.unread_count(user=other) == 1
    assert selectors.unread_count(user=AnonymousUser()) == 0


def test_preferences_of_fill_every_kind_with_its_default():
    prefs = selectors.preferences_of(user=UserFactory())
    assert set(prefs) == set(Kind.values)
    assert prefs["team_invitation"] == "email" and prefs["reply"] == "digest"
    assert prefs["submission_failed"] == "app"
