"""What only Podium's own user may read: the database file, the answer keys, the secret key.

Podium never relies on the process's umask (a sandbox staging folder must stay readable by the
sandbox's unprivileged uid): each private thing gets its mode where it is made.

- the data folder (``PODIUM_DATA_DIR``): 0711, searchable but not listable, because the sandbox's
  staging folder (``PODIUM_SANDBOX_ROOT``, by default inside it) is reached through it;
- the answer keys' folder (``PODIUM_SOLUTIONS_ROOT``) and stored files' folders: 0700;
- stored files (Django's ``FILE_UPLOAD_PERMISSIONS``), the secret key file, the SQLite database
  (and its -wal/-shm, which SQLite creates with the database's mode): 0600.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
SEARCHABLE_FOLDER = 0o711  # others may pass through (to the sandbox's staging), never list it


def folder(path: Path, mode: int = PRIVATE_FOLDER) -> Path:
    """Make ``path`` (and its parents) and give it ``mode``; a folder Podium's user does not own
    (an operator's mount) keeps its mode: that is the operator's choice."""
    path.mkdir(parents=True, exist_ok=True, mode=mode)
    try:
        os.chmod(path, mode)
    except PermissionError:  # pragma: no cover - not ours
        pass
    return path


def file(path: str | os.PathLike) -> None:
    """Mode 600 on ``path`` if it exists (and is ours)."""
    try:
        os.chmod(path, PRIVATE_FILE)
    except (FileNotFoundError, PermissionError):
        pass


_done: set[str] = set()


def sqlite_private(sender, connection, **kwargs) -> None:
    """``connection_created``: the SQLite database file (once per process and file) to 600."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or name in _done:
        return
    for suffix in ("", "-wal", "-shm"):
        file(name + suffix)
    _done.add(name)
