"""The protocol's own refusals (malformed calls, credentials, upload links). Every other refusal
is a Podium service's or selector's ``DomainError``, passed on with its status and message."""

from enum import StrEnum


class KaggleErrorCode(StrEnum):
    MALFORMED_REQUEST = "malformed_request"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNKNOWN_METHOD = "unknown_method"
    UPLOAD_NOT_VALID = "upload_not_valid"
    LENGTH_REQUIRED = "length_required"
    SERVER_ERROR = "server_error"
