"""The kaggle client's wire format: JSON bodies with camelCase keys, enums by their names,
ISO-8601 dates (UTC, milliseconds, ``Z``), scores as strings, and every error as
``{"code": <HTTP status>, "message": "..."}`` (the client raises ``message``, the CLI prints it).

The kaggle CLI (2.2.5, ``kaggle/cli.py``) prints that message, then text of its own chosen by
the HTTP status: kaggle.com's login help *instead of* the message for a 401, and after it a
kaggle.com rules URL for a 403, "check the spelling... kaggle search" for a 404, "You have been
rate limited" for a 429. So a refusal the CLI prints (``printed_error_response``) is answered
with 400, which it prints as is, and carries Podium's own status and code beside the message
(``podiumStatus``, ``podiumCode``); a 429 stays a 429 when it is a rate limit (``throttled``: the
client's text is true then, and its retries wait for ``Retry-After``), and a 5xx stays a 5xx.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.http import JsonResponse

from podium.core.error_codes import CommonErrorCode as Code
from podium.core.errors import DomainError

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200


class Fault(DomainError):
    """A refusal of the protocol itself (not of Podium's rules)."""


# statuses after (or instead of) whose message the kaggle CLI prints its own kaggle.com text
CLI_CANNED_TEXT = frozenset({401, 403, 404, 429})
PRINTED = 400


def error_response(
    status: int, message: str, headers: dict | None = None, **extra: Any
) -> JsonResponse:
    body = {"code": status, "message": message, **compact(extra)}
    return JsonResponse(body, status=status, headers=headers)


def printed_status(status: int, code: str = "") -> int:
    """The status that makes the kaggle CLI print the message alone (see the module's doc)."""
    if status in CLI_CANNED_TEXT and code != Code.THROTTLED:
        return PRINTED
    return status


def printed_error_response(status: int, message: str, code: str = "", **kw) -> JsonResponse:
    """A refusal the kaggle CLI prints as Podium wrote it."""
    sent = printed_status(status, code)
    if sent == status:
        return error_response(status, message, podiumCode=code or None, **kw)
    return error_response(sent, message, podiumStatus=status, podiumCode=code or None, **kw)


def domain_error_response(error: DomainError, *, printed: bool = True) -> JsonResponse:
    """``error`` in the kaggle shape; ``printed=False`` keeps its own status (the upload PUT,
    whose status the client acts on and whose body it never shows)."""
    retry_after = getattr(error, "retry_after", None)  # a rate limit (podium.core.limits)
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    if not printed:
        return error_response(error.status, error.message, headers=headers)
    return printed_error_response(error.status, error.message, error.code, headers=headers)


def ok(body: dict[str, Any]) -> JsonResponse:
    """A response object without its empty fields (the client fills in its defaults)."""
    return JsonResponse(compact(body))


def compact(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None}


def date(moment: datetime | None) -> str | None:
    """kagglesdk's DateTimeSerializer format: ``2026-01-31T12:00:00.000Z``."""
    if moment is None:
        return None
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(timespec="milliseconds") + "Z"


def score(value: float | None, precision: int) -> str | None:
    """A score as the client expects it, a string: rounded as Podium's pages show it."""
    return None if value is None else f"{value:.{precision}f}"


def parse_body(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Fault(Code.MALFORMED_REQUEST, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Fault(Code.MALFORMED_REQUEST, "The request body should be a JSON object.")
    return body


def text(body: dict, key: str, *, required: bool = False, max_length: int = 500) -> str:
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise Fault(Code.MALFORMED_REQUEST, f"The request needs '{key}'.")
        return ""
    if not isinstance(value, str) or len(value) > max_length:
        raise Fault(
            Code.MALFORMED_REQUEST,
            f"'{key}' should be a string of at most {max_length} characters.",
        )
    return value


def integer(body: dict, key: str, *, default: int = 0) -> int:
    value = body.get(key, default)
    if value is None:
        return default
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():  # int64s travel as strings
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Fault(Code.MALFORMED_REQUEST, f"'{key}' should be an integer.")
    return value


def flag(body: dict, key: str) -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        raise Fault(Code.MALFORMED_REQUEST, f"'{key}' should be true or false.")
    return value


def paging(body: dict) -> tuple[int, int]:
    """(offset, limit) from ``pageToken`` (an offset this server handed out), else ``page``
    (from 1), and ``pageSize``."""
    size = integer(body, "pageSize", default=DEFAULT_PAGE_SIZE) or DEFAULT_PAGE_SIZE
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise Fault(Code.MALFORMED_REQUEST, f"'pageSize' should be from 1 to {MAX_PAGE_SIZE}.")
    token = text(body, "pageToken", max_length=20)
    if token:
        if not token.isdigit():
            raise Fault(Code.MALFORMED_REQUEST, "The page token is not one this server gave out.")
        return int(token), size
    page = integer(body, "page", default=1) or 1
    if page < 1:
        raise Fault(Code.MALFORMED_REQUEST, "'page' should be 1 or more.")
    return (page - 1) * size, size


def next_page_token(offset: int, limit: int, total: int) -> str:
    return str(offset + limit) if offset + limit < total else ""
