"""Opening an uploaded file safely: size caps, gzip / zip, and formats people upload by mistake.

Two caps. ``max_bytes`` is the upload cap: the file as stored, compressed or not (the competition's
``submission_max_bytes``). The inflated cap follows from the answer key (``InflatedCap``): a
valid submission has one line per id and the key's columns, so it cannot be much larger than
rows x columns x a generous width per value; what is larger is refused before it is parsed. A
plain CSV is checked against it by its size, a compressed one while it inflates.

A compressed upload is inflated twice: first only counted, in 1 MiB pieces that are thrown away,
so a gzip that inflates to gigabytes is refused as soon as the count passes the cap, in a few MB
of memory whatever the cap (a large key's is hundreds of MB). Its lines are counted too: a file
of many short rows (more than twice the key's) is refused before it is parsed. Then, known to
fit, it is inflated for real into one buffer of the counted size. Checking while keeping would
hold up to the cap in memory before refusing. Other compressions (bzip2, xz, 7z, zstd, RAR) are
recognised by their magic number only to be refused by name.
"""

from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from scoring.error_codes import SubmissionErrorCode as Code
from scoring.errors import SubmissionError
from scoring.metrics.registry import Metric, PredictionKind

if TYPE_CHECKING:
    from scoring.solution import PreparedSolution

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_CHUNK = 1024 * 1024

# -- what a submission may inflate to, from its answer key ---------------------------------------
# A number or a label is at most 64 bytes as written: a float64 that round-trips (Python's repr,
# pandas' to_csv) is at most 24 characters ('-2.2250738585072014e-308'), an int64 20; quoted,
# padded with spaces and followed by its comma it stays under 32. 64 is twice that, so a valid
# file however written (full precision, quotes, CRLF, BOM) uses well under half of the cap, while
# one many times larger than its key cannot be a valid submission: its rows can only be extra,
# duplicated or padded. String ids are counted at their own length in the key plus the 64.
BYTES_PER_FIELD = 64
# Ranked lists, RLE masks and what an organizer's metric reads are text the key cannot bound (a
# mask grows with its image): 1 MiB each, and the flat DEFAULT_MAX_BYTES stays their ceiling.
TEXT_BYTES_PER_FIELD = 1024 * 1024
LINE_BYTES = 2  # CRLF
HEADER_BYTES = 64 * 1024  # the header line, a BOM, blank lines at the end
# Below this the cap buys nothing (a MiB inflates and is parsed in milliseconds): a tiny key's
# submissions keep room for whatever a participant's tool adds.
MIN_INFLATED_BYTES = 1024 * 1024
# Rows: a file within the byte cap can still hold 30 times the key's rows if they are short
# ('1,0'), and finding the problems of each row costs more than the row's bytes. More than
# ROWS_FACTOR x the key's rows + ROWS_SLACK is refused by its count, before rows are checked: a
# submission written out twice is still diagnosed row by row.
ROWS_FACTOR = 2
ROWS_SLACK = 1000


@dataclass(frozen=True)
class InflatedCap:
    """The most a submission may be uncompressed, and what it follows from (for the message)."""

    max_bytes: int
    rows: int
    columns: int
    text_columns: int = 0
    # The most rows worth checking one by one (ROWS_FACTOR); None where a quoted value may span
    # lines (organizer metrics' free text), so that lines are not rows.
    max_rows: int | None = None

    @property
    def why(self) -> str:
        width = f"up to {BYTES_PER_FIELD} bytes a value"
        if self.text_columns:
            width += f", {_human(TEXT_BYTES_PER_FIELD)} a list or mask"
        return f"{self.rows:,} rows x {self.columns} columns, {width}"


