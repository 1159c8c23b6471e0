"""``podium``: the command line of a Podium server.

Commands are argparse subcommands, each registered by a module of ``podium_client.commands``
(``COMMANDS`` below): a new command (e.g. ``podium kaggle ...``, which will pass its arguments
on to the official kaggle CLI) is one more module there. Every command takes ``--json``.

Failures print ``error: <message>`` on stderr (the API's own message where the server refused),
then ``hint: <what to type>`` where a command fixes it (``podium_client.hints``), and exit with a
code of ``podium_client.errors.Exit``; never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from podium_client import __version__
from podium_client.commands import (
    auth,
    competitions,
    data,
    kaggle,
    leaderboard,
    submissions,
    team,
)
from podium_client.context import Context
from podium_client.errors import ApiError, CliError, Exit
from podium_client.hints import hint_for
from podium_client.output import print_json

COMMANDS = (auth, competitions, data, submissions, leaderboard, team, kaggle)

EPILOG = """\
configuration: PODIUM_URL and PODIUM_TOKEN, else the file `podium login` writes
($PODIUM_CONFIG, default ~/.config/podium/config.json).

exit codes: 0 ok, 1 refused by the server or other error, 2 usage or configuration,
3 not signed in / not allowed (401, 403), 4 not found (404), 5 limit reached or throttled (429),
6 submission failed scoring (submit --wait), 7 timed out waiting (submit --wait),
8 cannot reach the server, 130 interrupted.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="podium",
        description="Compete on a Podium server from the command line.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"podium {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json",
        action="store_true",
        help="print the API's JSON on stdout (lists: every item, all pages), for scripts",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.register(commands, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # a usage error exits 2 here, with argparse's message
    context = Context(json=getattr(args, "json", False))
    try:
        return int(args.handler(args, context) or Exit.OK)
    except CliError as error:
        return report(error, context, args)
    except BrokenPipeError:  # `podium submissions X | head`: the reader has all it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout
        return Exit.OK
    except OSError as error:  # a local file: unreadable, disk full...
        where = f"{error.filename}: " if error.filename else ""
        return report(CliError(f"{where}{error.strerror or error}"), context)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return Exit.INTERRUPTED


def report(error: CliError, context: Context, args: argparse.Namespace | None = None) -> int:
    hint = None
    if isinstance(error, ApiError) and args is not None:
        hint = hint_for(error, getattr(args, "competition", None), args.command)
    if context.json:
        body = {"code": "", "message": error.message, "details": {}}
        if isinstance(error, ApiError):
            body.update(code=error.code, details=error.details)
        if hint:
            body["hint"] = hint
        print_json({"error": body})
    print(f"error: {error.message}", file=sys.stderr)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)
    return int(error.exit_code)


if __name__ == "__main__":
    sys.exit(main())
