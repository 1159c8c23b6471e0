"""What the commands print: aligned tables and messages on stdout, JSON with ``--json``."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def say(message: str = "") -> None:
    print(message)


def note(message: str) -> None:
    """A remark on stderr (progress, status), so stdout stays the result."""
    print(message, file=sys.stderr, flush=True)


MIN_LAST_COLUMN = 20  # a last column cut to fit is never narrower than this


def terminal_width() -> int | None:
    """The width to fit a table to on a terminal (``$COLUMNS`` when set, else the terminal's);
    None when stdout is not a terminal: a pipe or a file gets every character, whatever
    ``$COLUMNS`` an environment carries."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    right: Sequence[int] = (),
    width: int | None = None,
) -> str:
    """Columns padded to their widest cell; the columns at ``right`` (numbers) right-aligned.
    With ``width``, the last column's cells are cut (ending in "…") so that lines fit in it,
    keeping at least ``MIN_LAST_COLUMN`` characters of them."""
    cells = [[cell_text(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    if width is not None and cells:
        room = max(width - sum(widths[:-1]) - 2 * (len(widths) - 1), MIN_LAST_COLUMN)
        for row in cells:
            if len(row[-1]) > room:
                row[-1] = row[-1][: room - 1].rstrip() + "…"
        widths[-1] = max([len(headers[-1])] + [len(row[-1]) for row in cells])

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(headers)), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    return str(value).replace("\n", " ")


def when(value: str | None) -> str:
    """An API timestamp (ISO 8601) as ``YYYY-MM-DD HH:MM`` in local time."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def score(value: float | None, precision: int = 5) -> str:
    return "" if value is None else f"{value:.{precision}f}"
