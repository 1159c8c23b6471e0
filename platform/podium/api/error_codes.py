"""Stable error codes of the API's own refusals (the domain's come from each app's
``error_codes.py``, as the services raise them; those every protocol shares, such as
``not_authenticated`` or ``throttled``, are core's ``CommonErrorCode``)."""

from enum import StrEnum


class ApiErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    UPLOAD_TOO_LARGE = "upload_too_large"
