"""Writes of the accounts app: users, the organizers' permission group, verified emails."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from podium.accounts import selectors
from podium.accounts.error_codes import AccountErrorCode as Code
from podium.accounts.models import VerifiedEmail
from podium.core.errors import Conflict, DomainError, PermissionDenied

ORGANIZERS_GROUP = "Organizers"
# The apps whose models an organizer edits in the admin (scoped there to their competitions).
ORGANIZER_APPS = ("competitions", "teams", "submissions", "leaderboards")


def user_ensure(
    *,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
):
    """The user called ``username``, created with these fields if missing; an existing user is
    returned unchanged (their password may have been changed since)."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.save()
    return user


def organizers_group() -> Group:
    """The group with every model permission of the organizer-facing apps (created once)."""
    group, created = Group.objects.get_or_create(name=ORGANIZERS_GROUP)
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=ORGANIZER_APPS))
    return group


def organizer_grant(*, user, by) -> None:
    """Give ``user`` the organizer role: staff, in the Organizers group, so they may use the
    admin as an organizer (idempotent); which competitions they see there is decided by each
    competition's organizer list.

    Only a superuser grants it: an organizer's metric file is code that runs on the server.
    Every path that makes someone an organizer comes here (the competitions' co-host list when
    a superuser saves it, the demo seed). No locks: the flag and the group membership are
    idempotent writes. Raises PermissionDenied(organizer_grant_superuser_only).
    """
    if not (by.is_authenticated and by.is_active and by.is_superuser):
        raise PermissionDenied(
            Code.ORGANIZER_GRANT_SUPERUSER_ONLY,
            f"Only a superuser can make someone an organizer; {user.get_username()} was not "
            "made one.",
        )
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(organizers_group())


def users_delete(*, usernames: list[str]) -> int:
    """Delete these users (the demo's reset); their competitions' rows must be gone first."""
    deleted, _ = get_user_model().objects.filter(username__in=usernames).delete()
    return deleted


# -- verified email addresses -------------------------------------------------------------------

EMAIL_VERIFICATION_SALT = "podium.accounts.email-verification"


def _normalized_email(email: str) -> str:
    address = (email or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise DomainError(
            Code.EMAIL_INVALID, "Enter a valid email address, e.g. ada@example.com."
        ) from None
    return address


def email_verification_token(*, user, email: str) -> str:
    """A signed, timestamped token naming the user and the address (nothing stored): it expires
    after settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS and cannot be altered without the key."""
    return signing.dumps({"user": user.pk, "email": email}, salt=EMAIL_VERIFICATION_SALT)


def email_verification_send(*, user, email: str, link_for: Callable[[str], str]) -> str:
    """Mail ``email`` a link that verifies it for ``user``; returns the address as stored.

    ``link_for(token)`` makes the absolute URL of the verify page (the view knows the host).
    Sent through Django's email backend (the console by default). No locks: nothing is written.
    Raises DomainError(email_invalid) and Conflict(email_already_verified).
    """
    address = _normalized_email(email)
    if selectors.is_email_verified(user=user, email=address):
        raise Conflict(Code.EMAIL_ALREADY_VERIFIED, f"{address} is already verified.")
    link = link_for(email_verification_token(user=user, email=address))
    hours = settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS // 3600
    send_mail(
        subject="Verify your email address for Podium",
        message=(
            f"Hello {user.get_username()},\n\n"
            f"open this link to verify {address} for your Podium account:\n\n{link}\n\n"
            f"It works for {hours} hours. Competitions open to your organization's email "
            "domain become visible once the address is verified.\n\n"
            "If you did not ask for this, ignore this email.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[address],
    )
    return address


def email_verification_payload(token: str) -> dict:
    """What a verification token names (``{"user": pk, "email": address}``), or a refusal:
    invalid (altered, cut short) or expired. Writes nothing."""
    try:
        data = signing.loads(
            token,
            salt=EMAIL_VERIFICATION_SALT,
            max_age=settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS,
        )
    except signing.SignatureExpired:
        raise DomainError(
            Code.EMAIL_LINK_EXPIRED,
            "This verification link has expired. Send a new one from your email page.",
        ) from None
    except signing.BadSignature:
        raise DomainError(
            Code.EMAIL_LINK_INVALID,
            "This verification link is not valid. Copy the whole link from the email, or send "
            "a new one from your email page.",
        ) from None
    if not isinstance(data, dict) or not data.get("email"):
        raise DomainError(
            Code.EMAIL_LINK_INVALID,
            "This verification link is not valid. Copy the whole link from the email, or send "
            "a new one from your email page.",
        )
    return data


def email_verification_check(*, user, token: str) -> str:
    """The address a verification token verifies for ``user``, or a refusal: invalid (altered,
    cut short), expired, or made for another account. Writes nothing."""
    data = email_verification_payload(token)
    if data.get("user") != user.pk:
        raise PermissionDenied(
            Code.EMAIL_LINK_OTHER_ACCOUNT,
            "This verification link was sent for another account. Sign in as that account and "
            "open it again.",
        )
    return data["email"]


def email_verify(*, user, token: str) -> VerifiedEmail:
    """Record the address a valid token names as verified for ``user``. Idempotent: opening
    the link again returns the same row (the (user, email) unique constraint decides a race)."""
    address = email_verification_check(user=user, token=token)
    try:
        with transaction.atomic():
            verified, _ = VerifiedEmail.objects.get_or_create(user=user, email=address)
    except IntegrityError:  # the same link opened twice at once: the other request won
        verified = VerifiedEmail.objects.get(user=user, email=address)
    return verified


def email_mark_verified(*, user, email: str) -> VerifiedEmail:
    """Record ``email`` as verified for ``user`` without a link: for accounts an operator
    vouches for (the demo's seed), never for an address a user typed. Idempotent."""
    address = _normalized_email(email)
    verified, _ = VerifiedEmail.objects.get_or_create(user=user, email=address)
    return verified


# -- API tokens (podium.accounts.tokens holds them; re-exported as this app's writes) ----------
from podium.accounts.tokens import (  # noqa: E402, F401
    api_token_create,
    api_token_revoke,
    api_token_rotate,
)
