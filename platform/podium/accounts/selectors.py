"""Reads of users and their verified email addresses."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

from podium.accounts.models import ApiToken, PendingSignup, VerifiedEmail


def user_by_username(username: str):
    return get_user_model().objects.filter(username=username).first()


def verified_emails(*, user) -> list[VerifiedEmail]:
    """The addresses ``user`` has proved they read (none for an anonymous user)."""
    if not user.is_authenticated:
        return []
    return list(VerifiedEmail.objects.filter(user=user).order_by("email"))


def verified_email_domains(*, user) -> set[str]:
    """The domains of ``user``'s verified addresses, lowercased: what an email-domain rule
    compares with. The address typed on the account counts only once verified."""
    if not user.is_authenticated:
        return set()
    emails = VerifiedEmail.objects.filter(user=user).values_list("email", flat=True)
    return {email.rsplit("@", 1)[-1].lower() for email in emails}


def usernames_with_verified_email(*, usernames) -> set[str]:
    """Which of ``usernames`` have the address on their account verified (one query)."""
    rows = VerifiedEmail.objects.filter(
        user__username__in=list(usernames), email=Lower("user__email")
    ).values_list("user__username", flat=True)
    return set(rows)


def is_email_verified(*, user, email: str) -> bool:
    return (
        user.is_authenticated
        and VerifiedEmail.objects.filter(user=user, email=email.strip().lower()).exists()
    )


def pending_signup(*, user) -> PendingSignup | None:
    """``user``'s sign-up waiting for its address to be verified, if it is one: the account is
    inactive and has a PendingSignup row (an account deactivated by an administrator has none)."""
    if user is None or user.pk is None or user.is_active:
        return None
    return PendingSignup.objects.filter(user=user).first()


def pending_signup_by_username(username: str) -> PendingSignup | None:
    """The pending sign-up of the account called ``username`` (any case), if any."""
    return (
        PendingSignup.objects.select_related("user")
        .filter(user__username__iexact=(username or "").strip(), user__is_active=False)
        .first()
    )


def api_tokens(*, user) -> list[ApiToken]:
    """``user``'s API tokens, newest first (names, prefixes and dates: never a key)."""
    if not user.is_authenticated:
        return []
    return list(ApiToken.objects.filter(user=user))
