"""Errors become exit codes with the API's message; tables line up."""

from __future__ import annotations

import json

import pytest
import requests
from podium_client.commands.leaderboard import _private_line
from podium_client.errors import Exit, exit_for_status
from podium_client.http import api_error
from podium_client.output import MIN_LAST_COLUMN, table, terminal_width


def response(status: int, body, headers: dict | None = None) -> requests.Response:
    made = requests.Response()
    made.status_code = status
    made._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    made.headers.update(headers or {})
    made.url = "http://podium.test/api/v1/x/"
    made.request = requests.Request("GET", made.url).prepare()
    return made


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, Exit.API_ERROR),
        (401, Exit.AUTH),
        (403, Exit.AUTH),
        (404, Exit.NOT_FOUND),
        (409, Exit.API_ERROR),
        (413, Exit.API_ERROR),
        (429, Exit.LIMIT),
        (500, Exit.API_ERROR),
    ],
)
def test_statuses_map_to_exit_codes(status, code):
    assert exit_for_status(status) == code


def test_the_api_error_keeps_code_message_details_and_retry_after():
    error = api_error(
        response(
            429,
            {
                "error": {
                    "code": "throttled",
                    "message": "Too many requests. Try again in 3 seconds.",
                    "details": {"retry_after_seconds": 3},
                }
            },
            {"Retry-After": "3"},
        )
    )
    assert (error.status, error.code, error.exit_code) == (429, "throttled", Exit.LIMIT)
    assert error.message == "Too many requests. Try again in 3 seconds."
    assert error.details == {"retry_after_seconds": 3} and error.retry_after == 3


def test_a_body_that_is_not_the_api_error_still_gives_a_clear_message():
    error = api_error(response(502, b"<html>Bad Gateway</html>"))
    assert error.exit_code == Exit.API_ERROR
    assert error.message.startswith("The server answered HTTP 502")
    assert "<html>" not in error.message


def test_tables_align_columns_and_right_align_numbers():
    text = table(("rank", "team", "score"), [(1, "alpha", "0.91"), (10, "b", "0.5")], right=(0, 2))
    assert text.splitlines() == [
        "rank  team   score",
        "----  -----  -----",
        "   1  alpha   0.91",
        "  10  b        0.5",
    ]


def test_a_width_cuts_the_last_column_to_fit_never_below_its_minimum():
    rows = [(1, "a" * 30), (22, "short")]
    assert table(("id", "message"), rows, right=(0,), width=20).splitlines() == [
        "id  message",
        "--  " + "-" * MIN_LAST_COLUMN,
        " 1  " + "a" * (MIN_LAST_COLUMN - 1) + "…",  # 24 > 20: the minimum wins
        "22  short",
    ]
    assert (
        table(("id", "message"), rows, right=(0,), width=14).splitlines()[2]
        == " 1  " + "a" * 19 + "…"
    )
    cut = table(("id", "message"), rows, right=(0,), width=30).splitlines()
    assert cut[2] == " 1  " + "a" * 25 + "…" and max(map(len, cut)) == 30
    assert table(("id", "message"), rows, right=(0,)).splitlines()[2] == " 1  " + "a" * 30


def test_the_width_is_columns_else_the_terminals_and_none_off_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", "123")
    assert terminal_width() == 123
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert terminal_width() is None  # a pipe or a file: every character, $COLUMNS or not


def test_a_private_board_row_shows_its_prize_rank_and_a_baseline_none():
    row = {
        "rank": 2,
        "team": "ada",
        "is_baseline": False,
        "prize_rank": 1,
        "private_display": "0.91",
        "public_rank": 5,
        "move": 3,
    }
    assert _private_line(row, "ada") == (">", 2, 1, "ada", "0.91", 5, "+3")
    baseline = {
        **row,
        "rank": 1,
        "team": "Baseline",
        "is_baseline": True,
        "prize_rank": None,
        "public_rank": 1,
        "move": 0,
    }
    assert _private_line(baseline, "ada") == ("", 1, "-", "Baseline (baseline)", "0.91", 1, "0")
