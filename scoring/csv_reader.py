"""Reading a CSV into typed Arrow columns, fast when the file is good and precise when it is not.

The fast path is one multi-threaded ``pyarrow.csv.read_csv`` with every column's type given. If
Arrow refuses the file, the slow path reads every cell as text, single-threaded, and finds each
problem with vectorized checks so the participant gets all of them with line numbers (the header
is line 1; the first row is line 2).

Line numbers are the file's own: Arrow skips blank lines, so on the slow path (only when there is
something to report) a ``LineMap`` reads the file's bytes once and maps each data row to its line.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from scoring.error_codes import SubmissionErrorCode as Code
from scoring.errors import Problem, SubmissionError

FIRST_OFFENDERS = 5
SHOWN_CHARS = 64  # a longer value quoted in a message is shortened to this many characters
DETAIL_CHARS = 256  # ... and in a problem's details (for programs: realistic ids are kept whole)
_HEADER_PEEK = 1024 * 1024

# What Arrow's CSV converters accept, after they trim spaces and tabs around the value. Integers
# may also carry a '+' sign, which Arrow refuses but every other reader (Python, pandas) accepts.
_FLOAT_RE = r"^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)$"
_INT_RE = r"^[+-]?\d+$"
_TRIMMED = " \t"


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


def read_header(source: pa.NativeFile) -> list[str]:
    """The column names of the first line (BOM and surrounding spaces removed)."""
    source.seek(0)
    head = source.read(_HEADER_PEEK)
    source.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    if not head.strip():
        raise SubmissionError.single(Code.FILE_EMPTY, "The file is empty.")
    first = head.split(b"\n", 1)[0]
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError:
        raise SubmissionError.single(
            Code.ENCODING_INVALID, "The header (line 1) is not UTF-8 text. Save the file as UTF-8."
        ) from None
    row = next(csv.reader(io.StringIO(text)), [])
    return [name.strip() for name in row]


def _names(names: list[str]) -> str:
    """Column names for a message: quoted, cut short, the first few only."""
    more = f" (and {len(names) - FIRST_OFFENDERS} more)" if len(names) > FIRST_OFFENDERS else ""
    return ", ".join(repr(shorten(c)) for c in names[:FIRST_OFFENDERS]) + more


def check_header(header: list[str], expected: list[str]) -> None:
    """Raise one SubmissionError listing every way ``header`` differs from ``expected``."""
    if header == expected:
        return
    want = ", ".join(expected)
    problems: list[Problem] = []
    seen: set[str] = set()
    duplicated = sorted({c for c in header if c in seen or seen.add(c)})
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing:
        problems.append(
            Problem(
                Code.COLUMNS_MISSING,
                f"Missing column(s): {', '.join(missing)}. The header must be: {want}",
                {"columns": missing},
            )
        )
    if extra:
        problems.append(
            Problem(
                Code.COLUMNS_EXTRA,
                f"Unexpected column(s): {_names(extra)}. The header must be: {want}",
                {"columns": shown(extra)},
            )
        )
    if duplicated:
        problems.append(
            Problem(
                Code.COLUMNS_DUPLICATED,
                f"Column(s) appear more than once: {', '.join(duplicated)}.",
                {"columns": duplicated},
            )
        )
    if not problems:
        problems.append(
            Problem(
                Code.COLUMNS_OUT_OF_ORDER,
                f"The columns are in the wrong order: found {', '.join(header)}; expected {want}.",
                {"found": header, "expected": expected},
            )
        )
    raise SubmissionError(problems)


def read_typed(
    source: pa.NativeFile,
    types: dict[str, pa.DataType | None],
    id_column: str,
    *,
    line_map: LineMap | None = None,
    multiline_values: bool = False,
) -> tuple[pa.Table, list[Problem]]:
    """Read with the given column types (None: let Arrow infer).

    ``types`` names every column in the file's order: the header as ``read_header`` returns it
    (and ``check_header`` accepted it). The names are given to Arrow and the header line is
    skipped, so that spaces around a name in the file do not matter.

    When Arrow refuses the file, returns the problems found and a repaired table (bad rows
    dropped, bad cells of numeric columns set to a placeholder, bad ids to null) so that the
    caller can go on finding the other problems. ``line_map`` numbers the lines in messages
    (by default it reads ``source`` again); ``multiline_values``: a quoted value may span lines
    (custom metrics' free text), so lines swallowed by a quote are not an error.
    """
    fixed = {name: t for name, t in types.items() if t is not None}
    convert = pcsv.ConvertOptions(
        column_types=fixed,
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    source.seek(0)
    try:
        table = pcsv.read_csv(source, read_options=_read_options(types), convert_options=convert)
        return table, []
    except pa.ArrowInvalid as exc:
        reason = str(exc)
    if header_only(source):
        schema = pa.schema([(name, t or pa.string()) for name, t in types.items()])
        return schema.empty_table(), []
    line_map = line_map or LineMap.of_source(source)
    return _diagnose(source, types, id_column, reason, line_map, multiline_values)


def _read_options(types: dict, **options) -> pcsv.ReadOptions:
    return pcsv.ReadOptions(column_names=list(types), skip_rows=1, **options)


def header_only(source: pa.NativeFile) -> bool:
    """Whether the file is one line (the header), with or without a final line break."""
    source.seek(0)
    head = source.read(_HEADER_PEEK + 1)
    if len(head) > _HEADER_PEEK:
        return False
    return len(head.strip().splitlines()) == 1


def _is_utf8_error(reason: str) -> bool:
    return "UTF8" in reason or "UTF-8" in reason


def _diagnose(
    source: pa.NativeFile,
    types: dict[str, pa.DataType | None],
    id_column: str,
    reason: str,
    line_map: LineMap,
    multiline_values: bool,
) -> tuple[pa.Table, list[Problem]]:
    if _is_utf8_error(reason):
        raise SubmissionError([_utf8_problem(source)])
    ragged: list[tuple[int | None, int, int]] = []

    def on_invalid_row(row: pcsv.InvalidRow) -> str:
        ragged.append((row.number, row.actual_columns, row.expected_columns))
        return "skip"

    source.seek(0)
    try:
        table = pcsv.read_csv(
            source,
            read_options=_read_options(types, use_threads=False),
            parse_options=pcsv.ParseOptions(invalid_row_handler=on_invalid_row),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(types, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        if _is_utf8_error(str(exc)):  # the typed read stopped at a number; this one at the text
            raise SubmissionError([_utf8_problem(source)]) from None
        quote = None if multiline_values else line_map.quote_problem()
        raise SubmissionError([quote or _malformed(str(exc))]) from None
    if not multiline_values:
        quote = line_map.quote_problem(table.num_rows + len(ragged))
        if quote is not None:  # the lines after it are not rows: nothing else can be trusted
            raise SubmissionError([quote])
    problems: list[Problem] = []
    # Arrow numbers a row by its place among the non-blank lines, the header being 1.
    skipped = np.array(sorted(n - 2 for n, _, _ in ragged if n is not None), dtype=np.int64)
    if ragged:
        where = ", ".join(
            f"line {int(line_map(np.array([n - 2]))[0])} has {got}" if n is not None
            else f"a line has {got}"
            for n, got, _ in ragged[:FIRST_OFFENDERS]
        )
        problems.append(
            Problem(
                Code.CSV_MALFORMED,
                f"{len(ragged)} line(s) have the wrong number of fields ({where}; expected "
                f"{ragged[0][2]}). Check for stray commas or unquoted text.",
                {"lines": line_numbers(skipped, line_map)},
            )
        )
    # The data row each row of the table was read from: rows after a skipped one moved up.
    row_of = np.setdiff1d(np.arange(table.num_rows + len(skipped)), skipped)
    columns = {}
    for name in table.column_names:
        text = table[name].combine_chunks()
        wanted = types.get(name)
        if wanted is None or pa.types.is_string(wanted):
            columns[name] = text
            continue
        column, found = _convert(name, text, wanted, name == id_column, row_of, line_map)
        columns[name] = column
        problems += found
    if ragged:  # the rows left no longer say which line they came from: stop here
        raise SubmissionError(problems)
    # No problem found: Arrow refused a value that the rules above accept (an integer written
    # with a '+' sign): the converted table is the file's.
    return pa.table(columns), problems


def _convert(
    name: str,
    text: pa.Array,
    wanted: pa.DataType,
    is_id: bool,
    row_of: np.ndarray,
    line_map: LineMap,
) -> tuple[pa.Array, list[Problem]]:
    """``text`` cast to ``wanted``, each value that does not cast reported (never raised)."""
    trimmed = pc.utf8_trim(text, _TRIMMED)
    if pa.types.is_floating(wanted):
        pattern, what = _FLOAT_RE, "a number"
    else:
        pattern, what = _INT_RE, "an integer"
    ok = np.asarray(
        pc.match_substring_regex(trimmed, pattern, ignore_case=True).fill_null(True), dtype=bool
    )
    if not pa.types.is_floating(wanted):
        trimmed = pc.replace_substring_regex(trimmed, r"^\+", "")  # Arrow's parser wants none
    # What the pattern accepts must cast; should Arrow's parser still refuse some (the pattern
    # knows no bounds: '99999999999999999999' is no int64), find those few by halving.
    candidates = np.flatnonzero(ok)
    castable = _castable(trimmed.take(pa.array(candidates, type=pa.int64())), wanted)
    ok[candidates[~castable]] = False
    bad = np.flatnonzero(~ok)
    placeholder = pa.scalar(None if is_id else "0", pa.string())
    repaired = pc.cast(pc.if_else(pa.array(ok), trimmed, placeholder), wanted)
    if not len(bad):
        return repaired, []
    samples = text.take(pa.array(bad[:FIRST_OFFENDERS], type=pa.int64())).to_pylist()
    code = Code.ID_INVALID if is_id else Code.VALUE_NOT_NUMERIC
    rows = row_of[bad]
    return repaired, [
        Problem(
            code,
            f"Column {name!r} must hold {what} on every row; {len(bad)} value(s) do not "
            f"({lines(rows, line_map)}: {quoted(samples)}).",
            {"column": name, "rows": line_numbers(rows, line_map), "count": int(len(bad))},
        )
    ]


def _castable(text: pa.Array, wanted: pa.DataType) -> np.ndarray:
    """Which values of ``text`` cast to ``wanted``: one cast when all do, else by halving."""
    try:
        pc.cast(text, wanted)
        return np.ones(len(text), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        if len(text) <= 1:
            return np.zeros(len(text), dtype=bool)
    half = len(text) // 2
    return np.concatenate(
        [_castable(text.slice(0, half), wanted), _castable(text.slice(half), wanted)]
    )


def _utf8_problem(source: pa.NativeFile) -> Problem:
    source.seek(0)
    data = source.read()
    try:
        data.decode("utf-8")
        line = None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
    where = f" (first at line {line})" if line else ""
    return Problem(
        Code.ENCODING_INVALID,
        f"The file is not valid UTF-8{where}. Save it as UTF-8 (\"CSV UTF-8\" in Excel).",
        {"line": line},
    )


def _malformed(reason: str) -> Problem:
    reason = reason.replace("CSV parse error: ", "").strip()
    if len(reason) > 200:
        reason = reason[:200] + "..."
    return Problem(
        Code.CSV_MALFORMED,
        f"The file is not a well-formed CSV: {reason}. Check for unclosed quotes or stray commas.",
        {},
    )
