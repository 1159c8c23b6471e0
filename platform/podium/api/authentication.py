"""Who is calling: a personal API key (``Authorization: Token <key>``, or ``Bearer <key>``), or
the browser's session (with its CSRF check) for the web UI's own calls."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from podium.accounts.tokens import api_token_authenticate
from podium.api.throttling import PerAddress
from podium.core import limits
from podium.core.addresses import client_address

SCHEMES = ("token", "bearer")


def _refused(request, message: str) -> exceptions.APIException:
    """A refused key counts against its address's budget like any request (DRF authenticates
        before it throttles, so a 401 would otherwise never be counted): once the budget is spent,
        guessing keys is answered 429, as any other storm from that address. Refused keys also count
    against the address's ``key_address`` limit (``podium.core.limits``), which is much smaller."""
    throttle = PerAddress()
    if not throttle.allow_request(request, None):
        return exceptions.Throttled(throttle.wait())
    address = client_address(request)
    try:  # and against the address's budget of refused keys (shared with the kaggle endpoints)
        limits.check("key_address", address, "Too many API keys that do not work from here.")
    except limits.Limited as refusal:
        return exceptions.Throttled(refusal.retry_after)
    limits.count("key_address", address)
    return exceptions.AuthenticationFailed(message)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A key from ``podium.accounts.tokens``. A request without the header is anonymous; one
    with a wrong or revoked key is refused (401), never treated as anonymous."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in SCHEMES:
            return None
        if len(header) != 2:
            raise _refused(
                request, "Send the key as 'Authorization: Token <key>' (one space, no quotes)."
            )
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            raise _refused(request, "The API key has characters a key never has.") from None
        user = api_token_authenticate(key)
        if user is None:
            raise _refused(
                request,
                "This API key is not valid: it was revoked or rotated, or mistyped. Create a new "
                "one on your profile page, or run `podium login`.",
            )
        return user, key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) to an anonymous call that needs a user.
        return 'Token realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Authorization: Token <key>` (`Bearer <key>` also works): a key from your "
                "profile page or `podium login`."
            ),
        }
