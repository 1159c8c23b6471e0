"""Matching a submission's ids to the solution's rows, without Python loops or hash tables.

Two layouts, chosen when the solution is prepared:

* ``dense``: integer ids filling most of a range (Kaggle's 892..1309). A lookup array maps
  ``id - id_min`` to the solution row: one vectorized gather.
* ``sorted``: anything else (sparse integers, strings). Every id becomes a 64-bit key (the
  integer itself; for strings a hash of their bytes), the solution is stored in key order, and a
  submission is matched by sorting its keys. The sort packs a 40-bit hash of the key with the row
  number into one uint64, so numpy's SIMD ``np.sort`` does it instead of the ~8x slower
  ``argsort``; the rare 40-bit collisions are put back in key order afterwards. String ids of up
  to 32 bytes are then verified exactly against the solution's bytes, kept as 8-byte words.

Both answer ``positions``: for each submission row the solution row it belongs to, or raise
``IdMismatch`` (the exact diagnosis is then made on the slow, simple path by the caller).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from scoring.arrays import from_numpy, one_chunk, values

_ROW_BITS = 24  # rows packed beside the hash; larger files use lexsort
_MIX = np.uint64(0x9E3779B97F4A7C15)
_MAX_WORDS = 4  # string ids up to 32 bytes are verified word by word, longer ones as strings


class IdMismatch(Exception):
    """The submission's ids are not exactly the solution's ids, each once."""


def string_words(ids: pa.Array) -> np.ndarray:
    """Each string's bytes, zero-padded to a whole number of 8-byte words: shape (n, words).

    A CSV cell holds no NUL byte, so two strings are equal exactly when their words are.
    """
    n = len(ids)
    offset_type = np.int64 if pa.types.is_large_string(ids.type) else np.int32
    size = np.dtype(offset_type).itemsize
    offsets = np.frombuffer(
        ids.buffers()[1], dtype=offset_type, count=n + 1, offset=ids.offset * size
    )
    data_buf = ids.buffers()[2]
    data = np.zeros(0, np.uint8) if data_buf is None else np.frombuffer(data_buf, dtype=np.uint8)
    data = data[offsets[0] : offsets[-1]]
    lengths = np.diff(offsets)
    width = int(lengths.max()) if n else 0
    words = max(1, (width + 7) // 8)
    padded = np.zeros((n, words * 8), dtype=np.uint8)
    if n and int(lengths.min()) == width:
        padded[:, :width] = data.reshape(n, width)  # fixed width: a plain copy
    elif n:
        padded[np.arange(words * 8)[None, :] < lengths[:, None]] = data
    return padded.view(np.uint64)


def words_key(words: np.ndarray) -> np.ndarray:
    """A 64-bit key per row of words: the word itself for one word, else a hash."""
    if words.shape[1] == 1:
        return words[:, 0].copy()
    key = np.full(len(words), words.shape[1], dtype=np.uint64)
    for w in range(words.shape[1]):  # in place: no temporaries of n words
        np.bitwise_xor(key, words[:, w], out=key)
        np.multiply(key, _MIX, out=key)
        np.bitwise_xor(key, key >> np.uint64(31), out=key)
    return key


def _rows_as_void(words: np.ndarray) -> np.ndarray:
    """Each row as one opaque item: gathering rows is then a 1-D take, twice as fast."""
    words = np.ascontiguousarray(words)
    return words.view(np.dtype((np.void, words.shape[1] * 8))).ravel()


def _int_key(ids: np.ndarray) -> np.ndarray:
    return ids.astype(np.int64, copy=False).view(np.uint64)


def _hash40(keys: np.ndarray) -> np.ndarray:
    return (keys * _MIX) >> np.uint64(64 - 40)


def _key_order(keys: np.ndarray) -> np.ndarray:
    """Row order sorting ``keys`` by (hash40, key)."""
    n = len(keys)
    h = _hash40(keys)
    if n >= (1 << _ROW_BITS):
        return np.lexsort((keys, h))
    packed = np.sort((h << np.uint64(_ROW_BITS)) | np.arange(n, dtype=np.uint64))
    order = (packed & np.uint64((1 << _ROW_BITS) - 1)).astype(np.int64)
    h_sorted = packed >> np.uint64(_ROW_BITS)
    # Equal hash40 values came out in row order; put those few in key order.
    eq = h_sorted[1:] == h_sorted[:-1]
    if eq.any():
        same = np.zeros(n, dtype=bool)
        same[1:] |= eq
        same[:-1] |= eq
        idx = np.flatnonzero(same)
        rows = order[idx]
        order[idx] = rows[np.lexsort((keys[rows], h_sorted[idx]))]
    return order


def _fixed_width_bytes(ids: pa.Array) -> np.ndarray | None:
    """The strings as an (n, width) byte matrix (a view) when all have one width, else None."""
    n = len(ids)
    offset_type = np.int64 if pa.types.is_large_string(ids.type) else np.int32
    size = np.dtype(offset_type).itemsize
    offsets = np.frombuffer(
        ids.buffers()[1], dtype=offset_type, count=n + 1, offset=ids.offset * size
    )
    width = int(offsets[1] - offsets[0]) if n else 0
    if n == 0 or width == 0 or int(offsets[-1] - offsets[0]) != n * width:
        return None
    if not (np.diff(offsets) == width).all():
        return None
    data = np.frombuffer(ids.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data.reshape(n, width)


@dataclass(frozen=True)
class DigitPattern:
    """String ids made of one prefix and a fixed number of digits ('ID_0001234', '000123').

    Such ids are matched as the integers their digits spell, on the fast integer layouts; the
    fixed width makes that one-to-one ('ID_01' and 'ID_1' cannot both be ids).
    """

    prefix: bytes
    digits: int

    @classmethod
    def detect(cls, ids: pa.Array) -> DigitPattern | None:
        mat = _fixed_width_bytes(ids)
        if mat is None:
            return None
        width = mat.shape[1]
        is_digit = ((mat >= ord("0")) & (mat <= ord("9"))).all(axis=0)
        start = width
        while start > 0 and is_digit[start - 1]:
            start -= 1
        digits = width - start
        if digits == 0 or digits > 18 or not (mat[:, :start] == mat[0, :start]).all():
            return None
        return cls(bytes(mat[0, :start]), digits)

    def to_ints(self, ids: pa.Array) -> np.ndarray:
        """The integer each id spells; IdMismatch if one does not follow the pattern."""
        mat = _fixed_width_bytes(ids)
        start = len(self.prefix)
        if mat is None or mat.shape[1] != start + self.digits:
            raise IdMismatch
        for j, byte in enumerate(self.prefix):  # column by column: no (n, prefix) temporary
            if (mat[:, j] != byte).any():
                raise IdMismatch
        out = np.zeros(len(mat), dtype=np.int64)
        for j in range(start, start + self.digits):
            digit = mat[:, j] - np.uint8(ord("0"))  # wraps below '0', so one test catches both
            if (digit > 9).any():
                raise IdMismatch
            np.multiply(out, 10, out=out)
            np.add(out, digit, out=out)
        return out


@dataclass
class IdIndex:
    layout: str  # "dense" or "sorted"
    rows: int  # the solution's row count
    id_min: int = 0
    lookup: np.ndarray | None = None  # dense: id - id_min -> row (int32), -1 where no row
    keys: np.ndarray | None = None  # sorted: the solution's keys in storage order
    words: np.ndarray | None = None  # sorted, string ids <= 32 bytes: their words, same order
    string_ids: bool = False  # matched by their bytes (strings that follow no DigitPattern)
    pattern: DigitPattern | None = None

    # -- building (when the solution is prepared) -----------------------------------------
    @classmethod
    def build(cls, ids: pa.Array) -> tuple[IdIndex, np.ndarray]:
        """Index the solution's (unique) ids; return it and the row order to store them in."""
        n = len(ids)
        pattern = None if pa.types.is_integer(ids.type) else DigitPattern.detect(ids)
        if pa.types.is_integer(ids.type) or pattern is not None:
            ints = pattern.to_ints(ids) if pattern else values(ids).astype(np.int64)
            order = np.argsort(ints, kind="stable")
            lo, hi = int(ints[order[0]]), int(ints[order[-1]])
            if hi - lo + 1 <= 2 * n + 1024 and n < 2**31:
                lookup = np.full(hi - lo + 1, -1, dtype=np.int32)
                lookup[ints[order] - lo] = np.arange(n, dtype=np.int32)
                return cls("dense", n, id_min=lo, lookup=lookup, pattern=pattern), order
            keys, words = _int_key(ints), None
        else:
            words = string_words(ids)
            keys = words_key(words)
        order = _key_order(keys)
        stored = keys[order]
        if n > 1 and (stored[1:] == stored[:-1]).any():  # equal keys sit side by side
            raise ValueError("Two different ids share a 64-bit key")  # pragma: no cover
        kept = words[order] if words is not None and words.shape[1] <= _MAX_WORDS else None
        index = cls(
            "sorted", n, keys=stored, words=kept, string_ids=words is not None, pattern=pattern
        )
        return index, order

    # -- matching (for each submission) ---------------------------------------------------
    def positions(self, sub_ids: pa.Array | pa.ChunkedArray, solution_ids) -> np.ndarray:
        """Solution row of each submission row; raises IdMismatch unless ids match 1:1.

        ``solution_ids`` is a callable returning the solution's id column: only long string ids
        need it.
        """
        n = self.rows
        if len(sub_ids) != n or sub_ids.null_count:
            raise IdMismatch
        chunks = sub_ids.chunks if isinstance(sub_ids, pa.ChunkedArray) else [sub_ids]
        if self.layout == "dense":
            return self._dense_positions(chunks)
        sub_ids = one_chunk(sub_ids)
        if self.string_ids:
            words = string_words(sub_ids)
            keys = words_key(words)
        else:
            words = None
            keys = _int_key(self.pattern.to_ints(sub_ids) if self.pattern else values(sub_ids))
        order = _key_order(keys)
        if not np.array_equal(keys[order], self.keys):
            raise IdMismatch
        if self.string_ids:
            if self.words is not None:
                if words.shape != self.words.shape or not np.array_equal(
                    np.take(_rows_as_void(words), order), _rows_as_void(self.words)
                ):
                    raise IdMismatch
            elif not pc.all(pc.equal(sub_ids.take(from_numpy(order)), solution_ids())).as_py():
                raise IdMismatch
        pos = np.empty(n, dtype=np.int64)
        pos[order] = np.arange(n)
        return pos

    def _dense_positions(self, chunks: list[pa.Array]) -> np.ndarray:
        """Chunk by chunk, so no full-length temporary of the ids is ever made."""
        pos = np.empty(self.rows, dtype=np.int32)
        start = 0
        for chunk in chunks:
            ids = self.pattern.to_ints(chunk) if self.pattern else values(chunk)
            if not len(ids):
                continue
            if ids.min() < self.id_min or ids.max() - self.id_min >= len(self.lookup):
                raise IdMismatch
            part = self.lookup[ids - self.id_min]
            if (part < 0).any():
                raise IdMismatch
            pos[start : start + len(part)] = part
            start += len(part)
        seen = np.zeros(self.rows, dtype=bool)
        seen[pos] = True
        if not seen.all():  # n rows on n distinct rows: each exactly once
            raise IdMismatch
        return pos

    # -- storage ---------------------------------------------------------------------------
    def save(self, folder: Path) -> dict:
        if self.layout == "dense":
            np.save(folder / "id_lookup.npy", self.lookup)
        else:
            np.save(folder / "id_keys.npy", self.keys)
            if self.words is not None:
                np.save(folder / "id_words.npy", self.words)
        pattern = self.pattern and {
            "prefix": self.pattern.prefix.hex(),
            "digits": self.pattern.digits,
        }
        return {
            "layout": self.layout,
            "id_min": self.id_min,
            "string_ids": self.string_ids,
            "pattern": pattern,
        }

    @classmethod
    def load(cls, folder: Path, meta: dict, rows: int) -> IdIndex:
        saved = meta["pattern"]
        pattern = saved and DigitPattern(bytes.fromhex(saved["prefix"]), saved["digits"])
        if meta["layout"] == "dense":
            lookup = np.load(folder / "id_lookup.npy", mmap_mode="r")
            return cls("dense", rows, id_min=meta["id_min"], lookup=lookup, pattern=pattern)
        words_path = folder / "id_words.npy"
        return cls(
            "sorted",
            rows,
            keys=np.load(folder / "id_keys.npy", mmap_mode="r"),
            words=np.load(words_path, mmap_mode="r") if words_path.exists() else None,
            string_ids=meta["string_ids"],
            pattern=pattern,
        )
