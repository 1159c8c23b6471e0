"""Stable error codes of the API's own refusals (the domain's come from each app's
``error_codes.py``, as the services raise them)."""

from enum import StrEnum


class ApiErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    MALFORMED_REQUEST = "malformed_request"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    THROTTLED = "throttled"
    UPLOAD_TOO_LARGE = "upload_too_large"
    SERVER_ERROR = "server_error"
