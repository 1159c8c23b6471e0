"""``podium kaggle ARGS...``: the official kaggle CLI, unmodified, against this Podium server.

kagglesdk takes its host from a fixed table (``kagglesdk.kaggle_env._env_to_endpoint``; with
``KAGGLE_API_ENVIRONMENT=LOCALHOST`` it is http://localhost, port 80): there is no host
setting. So the kaggle CLI is started by a few lines of Python, in the kaggle installation's own
interpreter, that point the table's LOCALHOST entry at the configured server and then call
kaggle's ``main``. The credentials are podium's: the key as ``KAGGLE_KEY`` (HTTP Basic).

The kaggle program: ``--kaggle PATH``, else ``$PODIUM_KAGGLE_CLI``, else ``kaggle`` on PATH,
else ``python -m kaggle`` of this interpreter. Its exit status is this command's.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

from podium_client.errors import Exit, UsageError

KAGGLE_VARIABLE = "PODIUM_KAGGLE_CLI"
URL_VARIABLE = "PODIUM_KAGGLE_URL"  # how the launcher learns the server

# Run with `python -c`: a script file would put its folder first on sys.path.
LAUNCHER = """\
import os, sys
from kagglesdk import kaggle_env
kaggle_env._env_to_endpoint[kaggle_env.KaggleEnv.LOCAL] = os.environ["PODIUM_KAGGLE_URL"]
sys.argv[0] = "kaggle"
from kaggle.cli import main
sys.exit(main())
"""

INSTALL = (
    "pip install kaggle==2.2.5 kagglesdk==0.1.38 six==1.17.0 (or pip install "
    "'podium-client[kaggle]')"
)


def register(commands, common) -> None:
    kaggle = commands.add_parser(
        "kaggle",
        help="run the official kaggle CLI against this server",
        description="Run the official kaggle CLI (kaggle 2.2.5) against the Podium server you "
        "are signed in to, e.g. `podium kaggle competitions submit -c COMP -f sub.csv -m "
        '"..."`. Its competitions commands work: list, files, download, submit, '
        "submissions, leaderboard.",
    )
    kaggle.add_argument(
        "--kaggle",
        metavar="PATH",
        help=f"the kaggle program (default: ${KAGGLE_VARIABLE}, `kaggle` on PATH, else "
        "`python -m kaggle` here)",
    )
    kaggle.add_argument("args", nargs=argparse.REMAINDER, help="the kaggle CLI's arguments")
    kaggle.set_defaults(handler=kaggle_command)


def interpreter_of(program: str) -> str:
    """The Python that runs a `kaggle` console script: its shebang's, else the one beside it."""
    path = Path(program)
    try:
        with path.open("rb") as script:
            first = script.readline(1000).decode("utf-8", "replace").strip()
    except OSError as error:
        raise UsageError(f"Cannot run the kaggle CLI at {program}: {error.strerror}.") from None
    if first.startswith("#!"):
        words = first[2:].split()
        if words and words[0].endswith("/env"):
            words = words[1:]
        if words and "python" in Path(words[0]).name:
            return words[0]
    for name in ("python", "python3", "python.exe"):
        sibling = path.parent / name
        if sibling.exists():
            return str(sibling)
    raise UsageError(f"{program} does not look like the kaggle CLI's script (no Python found).")


def kaggle_python(explicit: str | None) -> str:
    program = explicit or os.environ.get(KAGGLE_VARIABLE) or shutil.which("kaggle")
    if program:
        return interpreter_of(program)
    if importlib.util.find_spec("kaggle") is not None:
        return sys.executable
    raise UsageError(f"The kaggle CLI is not installed: {INSTALL}; or pass --kaggle PATH.")


def kaggle_environment(url: str, token: str, username: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "KAGGLE_API_TOKEN"}  # would come first
    env.update(
        KAGGLE_API_ENVIRONMENT="LOCALHOST",
        KAGGLE_USERNAME=username or "podium",
        KAGGLE_KEY=token,
    )
    env[URL_VARIABLE] = url
    return env


def kaggle_command(args, context) -> int:
    config = context.config
    url = config.require_url()
    if not config.token:
        raise UsageError("Not signed in: run `podium login` first (or set PODIUM_TOKEN).")
    python = kaggle_python(args.kaggle)
    command = [python, "-c", LAUNCHER, *args.args]
    try:
        done = subprocess.run(command, env=kaggle_environment(url, config.token, config.username))
    except OSError as error:
        raise UsageError(f"Cannot start the kaggle CLI ({python}): {error.strerror}.") from None
    return done.returncode if done.returncode >= 0 else int(Exit.INTERRUPTED)
