"""Stable error codes of the accounts app."""

from enum import StrEnum


class AccountErrorCode(StrEnum):
    EMAIL_INVALID = "email_invalid"
    EMAIL_ALREADY_VERIFIED = "email_already_verified"
    EMAIL_LINK_INVALID = "email_link_invalid"
    EMAIL_LINK_EXPIRED = "email_link_expired"
    EMAIL_LINK_OTHER_ACCOUNT = "email_link_other_account"
    TOKEN_NOT_FOUND = "token_not_found"
    TOKEN_LIMIT_REACHED = "token_limit_reached"
    TOKEN_NAME_TOO_LONG = "token_name_too_long"
    CREDENTIALS_INVALID = "credentials_invalid"
    ORGANIZER_GRANT_SUPERUSER_ONLY = "organizer_grant_superuser_only"
    BIO_TOO_LONG = "bio_too_long"
