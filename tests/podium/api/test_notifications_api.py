"""/api/v1/me/notifications/...: the list (newest first, paged, ?unread), the unread count,
marking one or all read, and the per-kind preferences; the caller's own only."""

from __future__ import annotations

import pytest

from podium.notifications.models import Kind, Notification
from podium.notifications.services import notify
from tests.podium.api.conftest import error_of

pytestmark = pytest.mark.django_db(transaction=True)


def tell(user, *titles: str, kind: str = Kind.SUBMISSION_FAILED) -> None:
    """In-app kinds by default: nothing is queued for a worker this test does not run."""
    for title in titles:
        notify(recipient_ids=[user.pk], kind=kind, title=title, url="/competitions/c/")


def test_the_list_is_the_caller_s_newest_first_and_filters_unread(make_user):
    me, other = make_user("ana"), make_user("bo")
    tell(me.user, "first", "second", "third")
    tell(other.user, "not yours")
    Notification.objects.filter(title="first").update(read_at="2026-01-01T00:00:00Z")

    body = me.get("me/notifications/").json()
    assert body["count"] == 3
    assert [n["title"] for n in body["results"]] == ["third", "second", "first"]
    third = body["results"][0]
    assert set(third) == {"id", "kind", "title", "url", "actor", "created_at", "read_at"}
    assert third["kind"] == "submission_failed" and third["url"] == "/competitions/c/"
    assert third["actor"] is None and third["read_at"] is None
    unread = me.get("me/notifications/?unread=1").json()
    assert [n["title"] for n in unread["results"]] == ["third", "second"]
    assert me.get("me/notifications/?page_size=1").json()["next"] is not None


def test_count_mark_one_and_mark_all(make_user):
    me, other = make_user(), make_user()
    tell(me.user, "a", "b", "c")
    tell(other.user, "x")
    assert me.get("me/notifications/unread-count/").json() == {"unread": 3}
    one = Notification.objects.filter(recipient=me.user).first()
    marked = me.post(f"me/notifications/{one.pk}/read/")
    assert marked.status_code == 200 and marked.json()["read_at"] is not None
    assert me.get("me/notifications/unread-count/").json() == {"unread": 2}
    error_of(other.post(f"me/notifications/{one.pk}/read/"), 404, "notification_not_found")
    assert me.post("me/notifications/read-all/").json() == {"marked": 2}
    assert me.get("me/notifications/unread-count/").json() == {"unread": 0}
    assert other.get("me/notifications/unread-count/").json() == {"unread": 1}


def test_preferences_read_and_change_some_kinds(make_user):
    me = make_user()
    prefs = {p["kind"]: p for p in me.get("me/notifications/preferences/").json()}
    assert set(prefs) == set(Kind.values)
    assert prefs["reply"] == {
        "kind": "reply",
        "label": "A reply to your topic or post",
        "delivery": "digest",
        "default": "digest",
    }
    changed = me.patch(
        "me/notifications/preferences/",
        json={"preferences": {"reply": "email", "board_revealed": "app"}},
    )
    assert changed.status_code == 200
    now_set = {p["kind"]: p["delivery"] for p in changed.json()}
    assert now_set["reply"] == "email" and now_set["board_revealed"] == "app"
    assert now_set["medal"] == "email"  # left out: unchanged
    error_of(
        me.patch("me/notifications/preferences/", json={"preferences": {"reply": "pigeon"}}),
        400,
        "notification_delivery_unknown",
    )
    error_of(
        me.patch("me/notifications/preferences/", json={"preferences": {"nope": "app"}}),
        400,
        "notification_kind_unknown",
    )


def test_every_endpoint_needs_a_key(api):
    for method, path in (
        ("get", "me/notifications/"),
        ("get", "me/notifications/unread-count/"),
        ("post", "me/notifications/read-all/"),
        ("post", "me/notifications/1/read/"),
        ("get", "me/notifications/preferences/"),
    ):
        error_of(getattr(api, method)(path), 401, "not_authenticated")
