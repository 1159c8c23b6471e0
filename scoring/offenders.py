"""Pointing at a participant's own file: line numbers of offending rows, and their values
quoted short enough to read.

Line numbers are the file's own (the header is line 1): Arrow skips blank lines, so when there is
something to report a ``LineMap`` reads the file's bytes once and maps each data row to its line.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from scoring.error_codes import SubmissionErrorCode as Code
from scoring.errors import Problem

FIRST_OFFENDERS = 5
SHOWN_CHARS = 64  # a longer value quoted in a message is shortened to this many characters
DETAIL_CHARS = 256  # ... and in a problem's details (for programs: realistic ids are kept whole)


class LineMap:
    """Data rows (0-based, as Arrow numbers them) to the file's line numbers (1-based).

    Arrow skips blank lines, so the n-th row is not always on line n + 2. The file's bytes are
    read and scanned only when a line number is first asked for, that is on the slow path: the
    happy path never builds the map. Without a reader, rows map to ``row + 2``.

    Approximate when a quoted value spans several lines (each of its lines is counted as a row's
    line): no column the scorer reads can hold a line break, and such files are refused as an
    unclosed quote before any other line number is given (see ``quote_problem``).
    """

    def __init__(self, read: Callable[[], bytes] | None = None) -> None:
        self._read = read
        self._scan: _Scan | None = None

    @classmethod
    def of_source(cls, source: pa.NativeFile) -> LineMap:
        """A map that reads ``source`` (which must still be open when a line is asked for)."""

        def read() -> bytes:
            source.seek(0)
            return source.read()

        return cls(read)

    def _scanned(self) -> _Scan | None:
        if self._read is None:
            return None
        if self._scan is None:
            self._scan = _Scan(self._read())
        return self._scan

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        """The line number of each data row in ``rows``."""
        rows = np.asarray(rows, dtype=np.int64)
        scan = self._scanned()
        out = rows + 2
        if scan is not None:
            inside = (rows >= 0) & (rows < len(scan.data_lines))
            out[inside] = scan.data_lines[rows[inside]]
        return out

    def quote_problem(self, rows_read: int | None = None) -> Problem | None:
        """CSV_MALFORMED for an unclosed quote, when one made Arrow read lines as part of a value.

        ``rows_read``: the rows Arrow made of the data; fewer than the file's non-blank lines
        means some lines were swallowed into a quoted value. None: Arrow failed to parse, look
        for the quote anyway.
        """
        scan = self._scanned()
        if scan is None or (rows_read is not None and rows_read >= len(scan.data_lines)):
            return None
        line = scan.unclosed_quote_line()
        if line is None:
            return None
        return Problem(
            Code.CSV_MALFORMED,
            f"Unclosed quote starting on line {line}: the value it opens runs on over the "
            "following lines, so they are not read as rows. Close the quote or remove it (a quote "
            'inside a value must be doubled: "").',
            {"line": line},
        )


class _Scan:
    """Where the lines of a CSV file's bytes start and which of them are blank."""

    def __init__(self, data: bytes) -> None:
        buf = np.frombuffer(data, dtype=np.uint8)
        n = len(buf)
        ends = np.flatnonzero(buf == ord("\n"))
        cr = np.flatnonzero(buf == ord("\r"))
        if len(cr):  # a lone CR ends a line too (old Mac files); in CRLF the LF does
            after = np.minimum(cr + 1, max(n - 1, 0))
            lone = cr[(cr + 1 >= n) | (buf[after] != ord("\n"))]
            if len(lone):
                ends = np.union1d(ends, lone)
        starts = np.concatenate(([0], ends + 1))
        stops = np.concatenate((ends, [n]))
        length = stops - starts
        crlf = np.zeros(len(starts), dtype=bool)
        crlf[: len(ends)] = buf[ends] == ord("\n")
        crlf &= length > 0
        crlf[crlf] = buf[stops[crlf] - 1] == ord("\r")
        length -= crlf
        self._buf = buf
        self._starts = starts
        nonblank = np.flatnonzero(length > 0)
        self._header = int(nonblank[0]) if len(nonblank) else 0
        # The first non-blank line is the header; Arrow's rows are the non-blank lines after it.
        self.data_lines = nonblank[1:] + 1

    def unclosed_quote_line(self) -> int | None:
        """The first line after the header with an odd number of quotes, one of which opens a
        value (at the start of the line or after a comma): a quote that this line leaves open."""
        buf, starts = self._buf, self._starts
        quotes = np.flatnonzero(buf == ord('"'))
        if not len(quotes):
            return None
        line = np.searchsorted(starts, quotes, side="right") - 1
        odd = np.bincount(line, minlength=len(starts)) % 2 == 1
        opening = (quotes == starts[line]) | (buf[np.maximum(quotes - 1, 0)] == ord(","))
        opens = np.zeros(len(starts), dtype=bool)
        opens[line[opening]] = True
        found = np.flatnonzero(odd & opens)
        found = found[found > self._header]
        return int(found[0]) + 1 if len(found) else None


_PLAIN = LineMap()


def lines(rows: np.ndarray, line_map: LineMap | None = None) -> str:
    """'lines 5, 9, 12' for the first few 0-based data rows, numbered as in the file."""
    numbers = (line_map or _PLAIN)(rows[:FIRST_OFFENDERS])
    shown = ", ".join(str(int(n)) for n in numbers)
    word = "line" if len(rows) == 1 else "lines"
    more = f" (first {FIRST_OFFENDERS} of {len(rows)})" if len(rows) > FIRST_OFFENDERS else ""
    return f"{word} {shown}{more}"


def line_numbers(rows: np.ndarray, line_map: LineMap | None = None) -> list[int]:
    """The line numbers of the first few data rows, for a problem's details."""
    return [int(n) for n in (line_map or _PLAIN)(rows[:FIRST_OFFENDERS])]


def shorten(value: object, limit: int = SHOWN_CHARS) -> object:
    """A string of more than ``limit`` characters cut to ``limit``: its start, an ellipsis and
    its end (long ids often differ only there); anything else as it is."""
    if isinstance(value, str) and len(value) > limit:
        tail = limit // 4
        return value[: limit - tail - 1] + "\u2026" + value[-tail:]
    return value


def shown(values: list[object]) -> list[object]:
    """The first few values for a problem's details, very long strings shortened."""
    return [shorten(v, DETAIL_CHARS) for v in values[:FIRST_OFFENDERS]]


def quoted(values: list[object]) -> str:
    """The first few values for a message: strings quoted and cut short."""
    return ", ".join(
        repr(shorten(v)) if isinstance(v, str) else str(v) for v in values[:FIRST_OFFENDERS]
    )
