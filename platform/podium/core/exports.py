"""Streamed downloads for organizers: CSV safe to open in a spreadsheet, and zip archives.

Both are generators, so a large board or hundreds of submission files go out without being held
in memory (StreamingHttpResponse consumes them).
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.core.files import File
from django.http import StreamingHttpResponse

from podium.core.files import CHUNK
from podium.core.timeutils import now

# OWASP "CSV injection": a spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Quote a text cell that a spreadsheet would read as a formula; numbers pass unchanged."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write returns what it was given (Django's streaming CSV idiom)."""

    def write(self, value: str) -> str:
        return value


def csv_stream(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])


def _attachment(response: StreamingHttpResponse, filename: str) -> StreamingHttpResponse:
    # ours (slugs, ids), but keep the header plain ASCII whatever a slug holds: \w alone would
    # keep any letter, and Django would then MIME-encode the whole value.
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", filename)
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


def csv_response(
    header: list[str], rows: Iterable[Iterable[Any]], filename: str
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_stream(header, rows), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, filename)


def zip_part(name: str) -> str:
    """One path component inside an archive: no separators, no '..', never empty (zip slip)."""
    cleaned = re.sub(r"[/\\\x00-\x1f]", "_", name).strip()
    return "_" if cleaned in {"", ".", ".."} else cleaned


def zip_path(folder: str, name: str) -> str:
    return f"{zip_part(folder)}/{zip_part(name)}"


class _Sink:
    """A write-only, unseekable file for zipfile: holds what was written until the stream
    takes it. zipfile then writes each member's sizes after its data (data descriptors)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def zip_stream(entries: Iterable[tuple[str, File]]) -> Iterator[bytes]:
    """A zip archive of (name in the archive, stored file), produced piece by piece."""
    sink = _Sink()
    stamp = now().timetuple()[:6]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, file in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size = file.size  # known up front, so zipfile picks zip64 when needed
            with file.open("rb") as src, archive.open(info, "w") as dst:
                for chunk in src.chunks(CHUNK):
                    dst.write(chunk)
                    yield sink.take()
    yield sink.take()


def zip_response(entries: Iterable[tuple[str, File]], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(zip_stream(entries), content_type="application/zip")
    return _attachment(response, filename)
