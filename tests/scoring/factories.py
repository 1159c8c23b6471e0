"""Small factories for the scoring tests: solution and submission files written into a folder.

Everything here writes real files (CSV, gzip, zip, Parquet) the way a participant's tools would,
so the tests exercise the same bytes the scorer sees in production.
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from scoring import PreparedSolution, prepare_solution

USAGE_VALUES = ("Public", "Private", "Ignored")


def usage_split(n: int, seed: int = 0, *, ignored: bool = True) -> list[str]:
    """A shuffled Usage column of ``n`` rows holding every board (and Ignored rows if asked)."""
    values = USAGE_VALUES if ignored else USAGE_VALUES[:2]
    column = [values[i % len(values)] for i in range(n)]
    np.random.default_rng(seed).shuffle(column)
    return column


def csv_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    newline: str = "\n",
    final_newline: bool = True,
) -> bytes:
    """A CSV built by hand (no quoting), so a test controls every byte and every line number."""
    lines = [",".join(header), *(",".join(str(v) for v in row) for row in rows)]
    text = newline.join(lines) + (newline if final_newline else "")
    return text.encode("utf-8")


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def write_frame(path: Path, frame: pd.DataFrame) -> Path:
    """Write a frame as pandas users do (floats round-trip exactly: pandas writes their repr)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


def prepare(
    folder: Path, frame: pd.DataFrame, metric, *, name: str = "solution.csv", **kwargs
) -> PreparedSolution:
    """Write ``frame`` (id, target(s), Usage) as ``folder/name`` and prepare it."""
    return prepare_solution(write_frame(folder / name, frame), metric=metric, **kwargs)


# -- compressed and archived uploads ----------------------------------------------------------


def gzip_members(data: bytes, members: int = 1) -> bytes:
    """``data`` gzipped as ``members`` concatenated gzip members, cut at arbitrary bytes."""
    cuts = np.linspace(0, len(data), members + 1).astype(int)
    return b"".join(gzip.compress(data[a:b]) for a, b in zip(cuts[:-1], cuts[1:], strict=True))


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _crc_byte(crc: int, byte: int) -> int:
    """One step of the raw (not inverted) CRC-32 that ZipCrypto's key schedule uses."""
    return zlib.crc32(bytes([byte]), crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF


def encrypted_zip_bytes(name: str, data: bytes, password: bytes = b"secret") -> bytes:
    """A real ZipCrypto-encrypted (stored) zip of one member; ``zipfile`` opens it with the
    password. Python's zipfile can read such archives but not write them, hence by hand."""
    keys = [0x12345678, 0x23456789, 0x34567890]

    def update(byte: int) -> None:
        keys[0] = _crc_byte(keys[0], byte)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = _crc_byte(keys[2], keys[1] >> 24)

    def encrypt(plain: bytes) -> bytes:
        out = bytearray()
        for byte in plain:
            temp = (keys[2] | 2) & 0xFFFF
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            update(byte)
        return bytes(out)

    for byte in password:
        update(byte)
    crc = zlib.crc32(data)
    body = encrypt(bytes(range(11)) + bytes([crc >> 24])) + encrypt(data)
    filename = name.encode()
    flags, method, version = 0x1, 0, 20
    local = (
        struct.pack(
            "<4s5H3L2H",
            b"PK\x03\x04",
            version,
            flags,
            method,
            0,
            0x21,
            crc,
            len(body),
            len(data),
            len(filename),
            0,
        )
        + filename
    )
    central = (
        struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            version,
            version,
            flags,
            method,
            0,
            0x21,
            crc,
            len(body),
            len(data),
            len(filename),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + filename
    )
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(body), 0
    )
    return local + body + central + end


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    return buffer.getvalue()


# -- reference implementations the library's metrics are compared with -----------------------


def apk(actual: Sequence[str], predicted: Sequence[str], k: int) -> float:
    """Ben Hamner's ml_metrics.average_precision.apk, verbatim in behaviour."""
    if len(predicted) > k:
        predicted = predicted[:k]
    score, hits = 0.0, 0.0
    for i, p in enumerate(predicted):
        if p in actual and p not in predicted[:i]:
            hits += 1.0
            score += hits / (i + 1.0)
    if not actual:
        return 0.0
    return score / min(len(actual), k)


def rle_to_mask(text: str, size: int) -> np.ndarray:
    """A flat bool mask from a Kaggle RLE (1-indexed "start length" pairs)."""
    mask = np.zeros(size, dtype=bool)
    numbers = [int(t) for t in str(text).split()] if isinstance(text, str) else []
    for start, length in zip(numbers[::2], numbers[1::2], strict=True):
        mask[start - 1 : start - 1 + length] = True
    return mask


def mask_to_rle(mask: np.ndarray) -> str:
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1]) + 1
    starts, ends = edges[::2], edges[1::2]
    return " ".join(f"{s} {e - s}" for s, e in zip(starts, ends, strict=True))
