"""The one error type of Podium's domain.

Services raise a ``DomainError`` subclass with a stable ``code`` (listed in each app's
``error_codes.py``), a message a participant can act on, optional ``details``, and the HTTP
status it maps to. The API renders every one as
``{"error": {"code": ..., "message": ..., "details": {...}}}``; the web UI shows ``message``.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class DomainError(Exception):
    status = 400  # HTTP status the API answers with

    def __init__(
        self,
        code: str | Enum,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code.value if isinstance(code, Enum) else code
        self.message = message
        self.details = details or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class LimitReached(DomainError):
    status = 429


class Unavailable(DomainError):
    """Podium cannot accept this now (its disk is full, a service it needs is away): nothing
    was recorded, and the same request may succeed later. HTTP 503 with ``Retry-After``."""

    status = 503

    def __init__(self, code: str | Enum, message: str, *, retry_after: int = 60) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(code, message, details={"retry_after_seconds": self.retry_after})
