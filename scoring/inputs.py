"""Opening an uploaded file safely: size caps, gzip / zip, and formats people upload by mistake.

A compressed upload is inflated twice: first only counted, in 1 MiB pieces that are thrown away,
so a 6 MB gzip that inflates to 4 GiB is refused as soon as the count passes the cap, in about a
second and a few MB of memory; then, known to fit, inflated for real. Checking while keeping would
hold up to the cap in memory before refusing.
"""

from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from scoring.error_codes import SubmissionErrorCode as Code
from scoring.errors import SubmissionError

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_CHUNK = 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP_MAGIC = b"PK\x05\x06"
_IGNORED_ZIP_MEMBERS = ("__MACOSX/", ".DS_Store")


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


def open_csv(path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES) -> pa.NativeFile:
    """Return a readable Arrow file over the CSV text of ``path``, decompressing if needed."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise SubmissionError.single(Code.FILE_EMPTY, "The file is empty.")
    if size > max_bytes:
        raise _too_large(f"The file ({_human(size)})", max_bytes, Code.FILE_TOO_LARGE)
    with path.open("rb") as f:
        head = f.read(8)
    _refuse_known_non_csv(head)
    if head.startswith(_GZIP_MAGIC):
        return _from_gzip(path, max_bytes)
    if head.startswith(_ZIP_MAGIC) or head.startswith(_EMPTY_ZIP_MAGIC):
        return _from_zip(path, max_bytes)
    # Read, not memory-mapped: mapped pages of the file would stay in the process's memory.
    return pa.OSFile(str(path), "r")


def _refuse_known_non_csv(head: bytes) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SubmissionError.single(
            Code.ENCODING_INVALID,
            "The file is saved as UTF-16. Save it as UTF-8 (\"CSV UTF-8\" in Excel) and upload "
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


def _gzip_pieces(path: Path) -> Iterator[bytes]:
    """Inflate a (possibly multi-member) gzip file in pieces of at most 1 MiB."""
    try:
        with gzip.open(path, "rb") as f:
            while piece := f.read(_CHUNK):
                yield piece
    except (OSError, zlib.error, EOFError) as exc:
        raise SubmissionError.single(
            Code.ARCHIVE_INVALID,
            "The gzip file is damaged or incomplete. Compress the CSV again and re-upload it.",
        ) from exc


def _from_gzip(path: Path, max_bytes: int) -> pa.NativeFile:
    total = 0
    for piece in _gzip_pieces(path):
        total += len(piece)
        if total > max_bytes:
            raise _too_large("The decompressed file", max_bytes, Code.DECOMPRESSED_TOO_LARGE)
    buf = bytearray()
    for piece in _gzip_pieces(path):
        buf += piece
    return _buffer(buf)


def _zip_member(zf: zipfile.ZipFile) -> zipfile.ZipInfo:
    members = [
        m
        for m in zf.infolist()
        if not m.is_dir() and not any(part in m.filename for part in _IGNORED_ZIP_MEMBERS)
    ]
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


def _from_zip(path: Path, max_bytes: int) -> pa.NativeFile:
    try:
        with zipfile.ZipFile(path) as zf:
            member = _zip_member(zf)
            if member.file_size > max_bytes:  # the declared size; the counted one is checked below
                raise _too_large("The decompressed file", max_bytes, Code.DECOMPRESSED_TOO_LARGE)
            total = 0
            with zf.open(member) as f:
                while piece := f.read(_CHUNK):
                    total += len(piece)
                    if total > max_bytes:
                        raise _too_large(
                            "The decompressed file", max_bytes, Code.DECOMPRESSED_TOO_LARGE
                        )
            with zf.open(member) as f:
                return _buffer(f.read())
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
