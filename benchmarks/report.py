"""The numbers in words: the tables printed after a run, and the JSON file (``--json``)."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from benchmarks.cases import BOMB, INFLATE
from benchmarks.summaries import MIB, ended
from benchmarks.targets import Target


def _inflate_lines(s: dict) -> list[str]:
    cap_mib = s["cap_bytes"] / MIB
    rows = [
        ["Podium (inflated cap from the key)", s["podium"]],
        ["Podium, flat 512 MiB cap (as before)", s["flat"]],
        ["pandas.read_csv", s["naive"]],
    ]
    lines = [
        "",
        f"{INFLATE}: a {s['file_kib']:.0f} KiB gzip inflating to "
        f"{s['inflated_bytes'] / MIB:.0f} MiB of one valid-looking row, submitted to the "
        f"{s['solution']} competition (inflated cap {cap_mib:.1f} MiB: rows x columns x 64 bytes). "
        f"The unbounded ways run under RLIMIT_AS (address space after imports + 1 GiB).",
        "",
    ]
    lines += table(
        ["way", "outcome", "s", "peak MiB", "above imports MiB", "runs"],
        [
            [
                name,
                ended(w),
                f"{w['seconds']:.3f}",
                f"{w['peak_mib']:.0f}",
                f"{w['above_imports_mib']:.0f}",
                str(w["runs"]),
            ]
            for name, w in rows
        ],
    )
    lines.append(
        f"naive/podium: {s['naive_over_podium_s']:.0f}x the time, "
        f"{s['naive_over_podium_above_imports']:.0f}x the memory above imports"
    )
    return lines


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = (
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )
        return "  ".join(padded).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def render(
    cases: dict[str, dict],
    bomb: dict | None,
    found: list[Target],
    reps: int,
    extra: list[str] | None = None,
    inflate: dict | None = None,
) -> str:
    """``extra``: more lines (the platform cases') printed just before the targets."""
    out = []
    if cases or bomb is not None or inflate is not None:
        out += [
            f"Podium scoring benchmark: binary ROC AUC; best of {reps} run{'s' * (reps != 1)}, "
            "each in a fresh "
            "process (page cache warm); peak RSS is the largest of the runs.",
            "",
        ]
    if cases:
        out += table(
            [
                "case",
                "rows",
                "file MiB",
                "podium s",
                "naive s",
                "floor s",
                "naive/podium",
                "podium/floor",
                "podium peak MiB (x file)",
                "above imports MiB",
                "naive peak MiB",
            ],
            [
                [
                    name,
                    f"{s['rows']:,}",
                    f"{s['file_mib']:.1f}",
                    f"{s['podium_s']:.3f}",
                    f"{s['naive_s']:.3f}",
                    f"{s['floor_s']:.3f}",
                    f"{s['speedup']:.2f}x",
                    f"{s['floor_ratio']:.2f}",
                    f"{s['podium_peak_mib']:.0f} ({s['podium_peak_per_file']:.1f}x)",
                    f"{s['podium_above_imports_mib']:.0f}",
                    f"{s['naive_peak_mib']:.0f}",
                ]
                for name, s in cases.items()
            ],
        )
    if bomb is not None:
        out += [
            "",
            f"{BOMB}: {bomb['file_mib']:.1f} MiB gzip inflating to "
            f"{bomb['inflated_bytes'] / 1024**3:.0f} GiB -> SubmissionError {bomb['code']!r} in "
            f"{bomb['seconds']:.2f} s; peak RSS {bomb['peak_mib']:.0f} MiB, "
            f"{bomb['above_imports_mib']:.0f} MiB above the post-import RSS",
        ]
    if inflate is not None:
        out += _inflate_lines(inflate)
    if cases:
        out += ["", "podium phases, best run (s):"]
        out += table(
            [
                "case",
                "load_solution",
                "read",
                "validate",
                "metric",
                "duration_s",
                "| 2nd submission same process: read",
                "validate",
                "metric",
                "duration_s",
            ],
            [
                [
                    name,
                    *(
                        f"{s['podium_phases'][k]:.3f}"
                        for k in ("load_solution_s", "read_s", "validate_s", "metric_s")
                    ),
                    f"{s['duration_s']:.3f}",
                    *(f"{s['warm_phases'][k]:.3f}" for k in ("read_s", "validate_s", "metric_s")),
                    f"{s['warm_duration_s']:.3f}",
                ]
                for name, s in cases.items()
            ],
        )
        out += ["", "floor phases, best run (s):"]
        out += table(
            ["case", "pyarrow read", "numpy AUC x2", "total"],
            [
                [
                    name,
                    f"{s['floor_phases']['read_s']:.3f}",
                    f"{s['floor_phases']['auc_s']:.3f}",
                    f"{s['floor_s']:.3f}",
                ]
                for name, s in cases.items()
            ],
        )
    out += extra or []
    out += ["", "Targets:"]
    out += table(
        ["case", "target", "measured", "", "note"],
        [[t.case, t.what, t.value, "PASS" if t.passed else "MISS", t.note] for t in found],
    )
    if cases:
        imports = next(iter(cases.values()))["imports_s"]
        after = next(iter(cases.values()))["podium_after_imports_mib"]
        out += [
            "",
            "Notes:",
            "  * Imports are outside every timed region (best of the runs): "
            + ", ".join(f"{k} {v:.2f} s" for k, v in imports.items())
            + " (sklearn.metrics measured after pandas; floor = numpy + pyarrow.csv).",
            "  * podium = load_solution + score_submission (solution prepared beforehand); naive "
            "= 2x pandas.read_csv + merge + 2x roc_auc_score; floor = pyarrow.csv.read_csv "
            "(typed) + numpy AUC on pre-aligned labels.",
            f"  * Peak RSS = the child's ru_maxrss, interpreter and libraries included (podium's "
            f"RSS right after its imports: {after:.0f} MiB). file = the submission CSV. "
            "MiB = 2^20 bytes.",
            "  * String ids are 'ID_' + 7 digits: a prefix and fixed-width digits, matched as "
            "integers (scoring/ids.py, DigitPattern); other strings take the hashed-key path.",
        ]
    return "\n".join(out)


def write_json(path: str, payload: dict) -> None:
    meta = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "versions": {p: version(p) for p in ("numpy", "pandas", "pyarrow", "scikit-learn")},
    }
    found = payload.pop("targets")
    document = {"meta": meta, **payload, "targets": [asdict(t) for t in found]}
    Path(path).write_text(json.dumps(document, indent=2))
