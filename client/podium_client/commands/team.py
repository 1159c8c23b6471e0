"""``podium team COMP [ACTION]``: your team, and inviting, joining, merging and answering.

An id to accept, decline or cancel is looked up among what is pending for you (invitations to
you, join requests to your team, merge requests...); ``--kind`` settles an id found in two.
"""

from __future__ import annotations

import argparse

from podium_client.errors import CliError, Exit, UsageError
from podium_client.http import path_part
from podium_client.output import print_json, say, table, when

KINDS = {
    "invitation": "invitations",
    "join-request": "join-requests",
    "merge-request": "merge-requests",
}
# which lists of the team page hold what an answer may concern
ANSWERABLE = {
    "accept": (
        ("invitation", "invitations_to_me"),
        ("join-request", "join_requests_in"),
        ("merge-request", "merge_requests_in"),
    ),
    "decline": (
        ("invitation", "invitations_to_me"),
        ("join-request", "join_requests_in"),
        ("merge-request", "merge_requests_in"),
    ),
    "cancel": (
        ("invitation", "invitations_sent"),
        ("join-request", "join_requests_by_me"),
        ("merge-request", "merge_requests_out"),
    ),
}


def register(commands, common) -> None:
    team = commands.add_parser(
        "team",
        parents=[common],
        help="your team: show, invite, accept, merge...",
        description="Without an action: your team and everything pending that concerns it.",
    )
    team.add_argument("competition", metavar="COMP", help="the competition's slug")
    actions = team.add_subparsers(dest="action", metavar="ACTION")
    # --json after the action too; SUPPRESS: an action's default must not undo `team C --json X`
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print the API's JSON on stdout",
    )
    actions.add_parser("show", parents=[common], help="your team (the default)")
    invite = actions.add_parser("invite", parents=[common], help="invite a user to your team")
    invite.add_argument("user", metavar="USER", help="a username or email address")
    for answer in ("accept", "decline", "cancel"):
        action = actions.add_parser(
            answer, parents=[common], help=f"{answer} an invitation, join or merge request"
        )
        action.add_argument("id", metavar="ID", type=int)
        action.add_argument("--kind", choices=tuple(KINDS), help="what the id is of")
        if answer == "accept":
            action.add_argument(
                "--accept-rules",
                action="store_true",
                help="accepting an invitation: accept the competition's rules too",
            )
    join_request = actions.add_parser(
        "join-request", parents=[common], help="ask to join another team"
    )
    join_request.add_argument("team", metavar="TEAM", help="the team's name")
    merge = actions.add_parser(
        "merge", parents=[common], help="ask another team to merge with yours (it remains)"
    )
    merge.add_argument("team", metavar="TEAM", help="the team's name")
    actions.add_parser("leave", parents=[common], help="leave your team for a team of one")
    rename = actions.add_parser("rename", parents=[common], help="rename your team (leader)")
    rename.add_argument("name", metavar="NAME")
    leader = actions.add_parser("leader", parents=[common], help="make another member leader")
    leader.add_argument("user", metavar="USER")
    team.set_defaults(handler=team_command)


def team_command(args, context) -> int:
    slug = path_part(args.competition)
    api = context.api
    base = f"competitions/{slug}/"
    action = args.action or "show"
    if action == "show":
        page = api.get(base + "team/")
    elif action == "invite":
        created = api.post(base + "invitations/", {"invitee": args.user})
        return _done(
            context, created, f"Invited {created['invitee']} (invitation {created['id']})."
        )
    elif action == "join-request":
        created = api.post(base + "join-requests/", {"team": args.team})
        return _done(
            context,
            created,
            f"Asked to join {created['team']} (request {created['id']}); its leader answers.",
        )
    elif action == "merge":
        return _merge(context, base, args.team)
    elif action == "leave":
        page = api.post(base + "team/leave/")
        say_after = f"You left; your team is now {page['name']}."
        return _done(context, page, say_after)
    elif action == "rename":
        page = api.patch(base + "team/", {"name": args.name})
        return _done(context, page, f"Your team is now called {page['name']}.")
    elif action == "leader":
        page = api.post(base + "team/leader/", {"username": args.user})
        return _done(context, page, f"{args.user} leads the team now.")
    else:  # accept, decline, cancel
        kind = args.kind or _kind_of(api.get(base + "team/"), action, args.id)
        body = {"accept_rules": bool(getattr(args, "accept_rules", False))}
        page = api.post(base + f"{KINDS[kind]}/{args.id}/{action}/", body)
        verb = {"accept": "Accepted", "decline": "Declined", "cancel": "Cancelled"}[action]
        return _done(context, page, f"{verb} {kind} {args.id}. Your team: {page['name']}.")
    if context.json:
        print_json(page)
    else:
        say(show(page))
    return 0


def _done(context, data: dict, message: str) -> int:
    if context.json:
        print_json(data)
    else:
        say(message)
    return 0


def _kind_of(page: dict, answer: str, pk: int) -> str:
    found = [kind for kind, key in ANSWERABLE[answer] if any(i["id"] == pk for i in page[key])]
    if len(found) > 1:
        raise UsageError(f"Id {pk} is pending as {' and '.join(found)}: say which with --kind.")
    if not found:
        what = "to answer" if answer != "cancel" else "of yours to cancel"
        raise CliError(
            f"Nothing pending {what} has id {pk} (see `podium team COMP`).", Exit.NOT_FOUND
        )
    return found[0]


def _merge(context, base: str, team: str) -> int:
    preview = context.api.get(base + "merge-preview/", params={"team": team})
    if not preview["allowed"]:
        reasons = "\n".join(f"  - {r}" for r in preview["reasons"])
        if context.json:
            print_json(preview)
        raise CliError(f"Your team cannot merge into {preview['into']}:\n{reasons}", Exit.API_ERROR)
    created = context.api.post(base + "merge-requests/", {"team": team})
    return _done(
        context,
        created,
        f"Asked {created['to_team']} to merge with your team (request {created['id']}); its "
        f"leader answers. Together: {preview['members']}/{preview['max_members']} members, "
        f"{preview['submissions']}/{preview['max_submissions']} submissions.",
    )


def show(page: dict) -> str:
    if page.get("name") is None:
        lines = ["You are not in a team here yet (`podium join COMP`)."]
    else:
        role = " (you lead it)" if page.get("is_leader") else ""
        lines = [
            f"Team {page['name']}{role}: {len(page['members'])} of {page['max_team_size']} members",
            "",
        ]
        members = [
            (m["username"], "leader" if m["is_leader"] else "", when(m["joined_at"]))
            for m in page["members"]
        ]
        lines.append(table(("member", "role", "joined"), members))
    pending = [
        ("Invitations to you", page.get("invitations_to_me", []), "team"),
        ("Your join requests", page.get("join_requests_by_me", []), "team"),
        ("Invitations sent", page.get("invitations_sent", []), "invitee"),
        ("Join requests to your team", page.get("join_requests_in", []), "user"),
        ("Merge requests to your team", page.get("merge_requests_in", []), "from_team"),
        ("Your merge requests", page.get("merge_requests_out", []), "to_team"),
    ]
    for title, items, who in pending:
        if items:
            rows = [(i["id"], i[who], i["status"], when(i["created_at"])) for i in items]
            lines += [
                "",
                f"{title}:",
                table(("id", who.replace("_", " "), "status", "sent"), rows, right=(0,)),
            ]
    return "\n".join(lines)
