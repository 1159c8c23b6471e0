"""Query parameters read strictly: a value outside what the schema documents is refused (400
``malformed_request``, naming the parameter), never silently replaced by the default, so a
typo in a script is seen at once and the OpenAPI schema stays the truth."""

from __future__ import annotations

from collections.abc import Iterable

from podium.core.error_codes import CommonErrorCode
from podium.core.errors import DomainError

TRUE, FALSE = ("true", "1"), ("false", "0")


def _refuse(name: str, message: str) -> DomainError:
    return DomainError(CommonErrorCode.MALFORMED_REQUEST, message, details={"field": name})


def _one(request, name: str) -> str | None:
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise _refuse(name, f"{name} may be given once.")
    return values[0]


def choice(request, name: str, choices: Iterable[str], default: str) -> str:
    allowed = list(choices)
    value = _one(request, name)
    if value is None:
        return default
    if value not in allowed:
        raise _refuse(name, f"{name} must be one of {', '.join(allowed)}.")
    return value


def flag(request, name: str, default: bool = False) -> bool:
    """An OpenAPI boolean: ``true`` or ``false`` (any case), or ``1`` / ``0``."""
    value = _one(request, name)
    if value is None:
        return default
    if value.lower() not in (*TRUE, *FALSE):
        raise _refuse(name, f"{name} must be true or false.")
    return value.lower() in TRUE
