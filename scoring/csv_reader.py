"""Reading a CSV into typed Arrow columns, fast when the file is good and precise when it is not.

The fast path is one multi-threaded ``pyarrow.csv.read_csv`` with every column's type given. If
Arrow refuses the file, the slow path reads every cell as text, single-threaded, and finds each
problem with vectorized checks so the participant gets all of them with line numbers (the header
is line 1; the first row is line 2).

Line numbers come from ``scoring.offenders.LineMap``, built only on the slow path.
"""

from __future__ import annotations

import codecs
import csv
import io

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from scoring.csv_hints import (
    OTHER_SEPARATORS,
    looks_binary,
    not_csv_hint,
    other_separator,
    starts_with,
)
from scoring.error_codes import SubmissionErrorCode as Code
from scoring.errors import Problem, SubmissionError
from scoring.offenders import (
    FIRST_OFFENDERS,
    LineMap,
    line_numbers,
    lines,
    quoted,
    shorten,
    shown,
)

_HEADER_PEEK = 1024 * 1024

# What Arrow's CSV converters accept, after they trim spaces and tabs around the value. Integers
# may also carry a '+' sign, which Arrow refuses but every other reader (Python, pandas) accepts.
_FLOAT_RE = r"^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)$"
_INT_RE = r"^[+-]?\d+$"
_TRIMMED = " \t"


def read_header(source: pa.NativeFile) -> list[str]:
    """The column names of the first line (BOM and surrounding spaces removed)."""
    source.seek(0)
    head = source.read(_HEADER_PEEK)
    source.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    if not head.strip():
        raise SubmissionError.single(Code.FILE_EMPTY, "The file is empty.")
    if looks_binary(head):
        raise SubmissionError.single(
            Code.ENCODING_INVALID,
            f"This does not look like a CSV file (it starts with {starts_with(head)}). Upload "
            "your predictions as comma-separated text, optionally zipped or gzipped.",
        )
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
    sep = other_separator(header, expected)
    if sep is not None:
        raise SubmissionError.single(
            Code.COLUMNS_MISSING,
            f"The file looks {OTHER_SEPARATORS[sep]}: Podium reads comma-separated CSV. Save "
            'it with commas between the values (in Excel: "CSV UTF-8 (Comma delimited)"); the '
            f"header must be: {want}",
            columns=[c for c in expected if c not in header],
            separator=sep,
        )
    problems: list[Problem] = []
    seen: set[str] = set()
    duplicated = sorted({c for c in header if c in seen or seen.add(c)})
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing:
        problems.append(
            Problem(
                Code.COLUMNS_MISSING,
                f"Missing column(s): {', '.join(missing)}. The header must be: {want}"
                + not_csv_hint(header, expected),
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
    rows: tuple[int, int] | None = None,
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

    ``rows``: (expected, most): a file of more than ``most`` rows is refused by its count alone,
    before any row is checked (finding each problem costs tens to hundreds of bytes a row, so
    that cost follows the answer key instead of the file). Arrow's count when it reads the
    file; the lines' otherwise (the slow path is where rows cost most).
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
    except pa.ArrowInvalid as exc:
        reason = str(exc)
    else:
        _check_row_count(table.num_rows, rows, "rows")
        return table, []
    if header_only(source):
        schema = pa.schema([(name, t or pa.string()) for name, t in types.items()])
        return schema.empty_table(), []
    if not multiline_values:  # a quoted value may span lines: lines are not rows then
        _check_row_count(_count_lines(source) - 1, rows, "lines after the header")
    line_map = line_map or LineMap.of_source(source)
    return _diagnose(source, types, id_column, reason, line_map, multiline_values)


def _check_row_count(found: int, rows: tuple[int, int] | None, what: str) -> None:
    if rows is None or found <= rows[1]:
        return
    expected = rows[0]
    raise SubmissionError.single(
        Code.ROW_COUNT_MISMATCH,
        f"Submission has {found:,} {what}; expected {expected:,} rows, one per id. A file more "
        f"than {rows[1]:,} rows long is refused without checking its rows: remove the extra "
        "or duplicated rows.",
        rows=found,
        expected=expected,
    )


def _count_lines(source: pa.NativeFile) -> int:
    """The lines of ``source``, a last one without a line break included."""
    source.seek(0)
    lines, last = 0, b"\n"
    while piece := source.read(_HEADER_PEEK):
        lines += piece.count(b"\n")
        last = piece[-1:]
    source.seek(0)
    return lines + (last != b"\n")


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
            f"line {int(line_map(np.array([n - 2]))[0])} has {got}"
            if n is not None
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
        f'The file is not valid UTF-8{where}. Save it as UTF-8 ("CSV UTF-8" in Excel).',
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
