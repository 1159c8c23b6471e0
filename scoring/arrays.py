"""Arrow columns as numpy arrays without pandas.

pyarrow's ``to_numpy`` imports pandas the first time it runs when pandas is installed: a third
of a second and ~30 MB inside the first scoring of every worker process. Primitive columns are
read straight from their buffers instead (zero-copy for one chunk).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_DTYPES = {
    pa.int8(): np.dtype(np.int8),
    pa.int16(): np.dtype(np.int16),
    pa.int32(): np.dtype(np.int32),
    pa.int64(): np.dtype(np.int64),
    pa.uint8(): np.dtype(np.uint8),
    pa.uint16(): np.dtype(np.uint16),
    pa.uint32(): np.dtype(np.uint32),
    pa.uint64(): np.dtype(np.uint64),
    pa.float32(): np.dtype(np.float32),
    pa.float64(): np.dtype(np.float64),
}


def one_chunk(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        return col.chunk(0) if col.num_chunks == 1 else pa.concat_arrays(col.chunks)
    return col


def values(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The values of a fixed-width numeric column, read-only; nulls become NaN (floats) or
    whatever the buffer holds (integers: check ``null_rows`` first)."""
    arr = one_chunk(col)
    dtype = _DTYPES[arr.type]
    out = np.frombuffer(
        arr.buffers()[1], dtype=dtype, count=len(arr), offset=arr.offset * dtype.itemsize
    )
    if arr.null_count and dtype.kind == "f":
        out = out.copy()
        out[null_rows(arr)] = np.nan
    return out


def from_numpy(values: np.ndarray) -> pa.Array:
    """A numpy array as an Arrow array, zero-copy (``pa.array`` would import pandas)."""
    values = np.ascontiguousarray(values)
    kind = {v: k for k, v in _DTYPES.items()}[values.dtype]
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


def null_rows(col: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Row numbers of the nulls (no work at all when there are none)."""
    if not col.null_count:
        return np.zeros(0, dtype=np.int64)
    return values(pc.indices_nonzero(col.is_null()))


def true_rows(mask: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Row numbers where a boolean column is true (nulls count as false)."""
    return values(pc.indices_nonzero(mask)).astype(np.int64)


def canonical_ints(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray | None:
    """The int64 values a string column spells when every value is an integer written
    canonically ('7', '-3'; not '007', '+7', '7.0' or '1e3'), else None (nulls stay null)."""
    try:
        as_int = pc.cast(text, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    canonical = pc.all(pc.equal(pc.cast(as_int, pa.string()), text)).as_py()
    return as_int if canonical else None
