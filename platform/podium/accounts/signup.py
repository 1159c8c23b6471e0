"""Signing up on the web: a new account, open to everyone or only to some email domains.

A services module of its own (writes and the sign-up rules). ``settings.SIGNUP_EMAIL_DOMAINS``
(``PODIUM_SIGNUP_EMAIL_DOMAINS``, comma separated, e.g. ``corp.example,lab.corp.example``)
limits sign-up to addresses at those domains (a subdomain of one counts); empty means anyone.
The new account is mailed a verification link for its address (``email_verification_send``):
competitions open to an email domain check verified addresses only.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from podium.accounts.services import _normalized_email, email_verification_send
from podium.core.errors import Conflict, DomainError, PermissionDenied


class SignupErrorCode(StrEnum):
    SIGNUP_CLOSED = "signup_closed"
    SIGNUP_CLOSED_DOMAIN = "signup_email_domain_not_allowed"
    USERNAME_TAKEN = "username_taken"
    USERNAME_INVALID = "username_invalid"
    EMAIL_TAKEN = "email_taken"
    PASSWORD_INVALID = "password_invalid"


Code = SignupErrorCode


def signup_domains() -> list[str]:
    """The email domains sign-up is limited to (lowercased, no "@"); empty: anyone."""
    return [d.strip().lower().lstrip("@") for d in settings.SIGNUP_EMAIL_DOMAINS if d.strip()]


def email_domain_allowed(email: str, domains: list[str] | None = None) -> bool:
    """Whether ``email`` may sign up: its domain is one of ``domains`` or below one of them."""
    domains = signup_domains() if domains is None else domains
    if not domains:
        return True
    domain = email.rsplit("@", 1)[-1].lower()
    return any(domain == d or domain.endswith("." + d) for d in domains)


def user_signup(
    *, username: str, email: str, password: str,
    link_for: Callable[[str], str] | None = None,
):
    """Create an account; returns the user. Refusals, each with what to do:
    the address's domain is not allowed (PermissionDenied), the username or address is taken
    (Conflict), the username has characters a username cannot have, the password is too weak
    (DomainError, with the validators' words). ``link_for(token)``: where the verification link
    of the address points (None: no mail)."""
    if not settings.SIGNUP_OPEN:
        raise PermissionDenied(
            Code.SIGNUP_CLOSED,
            "Sign-up is closed on this Podium: ask an administrator for an account.",
        )
    User = get_user_model()
    username = (username or "").strip()
    address = _normalized_email(email)
    domains = signup_domains()
    if not email_domain_allowed(address, domains):
        listed = ", ".join(f"@{d}" for d in domains)
        raise PermissionDenied(
            Code.SIGNUP_CLOSED_DOMAIN,
            f"Sign-up is open to addresses at {listed} only. Use your work email address.",
        )
    try:
        User.username_validator(username)
        if not username or len(username) > 150:
            raise ValidationError("empty or too long")
    except ValidationError:
        raise DomainError(
            Code.USERNAME_INVALID,
            "A username has 1 to 150 letters, digits and @ . + - _ (no spaces).",
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(Code.USERNAME_TAKEN, f"The username {username} is taken: choose another.")
    if User.objects.filter(email__iexact=address).exists():
        raise Conflict(
            Code.EMAIL_TAKEN,
            f"There is already an account for {address}. Sign in, or reset its password.",
        )
    candidate = User(username=username, email=address)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise DomainError(Code.PASSWORD_INVALID, " ".join(exc.messages)) from None
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:  # the same username a moment ago
        raise Conflict(
            Code.USERNAME_TAKEN, f"The username {username} is taken: choose another."
        ) from None
    if link_for is not None:
        email_verification_send(user=candidate, email=address, link_for=link_for)
    return candidate
