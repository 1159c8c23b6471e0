"""A ``multipart/form-data`` body that streams its file: a file-like object whose ``read``
yields the parts in turn (headers, the file in chunks, the closing boundary) and whose
``len()`` is the exact Content-Length, computed up front. ``requests`` sends it as it reads
it, so a large file is never in memory, and ``on_read`` sees every chunk (a progress bar).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path


def _quote(value: str) -> str:
    """A parameter value in a part's header, as browsers escape it (HTML's form encoding)."""
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class MultipartBody:
    def __init__(
        self,
        fields: dict[str, str],
        file_field: str,
        path: Path,
        *,
        filename: str | None = None,
        content_type: str = "application/octet-stream",
        on_read: Callable[[int], None] | None = None,
        boundary: str | None = None,
    ) -> None:
        self.boundary = boundary or f"podium-{uuid.uuid4().hex}"
        self.path = Path(path)
        self.file_size = os.path.getsize(self.path)
        self.on_read = on_read
        b = self.boundary.encode("ascii")
        head = b""
        for name, value in fields.items():
            head += (
                b"--"
                + b
                + b"\r\n"
                + f'Content-Disposition: form-data; name="{_quote(name)}"\r\n\r\n'.encode()
                + value.encode("utf-8")
                + b"\r\n"
            )
        head += (
            b"--"
            + b
            + b"\r\n"
            + (
                f'Content-Disposition: form-data; name="{_quote(file_field)}"; '
                f'filename="{_quote(filename or self.path.name)}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
        )
        self._head = head
        self._tail = b"\r\n--" + b + b"--\r\n"
        self._pieces = [self._head, None, self._tail]  # None: the file
        self._file = None
        self._read_from_file = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return len(self._head) + self.file_size + len(self._tail)

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all that is left for -1); b"" at the end."""
        out = bytearray()
        while self._pieces and (size < 0 or len(out) < size):
            want = -1 if size < 0 else size - len(out)
            piece = self._pieces[0]
            if piece is None:
                if self._file is None:
                    self._file = open(self.path, "rb")  # closed by _finish_file or close()
                chunk = self._file.read(want)
                if chunk:
                    self._read_from_file += len(chunk)
                    if self._read_from_file > self.file_size:
                        raise OSError(f"{self.path} grew while it was being uploaded")
                    out += chunk
                    if want < 0:
                        self._finish_file()
                else:
                    self._finish_file()
            else:
                take = piece if want < 0 else piece[:want]
                out += take
                rest = piece[len(take) :]
                if rest:
                    self._pieces[0] = rest
                else:
                    self._pieces.pop(0)
        if out and self.on_read:
            self.on_read(len(out))
        return bytes(out)

    def _finish_file(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._read_from_file != self.file_size:
            raise OSError(f"{self.path} changed size while it was being uploaded")
        self._pieces.pop(0)

    def rewind(self) -> None:
        """Back to the first byte, to send the body again (``Api.request``'s retry)."""
        self.close()
        self._pieces = [self._head, None, self._tail]
        self._read_from_file = 0

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
