"""``podium competitions`` (the list) and ``podium join COMP`` (accept the rules, join)."""

from __future__ import annotations

import sys

from podium_client.errors import UsageError
from podium_client.http import path_part
from podium_client.output import print_json, say, table, when


def register(commands, common) -> None:
    listing = commands.add_parser(
        "competitions",
        parents=[common],
        help="list the competitions",
        description="The competitions you may see: open ones first, then upcoming, then over.",
    )
    listing.add_argument("--state", choices=("active", "upcoming", "closed"))
    listing.add_argument("--search", "-s", help="words in the title")
    listing.set_defaults(handler=competitions_command)

    join = commands.add_parser(
        "join",
        parents=[common],
        help="accept a competition's rules and join it",
        description="Accept the competition's rules and join it as a team of one (needed to "
        "download its data and to submit).",
    )
    join.add_argument("competition", metavar="COMP", help="the competition's slug")
    join.add_argument(
        "--accept-rules",
        action="store_true",
        help="accept the rules without being asked (read them first on the competition's page)",
    )
    join.set_defaults(handler=join_command)


def competitions_command(args, context) -> int:
    params = {k: v for k, v in (("state", args.state), ("search", args.search)) if v}
    found = context.api.all("competitions/", params)
    if context.json:
        print_json(found)
        return 0
    if not found:
        say("No competitions.")
        return 0
    rows = [
        (c["slug"], c["title"], c["state"], metric_name(c), c["team_count"], when(c["end_at"]))
        for c in found
    ]
    say(table(("slug", "title", "state", "metric", "teams", "ends"), rows, right=(4,)))
    return 0


def metric_name(competition: dict) -> str:
    """The metric as participants read it ("ROC AUC"); its id ("roc_auc") from a server that
    does not send the name."""
    return competition.get("metric_name") or competition.get("metric", "")


def join_command(args, context) -> int:
    slug = path_part(args.competition)
    detail = context.api.get(f"competitions/{slug}/")
    if not args.accept_rules and not detail.get("me", {}).get("joined"):
        if not sys.stdin.isatty():
            raise UsageError(
                f"Joining accepts the rules of {detail['title']}: read them at "
                f"{detail.get('url', '')}rules/ and pass --accept-rules: "
                f"`podium join {args.competition} --accept-rules`."
            )
        say(f"The rules of {detail['title']}:\n\n{detail.get('rules', '').strip()}\n")
        answer = input("Accept these rules and join? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            raise UsageError("Not joined: the rules were not accepted.")
    team = context.api.post(f"competitions/{slug}/join/")
    if context.json:
        print_json(team)
    else:
        say(f"Joined {args.competition} (rules accepted); your team: {team['team']}.")
    return 0
