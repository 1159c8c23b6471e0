"""What a file that is not the expected CSV looks like, for the reader's messages: binary bytes,
another separator (Excel in many locales writes ';'), or text that is not CSV at all (an HTML page,
JSON). Each only sharpens a message; the error codes stay the reader's."""

from __future__ import annotations

import re

from scoring.offenders import shorten

# Bytes no text file holds (tab, line breaks and form feed aside): one NUL, or many of the
# others, in the first KiB says binary (an image, a PDF's body, a database) rather than a CSV in
# some other 8-bit encoding, whose letters are all at or above 0x80.
_CONTROL = frozenset(range(32)) - {9, 10, 12, 13}
_SNIFF = 1024


def looks_binary(head: bytes) -> bool:
    sample = head[:_SNIFF]
    if b"\x00" in sample:
        return True
    return sum(b in _CONTROL for b in sample) > len(sample) // 20


def starts_with(head: bytes, limit: int = 16) -> str:
    """The first bytes, escaped as Python writes them, to compare with a format's signature."""
    shown = repr(bytes(head[:limit]))[2:-1]
    return shown + ("..." if len(head) > limit else "")


# Separators that spreadsheets write instead of commas (Excel in many locales writes ';').
OTHER_SEPARATORS = {";": "';'-separated", "\t": "tab-separated", "|": "'|'-separated"}


def other_separator(header: list[str], expected: list[str]) -> str | None:
    """The separator a header of one field splits on into as many names as expected (or one
    of the expected names), e.g. 'id;target' read as one column: None when none does."""
    if len(header) != 1 or len(expected) < 2:
        return None
    for sep in OTHER_SEPARATORS:
        names = [n.strip().strip('"') for n in header[0].split(sep)]
        if len(names) > 1 and (len(names) == len(expected) or set(names) & set(expected)):
            return sep
    return None


_PLAUSIBLE_NAME = re.compile(r"[\w .()-]*")  # a column's name, not '<!DOCTYPE html>' nor '{"id"'


def not_csv_hint(header: list[str], expected: list[str]) -> str:
    """For a header of one field that names no expected column ('{"id": 1, ...', '<html>'):
    what the file starts with; empty otherwise (a CSV that merely lacks columns)."""
    if len(header) != 1 or len(expected) < 2 or _PLAUSIBLE_NAME.fullmatch(header[0]):
        return ""
    return (
        f". This does not look like a CSV file (it starts with {shorten(header[0])!r}): "
        "Podium reads comma-separated values with a header line."
    )
