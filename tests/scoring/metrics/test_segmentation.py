"""RLE parsing, encoding, and Dice / IoU against pixel masks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scoring.metrics.segmentation import dice, iou, parse_rle, rle_decode, rle_encode

SETTINGS = settings(max_examples=100, deadline=None)


def mask_strategy(shape):
    sparse = arrays(np.bool_, shape)
    blocky = arrays(np.bool_, shape, elements=st.booleans(), fill=st.booleans())
    empty = st.just(np.zeros(shape, dtype=bool))
    return st.one_of(sparse, blocky, empty)


@st.composite
def mask_pairs(draw):
    shape = (draw(st.integers(1, 8)), draw(st.integers(1, 8)))
    n = draw(st.integers(1, 4))
    return [(draw(mask_strategy(shape)), draw(mask_strategy(shape))) for _ in range(n)]


def ref_dice(a: np.ndarray, b: np.ndarray) -> float:
    inter, total = int((a & b).sum()), int(a.sum() + b.sum())
    return 1.0 if total == 0 else 2 * inter / total


def ref_iou(a: np.ndarray, b: np.ndarray) -> float:
    union = int((a | b).sum())
    return 1.0 if union == 0 else int((a & b).sum()) / union


@SETTINGS
@given(rows=mask_pairs())
def test_dice_and_iou_match_pixel_masks(rows):
    y_true = [parse_rle(rle_encode(a)) for a, _ in rows]
    y_pred = [parse_rle(rle_encode(b)) for _, b in rows]
    for func, ref in ((dice, ref_dice), (iou, ref_iou)):
        ours = func(y_true, y_pred)
        expected = float(np.mean([ref(a, b) for a, b in rows]))
        assert isinstance(ours, float) and math.isfinite(ours)
        assert ours == pytest.approx(expected, abs=1e-9, rel=1e-9)


@SETTINGS
@given(mask=st.integers(1, 9).flatmap(lambda h: mask_strategy((h, 7))))
def test_encode_decode_round_trip(mask):
    text = rle_encode(mask)
    np.testing.assert_array_equal(rle_decode(text, mask.shape), mask)
    runs = parse_rle(text)
    assert runs.dtype == np.int64 and runs.shape[1] == 2
    assert (len(runs) > 0) == mask.any()


def test_column_major_numbering():
    mask = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 1]])
    assert rle_encode(mask) == "1 2 9 1"
    np.testing.assert_array_equal(rle_decode("1 2 9 1", (3, 3)), mask.astype(bool))


def test_touching_runs_are_allowed_and_equal_to_the_merged_run():
    split, merged = parse_rle("1 2 3 2"), parse_rle("1 4")
    assert dice([split], [merged]) == 1.0 == iou([split], [merged])
    assert dice([split], [parse_rle("2 2")]) == pytest.approx(2 * 2 / 6)


def test_empty_masks():
    empty = parse_rle("  ")
    assert empty.shape == (0, 2) and empty.dtype == np.int64
    assert parse_rle("").shape == (0, 2)
    some = parse_rle("5 3")
    assert dice([empty], [empty]) == 1.0 == iou([empty], [empty])
    assert dice([empty], [some]) == 0.0 == iou([some], [empty])
    assert dice([empty, some], [empty, some]) == 1.0


def test_intersection_spanning_many_runs():
    a = parse_rle("1 100")
    b = parse_rle("3 2 10 5 50 60 200 5")  # 2 + 5 + 51 pixels inside 1..100
    assert iou([a], [b]) == pytest.approx(58 / (100 + 72 - 58))
    assert dice([b], [a]) == pytest.approx(2 * 58 / 172)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 2 3", "pairs"),
        ("1 2.5", "not an integer"),
        ("1 x", "not an integer"),
        ("1 1_0", "not an integer"),
        ("１ 2", "not an integer"),
        ("1 -", "not an integer"),
        ("0 3", "at least 1"),
        ("-4 3", "at least 1"),
        ("3 0", "length 0 must be at least 1"),
        ("10 2 5 1", "sorted"),
        ("1 5 3 2", "overlaps"),
    ],
)
def test_parse_rle_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_rle(text)


def test_decode_rejects_runs_outside_the_image():
    with pytest.raises(ValueError, match="beyond"):
        rle_decode("8 3", (3, 3))
    assert rle_decode("8 2", (3, 3)).sum() == 2