def inflated_cap(
    rows: int,
    columns: int,
    *,
    text_columns: int = 0,
    key_text_bytes: int = 0,
    multiline_values: bool = False,
) -> InflatedCap:
    """The inflated cap for a key of ``rows`` rows whose submissions have ``columns`` columns
    (the id's included), ``text_columns`` of them free text. ``key_text_bytes``: the key's own
    text a valid file repeats on top of the widths (string ids, long class labels).
    ``multiline_values``: a quoted value may span lines, so rows are not counted as lines."""
    per_row = (
        (columns - text_columns) * BYTES_PER_FIELD
        + text_columns * TEXT_BYTES_PER_FIELD
        + LINE_BYTES
    )
    size = HEADER_BYTES + rows * per_row + key_text_bytes
    if text_columns:
        size = min(size, DEFAULT_MAX_BYTES)
    max_rows = None if multiline_values else ROWS_FACTOR * rows + ROWS_SLACK
    return InflatedCap(max(size, MIN_INFLATED_BYTES), rows, columns, text_columns, max_rows)


_FREE_TEXT = {PredictionKind.RANKED_LIST, PredictionKind.RLE_MASK, PredictionKind.CUSTOM}


def inflated_cap_for(solution: PreparedSolution, metric: Metric | None = None) -> InflatedCap:
    """The inflated cap of a submission for ``solution`` scored with ``metric`` (by default the
    solution's own): one row per id, the id and target columns."""
    kind = (metric or solution.metric).kind
    rows, targets = solution.n_rows, len(solution.target_columns)
    key_text = 0
    if solution.meta["id_type"] == "str":
        key_text += _text_bytes(solution.ids)
    if kind == PredictionKind.LABEL and solution.meta["label_type"] == "str":
        longest = max((len(str(c).encode()) for c in solution.meta["classes"]), default=0)
        key_text += rows * targets * longest
    text = targets if kind in _FREE_TEXT else 0
    return inflated_cap(
        rows,
        1 + targets,
        text_columns=text,
        key_text_bytes=key_text,
        multiline_values=kind == PredictionKind.CUSTOM,
    )


def _text_bytes(strings: pa.Array) -> int:
    """The UTF-8 bytes of a string array's values in all: its data buffer's size, or a sum."""
    if pa.types.is_string(strings.type) or pa.types.is_large_string(strings.type):
        data = strings.buffers()[2]
        return data.size if data is not None else 0
    return int(pc.sum(pc.binary_length(pc.cast(strings, pa.string()))).as_py() or 0)


_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_IGNORED_ZIP_MEMBERS = ("__MACOSX/", ".DS_Store")
_OTHER_ARCHIVES = {  # recognised only to say so: never inflated
    b"\xfd7zXZ\x00": "xz",
    b"7z\xbc\xaf\x27\x1c": "7z",
    b"\x28\xb5\x2f\xfd": "zstd",
    b"Rar!\x1a\x07": "RAR",
}


