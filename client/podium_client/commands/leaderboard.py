"""``podium leaderboard COMP [--private] [--top N]``: the board, your team marked."""

from __future__ import annotations

from podium_client.errors import CliError, UsageError
from podium_client.http import path_part
from podium_client.output import print_json, say, table, when


def register(commands, common) -> None:
    board = commands.add_parser(
        "leaderboard",
        parents=[common],
        help="the public (or private) leaderboard",
        description="The leaderboard; your team's row is marked with '>' (and shown after the "
        "top N when it is below them).",
    )
    board.add_argument("competition", metavar="COMP", help="the competition's slug")
    board.add_argument(
        "--private", action="store_true", help="the private board (once it is revealed)"
    )
    board.add_argument("--top", type=int, metavar="N", help="only the first N rows")
    board.set_defaults(handler=leaderboard_command)


def leaderboard_command(args, context) -> int:
    if args.top is not None and args.top < 1:
        raise UsageError("--top must be at least 1.")
    slug = path_part(args.competition)
    path = f"competitions/{slug}/leaderboard/" + ("private/" if args.private else "")
    rows = context.api.all(path, limit=args.top)
    if context.json:
        print_json(rows)
        return 0
    mine = my_row(context, slug)
    if not rows:
        say("No one on the board yet.")
        return 0
    my_team = mine["team"] if mine else None
    if args.private:
        headers = ("", "rank", "prize", "team", "score", "public rank", "move")
        lines = [_private_line(r, my_team) for r in rows]
        below = mine.get("private") if mine else None
        if below and all(r["team"] != my_team for r in rows):
            lines += [("", "...", "", "", "", "", ""), _private_line(below, my_team)]
        say(table(headers, lines, right=(1, 2, 4, 5, 6)))
        return 0
    headers = ("", "rank", "team", "score", "entries", "last")
    lines = [_public_line(r, my_team) for r in rows]
    below = mine.get("public") if mine else None
    if below and all(r["team"] != my_team for r in rows):
        lines += [
            ("", "...", "", "", "", ""),
            (
                ">",
                below["rank"],
                my_team,
                below["score_display"],
                below["entries"],
                when(below["last_submission_at"]),
            ),
        ]
    say(table(headers, lines, right=(1, 3, 4)))
    return 0


def my_row(context, slug: str) -> dict | None:
    """Where the caller's team stands, or None (not signed in, not in the competition)."""
    if not context.config.token:
        return None
    try:
        return context.api.get(f"competitions/{slug}/leaderboard/me/")
    except CliError:
        return None


def _public_line(row: dict, my_team: str | None) -> tuple:
    name = row["team"] + (" (baseline)" if row.get("is_baseline") else "")
    return (
        ">" if row["team"] == my_team else "",
        row["rank"],
        name,
        row["score_display"],
        row["entries"],
        when(row["last_submission_at"]),
    )


def _private_line(row: dict, my_team: str | None) -> tuple:
    """A private board row: its prize rank ("-" for a Baseline team, which never wins one)."""
    move = row.get("move")
    shown = "" if move is None else (f"+{move}" if move > 0 else str(move))
    prize = row.get("prize_rank")
    name = row["team"] + (" (baseline)" if row.get("is_baseline") else "")
    return (
        ">" if row["team"] == my_team else "",
        row["rank"],
        "-" if prize is None else prize,
        name,
        row["private_display"],
        row.get("public_rank") or "",
        shown,
    )
