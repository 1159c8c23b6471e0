"""What to type next, for the server's refusals that a ``podium`` command can fix.

The server's message says what is wrong in words a web user reads too ("accept its rules first
(on the competition's Rules page)"); a ``hint: ...`` line after it names the command that fixes
it here. Keyed by the API's stable error codes (``platform/podium/*/error_codes.py``); a code
without an entry (a deadline passed, the private board not revealed yet...) has no CLI fix and
its message is printed as it is.
"""

from __future__ import annotations

from collections.abc import Callable

from podium_client.errors import ApiError
from podium_client.output import when

# (the error, the competition's slug or "COMP", the command that was run) -> the hint
Hint = Callable[[ApiError, str, str], "str | None"]


def _join(error: ApiError, slug: str, command: str) -> str | None:
    if command == "team":  # `team accept ID --accept-rules`, or another member's rules
        return None
    return f"accept the rules and join: `podium join {slug} --accept-rules`."


def _no_team(error: ApiError, slug: str, command: str) -> str:
    return (
        f"join it: `podium join {slug} --accept-rules` (or `podium team {slug}` for "
        "invitations to a team)."
    )


def _next_day(error: ApiError, slug: str, command: str) -> str:
    resets = when(error.details.get("resets_at"))
    opens = f"the next submission opens at {resets} (your time)" if resets else "try tomorrow"
    return f"{opens}; `podium submissions {slug}` lists today's."


def _sign_in(error: ApiError, slug: str, command: str) -> str | None:
    if command == "login":  # its own message says what was wrong with what it was given
        return None
    return "sign in: `podium login --url URL` (or set PODIUM_URL and PODIUM_TOKEN)."


def _submissions(error: ApiError, slug: str, command: str) -> str:
    return f"`podium submissions {slug}` lists your team's submissions and their status."


def _team(error: ApiError, slug: str, command: str) -> str:
    return f"`podium team {slug}` shows your team, its leader and what is pending."


def _merge(error: ApiError, slug: str, command: str) -> str:
    return f"ask for the merge: `podium team {slug} merge TEAM`."


def _competitions(error: ApiError, slug: str, command: str) -> str:
    return "`podium competitions` lists the competitions you can see."


def _wait(error: ApiError, slug: str, command: str) -> str | None:
    return f"try again in {error.retry_after} s." if error.retry_after else None


def _keys(error: ApiError, slug: str, command: str) -> str:
    return "`podium logout` revokes this machine's key; your profile page lists the others."


HINTS: dict[str, Hint] = {
    # joining and the rules
    "rules_not_accepted": _join,
    "not_a_participant": _no_team,
    # the submission limits
    "daily_limit_reached": _next_day,
    "invalid_submission_limit_reached": _next_day,
    # signing in
    "not_authenticated": _sign_in,
    "authentication_failed": _sign_in,
    "token_limit_reached": _keys,
    "throttled": _wait,
    # what does not exist
    "competition_not_found": _competitions,
    "submission_not_found": _submissions,
    "final_selection_not_scored": _submissions,
    "final_selection_not_your_submission": _submissions,
    "team_request_not_found": _team,
    # teams
    "not_team_leader": _team,
    "not_team_member": _team,
    "merge_required": _merge,
}


def hint_for(error: ApiError, slug: str | None, command: str) -> str | None:
    """The line to print after ``error: <message>``, or None."""
    make = HINTS.get(error.code)
    return make(error, slug or "COMP", command) if make else None
