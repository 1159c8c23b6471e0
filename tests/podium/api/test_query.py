"""Query parameters outside the schema are refused (400 malformed_request, naming the
parameter), never replaced by a default: the fuzzer's ST201 findings, one per endpoint."""

from __future__ import annotations

import pytest

from tests.podium.api.conftest import error_of
from tests.podium.factories import competition_with_solution

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "path, field",
    [
        ("competitions/q/kernels/published/?sort=AAA", "sort"),
        ("competitions/q/kernels/published/?mine=maybe", "mine"),
        ("competitions/q/kernels/published/?sort=votes&sort=recent", "sort"),
        ("me/notifications/?unread=null", "unread"),
        ("me/notifications/?unread=true&unread=true", "unread"),
        ("competitions/q/discussion/?sort=best", "sort"),
    ],
)
def test_a_value_outside_the_schema_is_refused_by_name(make_user, path, field):
    competition_with_solution(slug="q")
    me = make_user()
    error = error_of(me.get(path), 400, "malformed_request")
    assert error["details"]["field"] == field


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "false", "0"])
def test_booleans_read_as_documented(make_user, value):
    assert make_user().get(f"me/notifications/?unread={value}").status_code == 200


def test_an_empty_or_repeated_page_is_refused(make_user):
    me = make_user()
    for path in ("rankings/?page=", "rankings/?page=1&page=2", "me/notifications/?page="):
        assert "page" in str(error_of(me.get(path), 400)), path
    assert me.get("rankings/?page=1").status_code == 200


def test_notification_preferences_need_a_known_delivery_for_at_least_one_kind(make_user):
    me = make_user()
    for body in ({"preferences": {}}, {"preferences": {"reply": ""}}, {"preferences": "x"}):
        assert me.patch("me/notifications/preferences/", json=body).status_code == 400, body
    ok = me.patch("me/notifications/preferences/", json={"preferences": {"reply": "email"}})
    assert ok.status_code == 200
    assert {p["kind"]: p["delivery"] for p in ok.json()}["reply"] == "email"
