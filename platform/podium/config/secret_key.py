"""Podium's secret key: ``DJANGO_SECRET_KEY``, or a key made once per install in a file.

Django signs sessions, password-reset and email-verification links with this key; whoever knows
it forges them. So there is no fallback written in the code: the key is

1. ``DJANGO_SECRET_KEY`` (production: a long random value);
2. else the key file ``PODIUM_SECRET_KEY_FILE`` (default ``<PODIUM_DATA_DIR>/secret_key``) if it
   exists: ``make run`` makes it first with ``python -m podium.config.secret_key``, one random key
   per install, mode 600, reused by later runs;
3. else, with ``DJANGO_DEBUG=1``, that file, made now;
4. else none: the settings raise ImproperlyConfigured, saying what to do.

No Django settings here: the settings read it, and ``make run`` runs it before they can load.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

KEY_FILE_NAME = "secret_key"

MISSING = (
    "DJANGO_SECRET_KEY is not set and there is no key file at {path}. Podium signs sessions and "
    "email links with this key, so it does not start with a key anyone could know.\n"
    "  In production, set DJANGO_SECRET_KEY to a long random value, e.g.\n"
    "    export DJANGO_SECRET_KEY=\"$(python3 -c 'import secrets; "
    "print(secrets.token_urlsafe(50))')\"\n"
    "  For a local demo, run `make run` (it makes a key file in the data folder and reuses it), "
    "or make the file with `python -m podium.config.secret_key`, or set DJANGO_DEBUG=1."
)


def new_key() -> str:
    """67 random URL-safe characters (50 bytes): more than `check --deploy` asks for."""
    return secrets.token_urlsafe(50)


def key_file_path(data_dir: Path) -> Path:
    """``PODIUM_SECRET_KEY_FILE``, else ``secret_key`` in the data folder; absolute."""
    return Path(os.environ.get("PODIUM_SECRET_KEY_FILE") or data_dir / KEY_FILE_NAME).resolve()


def read_key_file(path: Path) -> str | None:
    """The key in ``path``; None when there is no such file."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not key:
        raise ImproperlyConfigured(
            f"The secret key file {path} is empty: delete it and run `make run` (or "
            "`python -m podium.config.secret_key`) again, or set DJANGO_SECRET_KEY."
        )
    return key


def ensure_key_file(path: Path) -> tuple[str, bool]:
    """The key in ``path``, made now if there is none; and whether it was made now.

    Made atomically: the key is written to a temporary file of our own beside it, created
    exclusively with mode 600 (O_CREAT | O_EXCL), then linked to ``path``, which fails if the name
    exists. Two processes starting at once so agree on one key, and none ever reads half a file.
    """
    key = read_key_file(path)
    if key is not None:
        return key, False
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(new_key() + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(draft, path)
            made = True
        except FileExistsError:  # another process made it first: its key is the key
            made = False
    finally:
        draft.unlink(missing_ok=True)
    return read_key_file(path), made


def load_secret_key(from_env: str, *, key_file: Path, debug: bool) -> str:
    """The settings' SECRET_KEY (the order is in this module's docstring)."""
    if from_env:
        return from_env
    key = read_key_file(key_file)
    if key is not None:
        return key
    if debug:
        return ensure_key_file(key_file)[0]
    raise ImproperlyConfigured(MISSING.format(path=key_file))


def main() -> int:
    """``python -m podium.config.secret_key``: make this install's key file unless it exists
    (``make run`` runs it first). Nothing to do when DJANGO_SECRET_KEY is set."""
    if os.environ.get("DJANGO_SECRET_KEY"):
        return 0
    from podium.config.paths import DATA_DIR  # read now: the environment of this command

    path = key_file_path(DATA_DIR)
    _, made = ensure_key_file(path)
    if made:
        print(f"A new secret key for this install: {path} (mode 600; later runs reuse it).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
