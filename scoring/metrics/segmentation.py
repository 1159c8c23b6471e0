"""Run-length-encoded masks, Kaggle style, and the overlap metrics on them.

An RLE is "start length start length ...": 1-indexed pixel numbers counted down each column
first (column-major), e.g. "1 3 10 2" covers pixels 1-3 and 10-11. The empty string is an empty
mask. Metrics receive each row already parsed into a (k, 2) int64 array of (start, length) and
intersect the runs directly, so they never need the image shape.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scoring.metrics.registry import PredictionKind, metric

_NO_RUNS = np.empty((0, 2), dtype=np.int64)
# Pixel numbers and run lengths have at most this many digits: far beyond any image, and small
# enough that every sum of them (run ends, mask sizes, overlaps) stays exact in int64.
MAX_DIGITS = 12


def parse_rle(text: str) -> np.ndarray:
    """Parse an RLE string into a (k, 2) int64 array of (start, length) runs.

    Raises ValueError, with a message meant for the participant, unless the numbers come in
    (start, length) pairs of positive integers of at most ``MAX_DIGITS`` digits, sorted by start
    and not overlapping.
    """
    tokens = text.split()
    if not tokens:
        return _NO_RUNS.copy()
    for token in tokens:
        # str.isdigit also accepts non-ASCII digits; int() would accept "1_000" and "+1".
        if not (token.isascii() and token.lstrip("-").isdigit() and token.count("-") <= 1):
            raise ValueError(f"RLE contains {token[:20]!r}, which is not an integer")
    for token in tokens:
        if len(token.lstrip("-")) > MAX_DIGITS:
            raise ValueError(
                f"RLE number {token[:20]!r} is too large (at most {MAX_DIGITS} digits)"
            )
    if len(tokens) % 2:
        raise ValueError(
            f"RLE must be pairs of 'start length' numbers, but it has {len(tokens)} numbers"
        )
    runs = np.array([int(t) for t in tokens], dtype=np.int64).reshape(-1, 2)
    starts, lengths = runs[:, 0], runs[:, 1]
    _first_bad(starts < 1, "RLE start {} must be at least 1 (pixels are numbered from 1)", starts)
    _first_bad(lengths < 1, "RLE run length {} must be at least 1", lengths)
    ends = starts + lengths  # one past the last pixel
    bad = np.flatnonzero(starts[1:] < ends[:-1])
    if len(bad):
        i = bad[0] + 1
        raise ValueError(
            f"RLE run starting at pixel {starts[i]} overlaps or comes before the previous run "
            f"(pixels {starts[i - 1]}-{ends[i - 1] - 1}); runs must be sorted and must not overlap"
        )
    return runs


def _first_bad(mask: np.ndarray, message: str, values: np.ndarray) -> None:
    if mask.any():
        raise ValueError(message.format(values[np.argmax(mask)]))


def rle_encode(mask: np.ndarray) -> str:
    """Encode a 2-D mask (non-zero = foreground) as a column-major Kaggle RLE."""
    pixels = np.concatenate([[0], (np.asarray(mask) != 0).ravel(order="F").astype(np.int8), [0]])
    edges = np.flatnonzero(pixels[1:] != pixels[:-1]) + 1  # 1-indexed run starts and ends
    edges[1::2] -= edges[::2]
    return " ".join(map(str, edges.tolist()))


def rle_decode(text: str, shape: tuple[int, ...]) -> np.ndarray:
    """Decode a Kaggle RLE into a bool mask of ``shape`` (column-major pixel numbering)."""
    runs = parse_rle(text)
    size = int(np.prod(shape))
    if len(runs) and runs[-1].sum() - 1 > size:
        raise ValueError(f"RLE covers pixel {runs[-1].sum() - 1}, beyond the {size} in the image")
    flat = np.zeros(size + 1, dtype=np.int8)  # +1 so a run ending on the last pixel can close
    np.add.at(flat, runs[:, 0] - 1, 1)
    np.add.at(flat, runs[:, 0] - 1 + runs[:, 1], -1)
    return np.cumsum(flat[:-1]).astype(bool).reshape(shape, order="F")


def _intersection(a: np.ndarray, b: np.ndarray) -> int:
    """Pixels covered by both run lists (each sorted and non-overlapping)."""
    if len(a) == 0 or len(b) == 0:
        return 0
    b_starts = b[:, 0]
    b_ends = b_starts + b[:, 1]
    covered_before = np.concatenate([[0], np.cumsum(b[:, 1])])

    def coverage(x: np.ndarray) -> np.ndarray:  # pixels of b numbered below x
        j = np.searchsorted(b_ends, x, "right")  # runs of b that end at or before x
        partial = x - b_starts[np.minimum(j, len(b) - 1)]
        return covered_before[j] + np.where(j < len(b), np.maximum(partial, 0), 0)

    return int(np.sum(coverage(a[:, 0] + a[:, 1]) - coverage(a[:, 0])))


def _overlaps(y_true: Sequence[np.ndarray], y_pred: Sequence[np.ndarray]):
    """Per row: (|A and B|, |A| + |B|) as int64 arrays."""
    both, sizes = [], []
    for t, p in zip(y_true, y_pred, strict=True):
        both.append(_intersection(t, p))
        sizes.append(int(t[:, 1].sum()) + int(p[:, 1].sum()))
    return np.array(both, dtype=np.int64), np.array(sizes, dtype=np.int64)


@metric(
    "dice",
    display_name="Dice coefficient",
    greater_is_better=True,
    kind=PredictionKind.RLE_MASK,
    description="Mean Dice coefficient 2|A and B| / (|A| + |B|); two empty masks score 1",
)
def dice(y_true: Sequence[np.ndarray], y_pred: Sequence[np.ndarray]) -> float:
    both, sizes = _overlaps(y_true, y_pred)
    per_row = np.divide(2 * both, sizes, out=np.ones(len(sizes)), where=sizes > 0)
    return float(np.mean(per_row))


@metric(
    "iou",
    display_name="Intersection over union (IoU)",
    greater_is_better=True,
    kind=PredictionKind.RLE_MASK,
    description="Mean intersection over union of the masks; two empty masks score 1",
)
def iou(y_true: Sequence[np.ndarray], y_pred: Sequence[np.ndarray]) -> float:
    both, sizes = _overlaps(y_true, y_pred)
    union = sizes - both
    per_row = np.divide(both, union, out=np.ones(len(union)), where=union > 0)
    return float(np.mean(per_row))
