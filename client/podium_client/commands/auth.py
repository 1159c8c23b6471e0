"""``podium login`` / ``logout`` / ``whoami``."""

from __future__ import annotations

import getpass
import os
import socket
import sys

from podium_client import config
from podium_client.errors import ApiError, CliError, UsageError
from podium_client.http import Api
from podium_client.output import note, print_json, say


def register(commands, common) -> None:
    login = commands.add_parser(
        "login",
        parents=[common],
        help="sign in and store an API key",
        description="Trade a username and password for an API key (or store an existing key "
        "with --token) and write the config file, readable by you only (mode 600).",
    )
    login.add_argument("--url", help="the Podium server, e.g. https://podium.example.org")
    login.add_argument("--username", "-u")
    login.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from stdin (for scripts) instead of prompting",
    )
    login.add_argument("--token", help="store this API key (from your profile page) instead")
    login.add_argument("--name", help="a name for the new key (default: the host's name)")
    login.set_defaults(handler=login_command)

    logout = commands.add_parser(
        "logout", parents=[common], help="revoke the stored key and delete the config file"
    )
    logout.set_defaults(handler=logout_command)

    whoami = commands.add_parser("whoami", parents=[common], help="who the key belongs to")
    whoami.set_defaults(handler=whoami_command)


def _ask(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except EOFError:
        raise UsageError(f"No answer to '{prompt.strip()}' (stdin is closed).") from None


def login_command(args, context) -> int:
    stored = config.read_file(config.config_path())
    url = args.url or os.environ.get(config.URL_VARIABLE) or stored.get("url")
    if not url:
        url = _ask("Podium server URL: ")
    if not url:
        raise UsageError("A server URL is needed (--url).")
    url = config.normalize_url(url)
    token_id = None
    if args.token:
        key = args.token.strip()
    else:
        username = args.username or _ask("Username: ")
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("Password: ")
        if not username or not password:
            raise UsageError("A username and a password are needed.")
        name = args.name or f"podium CLI on {socket.gethostname()}"
        created = Api(url).post(
            "auth/token/", {"username": username, "password": password, "name": name[:100]}
        )
        key, token_id = created["key"], created.get("token", {}).get("id")
    try:
        me = Api(url, key).get("me/")
    except ApiError as error:
        if error.exit_code == 3 and args.token:
            message = f"That key is not valid on {url}: {error.message}"
            raise CliError(message, error.exit_code) from None
        raise
    path = config.save(url, key, me.get("username"), token_id=token_id)
    if os.environ.get(config.TOKEN_VARIABLE) and os.environ[config.TOKEN_VARIABLE] != key:
        note(f"note: {config.TOKEN_VARIABLE} is set and overrides the key just stored.")
    if context.json:
        print_json({"url": url, "username": me.get("username"), "config": str(path)})
    else:
        say(f"Signed in to {url} as {me.get('username')}. Key stored in {path} (mode 600).")
    return 0


def logout_command(args, context) -> int:
    path = config.config_path()
    stored = config.read_file(path)
    revoked = False
    if stored.get("url") and stored.get("token") and stored.get("token_id"):
        try:
            api = Api(stored["url"], stored["token"])
            api.request("DELETE", f"me/tokens/{stored['token_id']}/")
            revoked = True
        except CliError as error:  # the file goes anyway: say what became of the key
            note(f"note: the key could not be revoked on the server: {error.message}")
    removed = config.remove(path)
    if context.json:
        print_json({"config": str(path), "removed": removed, "key_revoked": revoked})
    elif removed:
        say(f"Signed out: {'key revoked, ' if revoked else ''}{path} deleted.")
    else:
        say(f"Not signed in ({path} does not exist).")
    return 0


def whoami_command(args, context) -> int:
    me = context.api.get("me/")
    if context.json:
        print_json(me)
    else:
        say(f"{me['username']} on {context.api.base_url}")
    return 0