def _human(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # pragma: no cover


def _too_large(size_text: str, max_bytes: int, code: Code) -> SubmissionError:
    return SubmissionError.single(
        code,
        f"{size_text} is larger than the limit of {_human(max_bytes)}. Remove unneeded columns "
        "or decimals, or contact the organizers.",
        max_bytes=max_bytes,
    )


def _cap_details(inflated: InflatedCap) -> dict:
    return {
        "max_bytes": inflated.max_bytes,
        "rows": inflated.rows,
        "columns": inflated.columns,
        "limit": "answer_key",
    }


def _inflates_too_far(max_bytes: int, inflated: InflatedCap | None) -> SubmissionError:
    """A compressed file passed the inflated cap (counted, not yet kept)."""
    if inflated is None:
        return _too_large("The decompressed file", max_bytes, Code.DECOMPRESSED_TOO_LARGE)
    limit = _human(inflated.max_bytes)
    return SubmissionError.single(
        Code.DECOMPRESSED_TOO_LARGE,
        f"The submission inflates past {limit}; a submission for this competition is at most "
        f"{limit} uncompressed ({inflated.why}). Check that it has one row per id and only the "
        "expected columns, then compress it again.",
        **_cap_details(inflated),
    )


def _larger_than_key(size: int, inflated: InflatedCap) -> SubmissionError:
    """A plain CSV larger than its answer key allows."""
    return SubmissionError.single(
        Code.FILE_TOO_LARGE,
        f"The file ({_human(size)}) is larger than a submission for this competition can be: at "
        f"most {_human(inflated.max_bytes)} ({inflated.why}). Check that it has one row per id "
        "and only the expected columns.",
        **_cap_details(inflated),
    )


def open_csv(
    path: str | os.PathLike,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    inflated: InflatedCap | None = None,
) -> pa.NativeFile:
    """Return a readable Arrow file over the CSV text of ``path``, decompressing if needed.

    ``max_bytes`` caps the file as stored; ``inflated`` the CSV text it holds (a compressed file
    is refused while it inflates); without it, ``max_bytes`` caps both.
    """
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise SubmissionError.single(Code.FILE_EMPTY, "The file is empty.")
    if size > max_bytes:
        raise _too_large(f"The file ({_human(size)})", max_bytes, Code.FILE_TOO_LARGE)
    with path.open("rb") as f:
        head = f.read(8)
    _refuse_known_non_csv(head)
    cap = max_bytes if inflated is None else inflated.max_bytes
    if head.startswith(_GZIP_MAGIC):
        return _from_gzip(path, cap, inflated)
    if head.startswith(_ZIP_MAGIC) or head.startswith(_EMPTY_ZIP_MAGIC):
        return _from_zip(path, cap, inflated)
    if inflated is not None and size > inflated.max_bytes:
        raise _larger_than_key(size, inflated)
    # Read, not memory-mapped: mapped pages of the file would stay in the process's memory.
    return pa.OSFile(str(path), "r")


def _refuse_known_non_csv(head: bytes) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SubmissionError.single(
            Code.ENCODING_INVALID,
            'The file is saved as UTF-16. Save it as UTF-8 ("CSV UTF-8" in Excel) and upload '
            "again.",
        )
    if head.startswith(b"PAR1"):
        raise SubmissionError.single(
            Code.ENCODING_INVALID, "This is a Parquet file. Upload a CSV file (optionally zipped)."
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SubmissionError.single(
            Code.ENCODING_INVALID, "This is an Excel workbook. Export it as CSV and upload that."
        )
    name = next((n for magic, n in _OTHER_ARCHIVES.items() if head.startswith(magic)), None)
    # bzip2: 'BZh', the block size, then a block's or the stream end's magic number
    if head[:3] == b"BZh" and head[3:4].isdigit() and head[4:8] in (b"1AY&", b"\x17rE8"):
        name = "bzip2"
    if name is not None:
        raise SubmissionError.single(
            Code.ARCHIVE_INVALID,
            f"This is a {name} archive. Upload the CSV plain, gzipped (.gz) or zipped (.zip).",
        )


def _damaged_gzip() -> SubmissionError:
    return SubmissionError.single(
        Code.ARCHIVE_INVALID,
        "The gzip file is damaged or incomplete. Compress the CSV again and re-upload it.",
    )


def _gzip_pieces(path: Path) -> Iterator[bytes]:
    """Inflate a (possibly multi-member) gzip file in pieces of at most 1 MiB."""
    try:
        with gzip.open(path, "rb") as f:
            while piece := f.read(_CHUNK):
                yield piece
    except (OSError, zlib.error, EOFError) as exc:
        raise _damaged_gzip() from exc


class _Counter:
    """The counting pass: bytes against the inflated cap as they come, then lines against the
    key's rows (a file over both is told about its size, the limit a participant can check)."""

    def __init__(self, cap: int, inflated: InflatedCap | None) -> None:
        self.cap, self.inflated, self.total, self.lines = cap, inflated, 0, 0
        rows = inflated.max_rows if inflated is not None else None
        self.max_lines = None if rows is None else rows + 1  # and the header

    def add(self, piece: bytes) -> None:
        self.total += len(piece)
        if self.total > self.cap:
            raise _inflates_too_far(self.cap, self.inflated)
        if self.max_lines is not None:
            self.lines += piece.count(b"\n")

    def done(self) -> int:
        if self.max_lines is not None and self.lines > self.max_lines:
            raise _too_many_lines(self.max_lines, self.inflated)
        return self.total


def _too_many_lines(max_lines: int, inflated: InflatedCap) -> SubmissionError:
    return SubmissionError.single(
        Code.ROW_COUNT_MISMATCH,
        f"Submission has more than {max_lines:,} lines; expected {inflated.rows:,} rows, one per "
        f"id, and a header. A file more than {inflated.max_rows:,} rows long is refused without "
        "checking its rows: remove the extra or duplicated rows.",
        max_rows=inflated.max_rows,
        expected=inflated.rows,
    )


def _from_gzip(path: Path, cap: int, inflated: InflatedCap | None) -> pa.NativeFile:
    count = _Counter(cap, inflated)
    for piece in _gzip_pieces(path):
        count.add(piece)
    total = count.done()
    try:
        with gzip.open(path, "rb") as f:
            return _buffer(_kept(f, total))
    except (OSError, zlib.error, EOFError) as exc:
        raise _damaged_gzip() from exc


def _kept(f, total: int) -> bytearray:
    """The ``total`` bytes left in ``f``, read into one buffer of that size: no growing buffer
    (a realloc may copy, holding twice the file for a moment), no joined pieces."""
    data = bytearray(total)
    with memoryview(data) as view:
        done = 0
        while done < total and (n := f.readinto(view[done : done + _CHUNK])):
            done += n
    if done != total or f.read(1):  # not what the counting pass saw: the file changed
        raise SubmissionError.single(
            Code.ARCHIVE_INVALID, "The file changed while it was read. Upload it again."
        )
    return data


def _zip_member(zf: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = [
        m
        for m in zf.infolist()
        if not m.is_dir() and not any(part in m.filename for part in _IGNORED_ZIP_MEMBERS)
    ]
    if any(m.filename == "[Content_Types].xml" for m in members):  # Office Open XML
        excel = any(m.filename.startswith("xl/") for m in members)
        what = "an Excel workbook (.xlsx)" if excel else "an Office document"
        raise SubmissionError.single(
            Code.ARCHIVE_INVALID,
            f'This is {what}, not a CSV file. Export it as CSV ("CSV UTF-8" in Excel) and '
            "upload that.",
        )
    if len(members) != 1:
        names = ", ".join(m.filename for m in members[:5]) or "none"
        raise SubmissionError.single(
            Code.ARCHIVE_INVALID,
            f"The zip archive must hold exactly one CSV file; it holds {len(members)} ({names}).",
        )
    if members[0].flag_bits & 0x1:
        raise SubmissionError.single(
            Code.ARCHIVE_INVALID,
            "The zip archive is password-protected. Upload it without a password.",
        )
    return members[0]


def _from_zip(path: Path, cap: int, inflated: InflatedCap | None) -> pa.NativeFile:
    try:
        with zipfile.ZipFile(path) as zf:
            member = _zip_member(zf)
            if member.file_size > cap:  # the declared size; the counted one is checked below
                raise _inflates_too_far(cap, inflated)
            count = _Counter(cap, inflated)
            with zf.open(member) as f:
                while piece := f.read(_CHUNK):
                    count.add(piece)
            total = count.done()
            with zf.open(member) as f:
                return _buffer(_kept(f, total))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise SubmissionError.single(
            Code.ARCHIVE_INVALID,
            "The zip file is damaged or uses an unsupported compression. Zip the CSV again "
            "(standard deflate) and re-upload it.",
        ) from exc


def _buffer(data: bytes | bytearray) -> pa.NativeFile:
    if not data:
        raise SubmissionError.single(Code.FILE_EMPTY, "The file inside the archive is empty.")
    return pa.BufferReader(pa.py_buffer(data))
