"""API keys: made, hashed, created, rotated, revoked, and looked up.

A key is ``pdm_`` plus 40 random hex characters (160 bits): the prefix lets secret scanners and
people recognise it; hex keeps it safe in HTTP Basic, shell variables and ``kaggle.json``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from podium.accounts.error_codes import AccountErrorCode as Code
from podium.accounts.models import ApiToken
from podium.core.errors import DomainError, LimitReached, NotFound
from podium.core.timeutils import now

KEY_PREFIX = "pdm_"
DISPLAY_PREFIX_LENGTH = len(KEY_PREFIX) + 6
# ``last_used_at`` is written at most this often per key: not one UPDATE per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> str:
    return KEY_PREFIX + secrets.token_hex(20)


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if len(name) > 100:
        raise DomainError(Code.TOKEN_NAME_TOO_LONG, "A token's name is at most 100 characters.")
    return name


@transaction.atomic
def api_token_create(*, user, name: str = "") -> tuple[ApiToken, str]:
    """A new key for ``user``; the key is returned here and never again. A user may hold
    ``settings.API_TOKENS_PER_USER`` keys (one per machine, say); more is refused, not rotated
    silently."""
    name = _clean_name(name)
    # Lock the user's row: two concurrent creates cannot both pass the count.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    limit = settings.API_TOKENS_PER_USER
    if ApiToken.objects.filter(user=user).count() >= limit:
        raise LimitReached(
            Code.TOKEN_LIMIT_REACHED,
            f"You already have {limit} API tokens. Revoke or rotate one of them instead.",
            details={"limit": limit},
        )
    key = _new_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:DISPLAY_PREFIX_LENGTH], key_hash=key_hash(key)
    )
    return token, key


def _owned(user, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(Code.TOKEN_NOT_FOUND, f"You have no API token with id {token_id}.")
    return token


@transaction.atomic
def api_token_rotate(*, user, token_id: int) -> tuple[ApiToken, str]:
    """Replace the key of one of ``user``'s tokens (same name and id): the old key stops working
    at once; the new one is returned here and never again."""
    token = _owned(user, token_id)
    key = _new_key()
    token.prefix, token.key_hash = key[:DISPLAY_PREFIX_LENGTH], key_hash(key)
    token.created_at, token.last_used_at = now(), None
    token.save(update_fields=["prefix", "key_hash", "created_at", "last_used_at"])
    return token, key


@transaction.atomic
def api_token_revoke(*, user, token_id: int) -> None:
    """Delete one of ``user``'s tokens: its key stops working at once."""
    _owned(user, token_id).delete()


def api_token_authenticate(key: str):
    """The active user whose key this is, or None. Marks the key used (at most once a minute)."""
    if not key or not key.startswith(KEY_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    moment = now()
    if token.last_used_at is None or moment - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    return token.user
