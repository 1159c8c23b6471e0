"""Signing up on the web: a new account, open to everyone or only to some email domains.

A services module of its own (writes and the sign-up rules). ``settings.SIGNUP_EMAIL_DOMAINS``
(``PODIUM_SIGNUP_EMAIL_DOMAINS``, comma separated, e.g. ``corp.example,lab.corp.example``)
limits sign-up to addresses at those domains (a subdomain of one counts); empty means anyone.
The new account is mailed a verification link for its address (``email_verification_send``):
competitions open to an email domain check verified addresses only.

Where sign-up is limited to domains, the typed address is what lets someone in, so it must be
proved first: the account is created INACTIVE with a ``PendingSignup`` row and cannot sign in
(nor hold a session or an API token) until the link mailed to the address is opened and the
account's password entered there (``signup_confirm``): the link proves the address, the password
proves that whoever opens it is who signed up (the address's owner who did not sign up cannot be
made to activate a squatter's account by clicking). Then the account is active and the address
verified. A pending sign-up never blocks the real owner: signing up again with the same address
replaces it at once (the old link stops working), and once its link has expired
(``EMAIL_VERIFICATION_MAX_AGE_SECONDS``) it holds neither its username nor its address.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from podium.accounts import selectors
from podium.accounts.models import PendingSignup, VerifiedEmail
from podium.accounts.services import (
    _normalized_email,
    email_verification_payload,
    email_verification_send,
)
from podium.core.errors import Conflict, DomainError, PermissionDenied
from podium.core.timeutils import now


class SignupErrorCode(StrEnum):
    SIGNUP_CLOSED = "signup_closed"
    SIGNUP_CLOSED_DOMAIN = "signup_email_domain_not_allowed"
    USERNAME_TAKEN = "username_taken"
    USERNAME_INVALID = "username_invalid"
    EMAIL_TAKEN = "email_taken"
    PASSWORD_INVALID = "password_invalid"
    SIGNUP_LINK_STALE = "signup_link_stale"
    SIGNUP_PASSWORD_WRONG = "signup_password_wrong"
    SIGNUP_NOT_PENDING = "signup_not_pending"


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
    *,
    username: str,
    email: str,
    password: str,
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
    _pending_signups_release(username=username, address=address)
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
    # Limited to domains: nothing until the address is proved (see the module's docstring).
    candidate.is_active = not domains
    try:
        with transaction.atomic():
            candidate.save()
            if domains:
                PendingSignup.objects.create(user=candidate, email=address)
    except IntegrityError:  # the same username a moment ago
        raise Conflict(
            Code.USERNAME_TAKEN, f"The username {username} is taken: choose another."
        ) from None
    if link_for is not None:
        email_verification_send(user=candidate, email=address, link_for=link_for)
    return candidate


def signup_is_pending(user) -> bool:
    """Whether ``user`` is a sign-up waiting for its address to be verified."""
    return selectors.pending_signup(user=user) is not None


def _pending_signups_release(*, username: str, address: str) -> None:
    """Delete the pending sign-ups that would stand in the way of this one: any for the same
    address (whoever signs up again with it is the one who can open its link), and expired ones
    holding the username. A pending account never signed in, so nothing hangs on it."""
    expired = now() - timedelta(seconds=settings.EMAIL_VERIFICATION_MAX_AGE_SECONDS)
    stale = PendingSignup.objects.filter(user__is_active=False).filter(
        Q(email__iexact=address) | Q(user__username__iexact=username, created_at__lt=expired)
    )
    user_ids = list(stale.values_list("user_id", flat=True))
    if user_ids:
        get_user_model().objects.filter(pk__in=user_ids, is_active=False).delete()


def _stale_link() -> DomainError:
    return DomainError(
        Code.SIGNUP_LINK_STALE,
        "This link no longer finishes a sign-up: the account was confirmed already, or signed "
        "up again (only the newest link works), or expired. Sign in, or sign up again.",
    )


def signup_pending_for_token(token: str) -> PendingSignup | None:
    """The pending sign-up a verification link finishes, or None when the link names an
    account that is not pending (then it is an ordinary verification link). Refuses an invalid
    or expired link (DomainError). Writes nothing."""
    data = email_verification_payload(token)
    pending = (
        PendingSignup.objects.select_related("user")
        .filter(user_id=data.get("user"), user__is_active=False)
        .first()
    )
    if pending is None:
        if not get_user_model().objects.filter(pk=data.get("user")).exists():
            raise _stale_link()  # a pending sign-up replaced or expired, then deleted
        return None
    if pending.email != data["email"]:  # a link from before the address changed
        raise _stale_link()
    return pending


@transaction.atomic
def signup_confirm(*, token: str, password: str):
    """Finish a pending sign-up: the link proves the address, the password proves the person
    who signed up. Activates the account, records the address as verified; returns the user.
    Refuses a stale link (DomainError(signup_link_stale)) and a wrong password
    (PermissionDenied(signup_password_wrong)). The account's row is locked: two clicks at once
    confirm once."""
    data = email_verification_payload(token)
    user = (
        get_user_model()
        .objects.select_for_update()
        .filter(pk=data.get("user"), is_active=False, pending_signup__email=data["email"])
        .first()
    )
    if user is None:
        raise _stale_link()
    if not user.check_password(password or ""):
        raise PermissionDenied(
            Code.SIGNUP_PASSWORD_WRONG,
            "That is not the password this account was signed up with. Type it again; if you "
            "forgot it, sign up again with the same address.",
        )
    user.is_active = True
    user.save(update_fields=["is_active"])
    VerifiedEmail.objects.get_or_create(user=user, email=data["email"])
    PendingSignup.objects.filter(user=user).delete()
    return user


def signup_check_pending(*, username: str, password: str) -> PendingSignup | None:
    """The pending sign-up of ``username`` if ``password`` is its password, else None: what
    the sign-in form tells apart from wrong credentials ("confirm your address first")."""
    pending = selectors.pending_signup_by_username(username)
    if pending is None or not pending.user.check_password(password or ""):
        return None
    return pending


def signup_link_resend(*, username: str, password: str, link_for: Callable[[str], str]) -> str:
    """Mail a new link to a pending sign-up's address (the username and password prove it is
    the person who signed up); returns the address. An expired sign-up gets its clock restarted
    with the new link. Raises PermissionDenied(signup_not_pending) otherwise."""
    pending = signup_check_pending(username=username, password=password)
    if pending is None:
        raise PermissionDenied(
            Code.SIGNUP_NOT_PENDING,
            "No sign-up waiting for its address matches that username and password. Sign in, "
            "or sign up again.",
        )
    PendingSignup.objects.filter(pk=pending.pk).update(created_at=now())
    return email_verification_send(user=pending.user, email=pending.email, link_for=link_for)
