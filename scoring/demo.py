"""``python -m scoring.demo``: an organizer's first five minutes with the scoring engine.

Writes a small generated binary-classification competition (answer key with a Public/Private
split, a sample submission, a good and a broken submission) to ``var/scoring-demo/`` and runs the
offline CLI on it, so every step can be repeated by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from scoring.cli import main as cli


def write_demo(folder: Path, rows: int = 2000, seed: int = 7) -> dict[str, Path]:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = np.arange(10_001, 10_001 + rows)
    target = rng.integers(0, 2, rows)
    usage = rng.choice(["Public", "Private", "Ignored"], rows, p=[0.3, 0.6, 0.1])
    signal = np.clip(0.35 * target + 0.65 * rng.random(rows), 0, 1)
    order = rng.permutation(rows)  # participants rarely keep the test file's order
    names = ("solution", "sample_submission", "good", "broken")
    paths = {name: folder / f"{name}.csv" for name in names}

    def write(path: Path, header: str, lines: list[str]) -> None:
        path.write_text(header + "\n" + "\n".join(lines) + "\n")

    lines = [f"{i},{t},{u}" for i, t, u in zip(ids, target, usage, strict=True)]
    write(paths["solution"], "id,target,Usage", lines)
    write(paths["sample_submission"], "id,target", [f"{i},0.5" for i in ids])
    write(paths["good"], "id,target", [f"{ids[k]},{signal[k]:.6f}" for k in order])
    broken = [f"{ids[k]},{signal[k]:.6f}" for k in order[: rows - 3]]
    broken[10] = broken[10].split(",")[0] + ",abc"
    broken[20] = broken[20].split(",")[0] + ",1.7"
    broken.append(broken[0])
    write(paths["broken"], "id,target", broken)
    return paths


def main() -> int:
    folder = Path("var/scoring-demo")
    paths = write_demo(folder)
    steps = [
        ("The metrics an organizer can choose from", ["metrics"]),
        (
            "Check the answer key and store its fast form",
            [
                "prepare",
                str(paths["solution"]),
                "--metric",
                "roc_auc",
                "--sample-submission",
                str(paths["sample_submission"]),
            ],
        ),
        (
            "Score a good submission (public and private together)",
            [
                "score",
                "--solution",
                str(paths["solution"]),
                "--submission",
                str(paths["good"]),
                "--metric",
                "roc_auc",
            ],
        ),
        (
            "A broken submission: every problem, each with its code",
            [
                "score",
                "--solution",
                str(paths["solution"]),
                "--submission",
                str(paths["broken"]),
                "--metric",
                "log_loss",
            ],
        ),
    ]
    for title, argv in steps:
        print(f"\n== {title}\n$ python -m scoring {' '.join(argv)}", flush=True)
        cli(argv)
        sys.stderr.flush()
    print(f"\nThe files are in {folder}/. Try your own: python -m scoring score --help")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
