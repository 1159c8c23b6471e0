"""Who may read ``/metrics``: its counts tell competition activity, so not everyone.

A caller whose address (``core.addresses.client_address``, so ``PODIUM_PROXIES`` applies) is in
``PODIUM_METRICS_ALLOW`` (networks; default loopback only), or one that sends
``Authorization: Bearer <PODIUM_METRICS_TOKEN>`` when that token is set.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging

from django.conf import settings

from podium.core.addresses import client_address

logger = logging.getLogger(__name__)


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for text in settings.METRICS_ALLOW:
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            logger.error("PODIUM_METRICS_ALLOW: %r is not a network; ignored.", text)
    return networks


def _token_matches(request) -> bool:
    token = settings.METRICS_TOKEN
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def metrics_allowed(request) -> bool:
    if _token_matches(request):
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:  # "unknown"
        return False
    return any(address in network for network in _networks())
