"""Every stable error code, with the one place that owns it (in the spirit of Saleor's
``error_codes.py``).

A code is a ``StrEnum`` member in an ``error_codes.py``: the scoring library's
(``scoring.error_codes``), this module's (the refusals every protocol shares), and each Podium
app's. A code string means one thing and is defined once: an app that refuses for a condition
another owns imports that owner's member (``submissions`` raises ``CompetitionErrorCode.
NO_SOLUTION`` and scoring's ``FILE_EMPTY``); it never defines the string again.

``all_codes()`` lists them all. Core depends on no app, so the apps' modules are found through
Django's app registry at call time (``<app>.error_codes`` of every installed ``podium`` app),
never imported here. An enum counts where it is defined, not where it is imported.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from importlib import import_module
from types import ModuleType

import scoring.error_codes


class CommonErrorCode(StrEnum):
    """Refusals that mean the same wherever they are answered: the API's, kaggle_compat's and
    the rate limits' (``podium.core.limits``)."""

    MALFORMED_REQUEST = "malformed_request"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    THROTTLED = "throttled"
    SERVER_ERROR = "server_error"
    STORAGE_FULL = "storage_full"  # the server's disk or quota: nothing recorded, retry later
    SERVICE_UNAVAILABLE = "service_unavailable"  # its database or broker is away: retry soon


@dataclass(frozen=True)
class ErrorCode:
    code: str  # the stable string clients see
    app: str  # who owns it: "scoring" or a Podium app's label ("core", "submissions", ...)
    enum: str  # where it is defined: "podium.submissions.error_codes.SubmissionRefusal"
    name: str  # the member's name: "DAILY_LIMIT_REACHED"


def _defined_in(module: ModuleType) -> list[type[StrEnum]]:
    """The code enums a module defines (not those it imports)."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, StrEnum)
        and value is not StrEnum
        and value.__module__ == module.__name__
    ]


def _modules() -> list[tuple[str, ModuleType]]:
    from django.apps import apps

    found = [("scoring", scoring.error_codes)]
    for config in apps.get_app_configs():
        if not config.name.startswith("podium."):
            continue
        name = f"{config.name}.error_codes"  # core's is this module
        try:
            found.append((config.label, import_module(name)))
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the module exists but is broken: say so
                raise
    return found


def all_codes() -> list[ErrorCode]:
    """Every code definition, in the order of the apps and of each enum; a duplicate would be
    listed twice (``duplicates()`` finds them, and a test keeps it empty)."""
    return [
        ErrorCode(member.value, app, f"{enum.__module__}.{enum.__qualname__}", member.name)
        for app, module in _modules()
        for enum in _defined_in(module)
        for member in enum
    ]


def duplicates() -> dict[str, list[ErrorCode]]:
    """Code strings defined in more than one place -> their definitions (empty: all unique)."""
    by_code: dict[str, list[ErrorCode]] = defaultdict(list)
    for entry in all_codes():
        by_code[entry.code].append(entry)
    return {code: entries for code, entries in by_code.items() if len(entries) > 1}


def code_values() -> list[str]:
    """The closed set of code strings, sorted (the OpenAPI schema's enum)."""
    return sorted({entry.code for entry in all_codes()})
