"""The address a request came from: the one thing every per-address limit counts by.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only as far as
the proxies we run (``PODIUM_PROXIES``, read per call). With 0 (the default) the address is the
socket's ``REMOTE_ADDR`` and the header is ignored; with N, it is the N-th address from the right
of the header: the one the outermost of our N proxies saw (each proxy appends the address it
received the request from, so everything left of that is the client's own say).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

UNKNOWN = "unknown"


def _valid(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """The caller's address (normalized), for a Django ``HttpRequest`` or a DRF ``Request``."""
    meta = request.META
    remote = _valid(meta.get("REMOTE_ADDR") or "") or UNKNOWN
    proxies = settings.PODIUM_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")]
    hops = [hop for hop in hops if hop]
    if not hops:
        return remote
    # Fewer hops than proxies: the leftmost is the best we know (as DRF's NUM_PROXIES does).
    return _valid(hops[-min(proxies, len(hops))]) or remote
