"""Writes of a user's profile: the bio they write, and when they were last seen (the tier is
progression's: ``progression.services``)."""

from __future__ import annotations

from datetime import datetime

from podium.accounts.error_codes import AccountErrorCode
from podium.accounts.models import Profile
from podium.core.errors import DomainError

BIO_MAX_LENGTH = Profile._meta.get_field("bio").max_length


def profile_bio_set(*, user, bio: str) -> Profile:
    """Set ``user``'s bio (plain text, shown escaped); DomainError(bio_too_long) past the limit."""
    text = (bio or "").strip()
    if len(text) > BIO_MAX_LENGTH:
        raise DomainError(
            AccountErrorCode.BIO_TOO_LONG,
            f"Your bio is {len(text)} characters long; at most {BIO_MAX_LENGTH} fit.",
        )
    profile, _ = Profile.objects.get_or_create(user_id=user.pk)
    profile.bio = text
    profile.save(update_fields=["bio"])
    return profile


def last_seen_set(*, user_id: int, moment: datetime) -> None:
    """One UPDATE (an INSERT the first time)."""
    if not Profile.objects.filter(user_id=user_id).update(last_seen_at=moment):
        Profile.objects.update_or_create(user_id=user_id, defaults={"last_seen_at": moment})
