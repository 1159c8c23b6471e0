"""Who is calling: a Podium API key, sent as the kaggle client sends its credentials:

* ``KAGGLE_USERNAME`` / ``KAGGLE_KEY`` (or ``~/.kaggle/kaggle.json``): HTTP Basic, the key as
  the password. The key alone identifies the user; the username is not checked.
* ``KAGGLE_API_TOKEN``: ``Authorization: Bearer <key>`` (the CLI first asks
  ``security.OAuthService/IntrospectToken`` whose it is).

Never the browser's session: these endpoints are CSRF-exempt, so a cookie must not count.
"""

from __future__ import annotations

import base64
import binascii

from django.contrib.auth.models import AnonymousUser

from podium.accounts.tokens import api_token_authenticate
from podium.core import limits
from podium.core.addresses import client_address
from podium.core.error_codes import CommonErrorCode as Code
from podium.kaggle_compat.protocol import Fault

NOT_VALID = (
    "This API key is not valid: it was revoked or rotated, or mistyped. Create a new one on your "
    "profile page, or run `podium login`."
)
SIGN_IN = (
    "Sign in first: set KAGGLE_USERNAME and KAGGLE_KEY (your Podium username and API key), or "
    "use `podium kaggle ...`."
)


class Unauthenticated(Fault):
    status = 401


def key_of(header: str) -> str | None:
    """The key in an Authorization header (None: no header)."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthenticated(Code.AUTHENTICATION_FAILED, NOT_VALID) from None
        return decoded.partition(":")[2]
    if scheme.lower() in ("bearer", "token"):
        return value
    raise Unauthenticated(Code.AUTHENTICATION_FAILED, NOT_VALID)


KEYS_FROM_ADDRESS = "Too many API keys that do not work from your address."


def key_owner(request, key: str):
    """The user whose key this is, None if none: refused keys count against the caller's
    address (``key_address``, shared with the REST API); past the limit ``limits.Limited``
    (429) before the key is even looked up."""
    address = client_address(request)
    limits.check("key_address", address, KEYS_FROM_ADDRESS)
    user = api_token_authenticate(key)
    if user is None:
        limits.count("key_address", address)
    return user


def caller(request):
    """The key's user, AnonymousUser without credentials; wrong credentials are refused (401),
    never treated as anonymous."""
    try:
        key = key_of(request.META.get("HTTP_AUTHORIZATION", ""))
    except Unauthenticated:
        limits.count("key_address", client_address(request))
        raise
    if key is None:
        return AnonymousUser()
    user = key_owner(request, key)
    if user is None:
        raise Unauthenticated(Code.AUTHENTICATION_FAILED, NOT_VALID)
    return user


def require_user(user):
    if not user.is_authenticated:
        raise Unauthenticated(Code.NOT_AUTHENTICATED, SIGN_IN)
    return user
