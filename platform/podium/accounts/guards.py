"""Guessing limits of the accounts' credentials: passwords, password-reset mail, emailed links.

Sign-in counts FAILURES, per address and per account (the username as typed, casefolded, whether
or not such an account exists, so a refusal tells nothing about who has an account):

* per address (``login_address``, default 30 failures / 10 minutes): a guesser from one address
  is stopped whatever usernames it tries, and however it spells ``X-Forwarded-For``;
* per account (``login_account``, default 10 failures / 5 minutes): guessers spread over many
  addresses are stopped too. While an account is blocked every password is refused, the right
  one included (otherwise the block would still tell a guesser which guess was right); the block
  lasts only until its window ends (5 minutes by default), so a burst of wrong passwords keeps
  the real user out for minutes at most. A guesser gets 10 tries per account per 5 minutes.

Every check happens before the password is hashed (a refused attempt costs no hashing).
"""

from __future__ import annotations

from django.contrib.auth import authenticate

from podium.core import limits

FROM_ADDRESS = "Too many failed sign-ins from your address."
FOR_ACCOUNT = "Too many failed sign-ins for this account."
RESETS_FROM_ADDRESS = "Too many password-reset requests from your address."
RESETS_FOR_EMAIL = "Too many password-reset requests for this email address."
LINKS_FROM_ADDRESS = "Too many links that did not work were opened from your address."


def _account(username: str) -> str:
    return (username or "").strip().casefold()


def sign_in(*, request, username: str, password: str, address: str):
    """The user these credentials belong to, None if they are wrong; ``limits.Limited`` while
    the address or the account has failed too often."""
    limits.check("login_address", address, FROM_ADDRESS)
    limits.check("login_account", _account(username), FOR_ACCOUNT)
    user = authenticate(request, username=username, password=password)
    if user is None:
        limits.count("login_address", address)
        limits.count("login_account", _account(username))
    return user


def password_reset_allowed(*, address: str, email: str) -> None:
    """Count a password-reset request (every one sends mail); ``Limited`` past the limits."""
    limits.check("reset_address", address, RESETS_FROM_ADDRESS)
    limits.check("reset_email", _account(email), RESETS_FOR_EMAIL)
    limits.count("reset_address", address)
    limits.count("reset_email", _account(email))


def link_allowed(*, address: str) -> None:
    """Refuse opening verification or invitation links from an address that opened too many
    wrong ones."""
    limits.check("link_address", address, LINKS_FROM_ADDRESS)


def link_failed(*, address: str) -> None:
    limits.count("link_address", address)
