"""The protocol's own refusals (unknown methods, upload links). Malformed calls and credentials
are core's ``CommonErrorCode``, as in the API; every other refusal is a Podium service's or
selector's ``DomainError``, passed on with its status and message."""

from enum import StrEnum


class KaggleErrorCode(StrEnum):
    UNKNOWN_METHOD = "unknown_method"
    UPLOAD_NOT_VALID = "upload_not_valid"
    LENGTH_REQUIRED = "length_required"
