"""Stable error codes of progression (the API's ``code``; never renamed)."""

from enum import StrEnum


class ProgressionErrorCode(StrEnum):
    PROFILE_NOT_FOUND = "profile_not_found"  # no active user of that name
