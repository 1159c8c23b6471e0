"""Stable error codes of the accounts app."""

from enum import StrEnum


class AccountErrorCode(StrEnum):
    EMAIL_INVALID = "email_invalid"
    EMAIL_ALREADY_VERIFIED = "email_already_verified"
    EMAIL_LINK_INVALID = "email_link_invalid"
    EMAIL_LINK_EXPIRED = "email_link_expired"
    EMAIL_LINK_OTHER_ACCOUNT = "email_link_other_account"
