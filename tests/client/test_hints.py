"""``podium_client.hints``: the command to type after a refusal, for every code that has one,
and none where no command fixes it (the server's message is printed as it is)."""

from __future__ import annotations

from datetime import datetime

import pytest
from podium_client.errors import ApiError
from podium_client.hints import HINTS, hint_for

RESETS = "2026-12-04T00:00:00+00:00"
RESETS_LOCAL = datetime.fromisoformat(RESETS).astimezone().strftime("%Y-%m-%d %H:%M")


def error(code: str, status: int = 403, **details) -> ApiError:
    return ApiError(status, code, "The server's message.", details, retry_after=None)


@pytest.mark.parametrize(
    ("code", "status", "details", "command", "hint"),
    [
        (
            "rules_not_accepted",
            403,
            {},
            "download",
            "accept the rules and join: `podium join titanic --accept-rules`.",
        ),
        (
            "rules_not_accepted",
            403,
            {},
            "submit",
            "accept the rules and join: `podium join titanic --accept-rules`.",
        ),
        ("rules_not_accepted", 403, {}, "team", None),  # `team accept ID --accept-rules`
        (
            "not_a_participant",
            403,
            {},
            "submissions",
            "join it: `podium join titanic --accept-rules` (or `podium team titanic` for "
            "invitations to a team).",
        ),
        (
            "daily_limit_reached",
            429,
            {"used": 5, "limit": 5, "resets_at": RESETS},
            "submit",
            f"the next submission opens at {RESETS_LOCAL} (your time); "
            "`podium submissions titanic` lists today's.",
        ),
        (
            "invalid_submission_limit_reached",
            429,
            {"resets_at": RESETS},
            "submit",
            f"the next submission opens at {RESETS_LOCAL} (your time); "
            "`podium submissions titanic` lists today's.",
        ),
        (
            "not_authenticated",
            401,
            {},
            "submissions",
            "sign in: `podium login --url URL` (or set PODIUM_URL and PODIUM_TOKEN).",
        ),
        ("authentication_failed", 401, {}, "login", None),  # login says what was wrong
        (
            "competition_not_found",
            404,
            {},
            "download",
            "`podium competitions` lists the competitions you can see.",
        ),
        (
            "submission_not_found",
            404,
            {},
            "select",
            "`podium submissions titanic` lists your team's submissions and their status.",
        ),
        (
            "final_selection_not_scored",
            400,
            {},
            "select",
            "`podium submissions titanic` lists your team's submissions and their status.",
        ),
        (
            "not_team_leader",
            403,
            {},
            "team",
            "`podium team titanic` shows your team, its leader and what is pending.",
        ),
        (
            "merge_required",
            409,
            {},
            "team",
            "ask for the merge: `podium team titanic merge TEAM`.",
        ),
        # no command fixes these: the server's message alone
        ("private_leaderboard_not_revealed", 404, {}, "leaderboard", None),
        ("competition_ended", 403, {}, "submit", None),
        ("total_limit_reached", 429, {}, "submit", None),
        ("file_empty", 400, {}, "submit", None),
    ],
)
def test_each_refusal_a_command_fixes_names_that_command(code, status, details, command, hint):
    assert hint_for(error(code, status, **details), "titanic", command) == hint


def test_a_hint_without_a_competition_names_its_place():
    assert hint_for(error("rules_not_accepted"), None, "download") == (
        "accept the rules and join: `podium join COMP --accept-rules`."
    )


def test_throttling_says_how_long_to_wait():
    throttled = ApiError(429, "throttled", "Too many requests.", {}, retry_after=12)
    assert hint_for(throttled, "titanic", "leaderboard") == "try again in 12 s."


def test_every_hinted_code_is_one_the_server_sends(db):
    """A code renamed on the server must not silently lose its hint."""
    from podium.core.error_codes import code_values

    assert set(HINTS) <= set(code_values()), set(HINTS) - set(code_values())
