"""The benchmark cases, their targets, and where their data lives (stdlib only: the parent
process stays small, so that a child's ``ru_maxrss`` is its own; Linux carries a process's
high-water mark over ``exec``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / ".data"
REPO_ROOT = Path(__file__).resolve().parent.parent

# Targets, checked on the cases that carry them.
MIN_SPEEDUP = 6.0  # naive / podium, 5M rows
MAX_FLOOR_RATIO = 1.5  # podium / floor, 5M rows
MAX_PEAK_PER_FILE = 3.0  # podium peak RSS / submission file size, 5M rows
MAX_SMALL_DURATION_S = 0.15  # ScoreResult.duration_s, 100k rows
BOMB_TARGET_S = 1.0  # "about a second"


@dataclass(frozen=True)
class Case:
    name: str
    rows: int
    id_kind: str  # "int": 1..rows shuffled; "str": "ID_" + 7 zero-padded digits, shuffled
    large: bool = False  # the 5M-row targets apply
    small: bool = False  # the 100k-row duration target applies

    @property
    def folder(self) -> Path:
        return DATA_DIR / self.name

    @property
    def solution(self) -> Path:
        return self.folder / "solution.csv"

    @property
    def submission(self) -> Path:
        return self.folder / "submission.csv"

    @property
    def aligned_labels(self) -> Path:
        """The solution's 0/1 targets in the submission's row order (the floor's input)."""
        return self.folder / "aligned_labels.npy"

    @property
    def aligned_usage(self) -> Path:
        """The solution's Usage codes (0 Public, 1 Private, 2 Ignored) in submission order."""
        return self.folder / "aligned_usage.npy"

    @property
    def manifest(self) -> Path:
        return self.folder / "manifest.json"


CASES = {
    c.name: c
    for c in (
        Case("5m-int", 5_000_000, "int", large=True),
        Case("5m-str", 5_000_000, "str", large=True),
        Case("100k-int", 100_000, "int", small=True),
        Case("1m-int", 1_000_000, "int"),
    )
}

BOMB = "gzip-bomb"
BOMB_FILE = DATA_DIR / BOMB / "bomb.csv.gz"
BOMB_SOLUTION = "100k-int"  # the competition the bomb is submitted to
BOMB_INFLATED_BYTES = 4 * 1024**3

# The worst case of the inflated cap: a gzip of ~150 KB that inflates to 100 MiB of valid-looking
# rows (before the cap followed the answer key, such a file cost the scorer 1.17 GB and 27 s),
# refused by Podium vs. read by pandas.read_csv in a child bounded by RLIMIT_AS.
INFLATE = "decompression-bomb"
INFLATE_FILE = DATA_DIR / INFLATE / "bomb.csv.gz"
INFLATE_SOLUTION = BOMB_SOLUTION
INFLATE_INFLATED_BYTES = 100 * 1024**2
# RLIMIT_AS of the unbounded ways: their address space right after their imports, plus this
NAIVE_HEADROOM_BYTES = 1024**3

DEFAULT_RUN = ["5m-int", "5m-str", "100k-int", BOMB, INFLATE]
QUICK_RUN = ["100k-int", "1m-int"]
ALL_NAMES = [*CASES, BOMB, INFLATE]
