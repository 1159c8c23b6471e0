"""The bell, the notifications page (newest first, paged, unread marked, mark all read, each
opening its page and marking itself read) and the email preferences page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from podium.notifications.models import Kind, Notification, NotificationPreference
from podium.notifications.services import notify
from podium.web.views.notifications import PAGE_SIZE
from tests.podium.factories import UserFactory

pytestmark = pytest.mark.django_db


def tell(user, title: str, url: str = "/competitions/c/", kind=Kind.SUBMISSION_FAILED) -> int:
    notify(recipient_ids=[user.pk], kind=kind, title=title, url=url)
    return Notification.objects.filter(recipient=user).latest("id").pk


def bell(html: str) -> str | None:
    found = re.search(r'id="bell-count">([^<]+)<', html)
    return found.group(1) if found else None


def test_the_bell_shows_the_unread_count_and_nothing_when_all_are_read(client):
    user = UserFactory()
    client.force_login(user)
    assert bell(client.get("/").content.decode()) is None
    tell(user, "one")
    tell(user, "two")
    tell(UserFactory(), "someone else's")
    html = client.get("/").content.decode()
    assert bell(html) == "2" and 'aria-label="Notifications: 2 unread"' in html
    Notification.objects.bulk_create(
        Notification(recipient=user, kind=Kind.REPLY, title=str(i)) for i in range(150)
    )
    assert bell(client.get("/").content.decode()) == "99+"


def test_signed_out_pages_have_no_bell_and_the_page_asks_to_sign_in(client):
    assert 'id="bell"' not in client.get("/").content.decode()
    response = client.get(reverse("web:notifications"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_page_lists_newest_first_marks_unread_and_escapes_titles(client):
    user = UserFactory()
    client.force_login(user)
    old = tell(user, "older")
    tell(user, "<script>alert(1)</script> newer")
    Notification.objects.filter(pk=old).update(read_at="2026-01-01T00:00:00Z")
    html = client.get(reverse("web:notifications")).content.decode()
    assert html.index("newer") < html.index("older")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert re.search(r'class="mine unread" id="notification-\d+"', html)
    assert f'class="read" id="notification-{old}"' in html
    assert "1 unread" in html and 'id="mark-all-read"' in html


def test_the_page_is_paged(client):
    user = UserFactory()
    client.force_login(user)
    Notification.objects.bulk_create(
        Notification(recipient=user, kind=Kind.REPLY, title=f"n{i:03d}")
        for i in range(PAGE_SIZE + 3)
    )
    first = client.get(reverse("web:notifications")).content.decode()
    second = client.get(reverse("web:notifications") + "?page=2").content.decode()
    assert first.count('id="notification-') == PAGE_SIZE and "Older →" in first
    assert second.count('id="notification-') == 3 and "← Newer" in second


def test_opening_one_marks_it_read_and_goes_to_its_page(client):
    user, other = UserFactory(), UserFactory()
    mine = tell(user, "yours", url="/competitions/ocean/team/")
    client.force_login(user)
    response = client.get(reverse("web:notification_open", args=[mine]))
    assert response.status_code == 302 and response["Location"] == "/competitions/ocean/team/"
    assert Notification.objects.get(pk=mine).read_at is not None
    client.force_login(other)  # someone else's: not found, untouched
    assert client.get(reverse("web:notification_open", args=[mine])).status_code == 404


def test_a_url_that_is_not_a_path_here_goes_back_to_the_list(client):
    user = UserFactory()
    client.force_login(user)
    for url in ("https://evil.example/", "//evil.example/x", ""):
        pk = tell(user, "odd", url=url)
        response = client.get(reverse("web:notification_open", args=[pk]))
        assert response["Location"] == reverse("web:notifications"), url


def test_mark_all_read_is_a_post_and_clears_the_bell(client):
    user = UserFactory()
    client.force_login(user)
    for title in ("a", "b"):
        tell(user, title)
    assert client.get(reverse("web:notifications_read_all")).status_code == 405
    response = client.post(reverse("web:notifications_read_all"), follow=True)
    html = response.content.decode()
    assert "2 notifications marked read." in html and bell(html) is None
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_preferences_page_shows_defaults_and_saves_choices(client):
    user = UserFactory()
    client.force_login(user)
    profile = client.get(reverse("web:profile")).content.decode()
    assert reverse("web:notification_preferences") in profile
    html = client.get(reverse("web:notification_preferences")).content.decode()
    assert re.search(r'name="reply" value="digest" checked', html)
    assert re.search(r'name="team_invitation" value="email" checked', html)
    response = client.post(
        reverse("web:notification_preferences"), {"reply": "email", "medal": "app"}, follow=True
    )
    assert "Your notification settings are saved." in response.content.decode()
    assert dict(NotificationPreference.objects.values_list("kind", "delivery")) == {
        "reply": "email",
        "medal": "app",
    }
    html = client.get(reverse("web:notification_preferences")).content.decode()
    assert re.search(r'name="reply" value="email" checked', html)
    refused = client.post(reverse("web:notification_preferences"), {"reply": "pigeon"})
    assert refused.status_code == 400 and "not a delivery" in refused.content.decode()
