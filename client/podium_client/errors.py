"""Exit codes and the exceptions that carry them: every failure the CLI reports ends as one
``error: <message>`` line on stderr and one of these codes (no traceback)."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    API_ERROR = 1  # the server refused (400, 409, 413, 5xx...), or a check failed
    USAGE = 2  # bad arguments, no server URL configured, a local file missing
    AUTH = 3  # 401/403: no key, a wrong or revoked key, not allowed
    NOT_FOUND = 4  # 404: no such competition, file, submission, team...
    LIMIT = 5  # 429: submission limit reached, or requests throttled
    SUBMISSION_FAILED = 6  # `submit --wait`: the submission failed scoring
    TIMEOUT = 7  # `submit --wait`: not scored within --timeout
    CONNECTION = 8  # the server cannot be reached (refused, DNS, network timeout)
    INTERRUPTED = 130  # Ctrl-C


class CliError(Exception):
    """A failure to report as ``error: <message>`` with an exit code."""

    exit_code: Exit = Exit.API_ERROR

    def __init__(self, message: str, exit_code: Exit | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(CliError):
    exit_code = Exit.USAGE


class ConnectionFailure(CliError):
    exit_code = Exit.CONNECTION


class ApiError(CliError):
    """The server answered with ``{"error": {"code", "message", "details"}}`` (or an error
    status without it)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message, exit_for_status(status))
        self.status, self.code, self.details = status, code, details or {}
        self.retry_after = retry_after


def exit_for_status(status: int) -> Exit:
    if status in (401, 403):
        return Exit.AUTH
    if status == 404:
        return Exit.NOT_FOUND
    if status == 429:
        return Exit.LIMIT
    return Exit.API_ERROR
