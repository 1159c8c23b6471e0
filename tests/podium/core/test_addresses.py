"""client_address: X-Forwarded-For is believed only as far as the proxies we run."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from podium.core.addresses import client_address


def request(remote="10.0.0.9", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


def test_without_proxies_the_header_is_ignored(settings):
    settings.PODIUM_PROXIES = 0
    assert client_address(request(xff="1.2.3.4")) == "10.0.0.9"
    assert client_address(request(xff="1.2.3.4, 5.6.7.8")) == "10.0.0.9"
    assert client_address(request()) == "10.0.0.9"


@pytest.mark.parametrize(
    ("proxies", "xff", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),  # what our one proxy saw
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own entry is ignored
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),  # the outermost of two proxies
        (3, "203.0.113.7", "203.0.113.7"),  # fewer hops than proxies: the leftmost
        (1, "", "10.0.0.9"),
        (1, "not-an-address", "10.0.0.9"),
        (1, " 2001:DB8::1 ", "2001:db8::1"),
    ],
)
def test_with_proxies_the_nth_from_the_right(settings, proxies, xff, expected):
    settings.PODIUM_PROXIES = proxies
    assert client_address(request(xff=xff)) == expected


def test_a_missing_remote_address(settings):
    settings.PODIUM_PROXIES = 0
    assert client_address(request(remote="")) == "unknown"
