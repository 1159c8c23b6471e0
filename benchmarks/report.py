"""Turning the runs into numbers: best of the repetitions, the table, the targets, the JSON."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from benchmarks.cases import (
    BOMB,
    BOMB_INFLATED_BYTES,
    BOMB_TARGET_S,
    CASES,
    INFLATE,
    INFLATE_INFLATED_BYTES,
    INFLATE_SOLUTION,
    MAX_FLOOR_RATIO,
    MAX_PEAK_PER_FILE,
    MAX_SMALL_DURATION_S,
    MIN_SPEEDUP,
)

MIB = 1024 * 1024
BOMB_MAX_S = 1.5 * BOMB_TARGET_S  # "about a second"
BOMB_MAX_ABOVE_IMPORTS_MIB = 100  # "tens of MB"
INFLATE_MAX_S = 1.0  # "in under a second"


@dataclass
class Target:
    case: str
    what: str
    value: str
    passed: bool
    note: str = ""


def _best(runs: list[dict], key: str = "seconds") -> dict:
    return min(runs, key=lambda r: r[key])


def _worst(runs: list[dict], key: str) -> float:
    return max(r[key] for r in runs)


def summarize_case(name: str, manifest: dict, runs: dict[str, list[dict]]) -> dict:
    """Times are the best of the repetitions; memory is the worst (the largest peak)."""
    podium, naive, floor = (_best(runs[w]) for w in ("podium", "naive", "floor"))
    file_mib = manifest["submission_bytes"] / MIB
    peak = _worst(runs["podium"], "peak_rss_mib")
    return {
        "rows": CASES[name].rows,
        "file_mib": file_mib,
        "podium_s": podium["seconds"],
        "naive_s": naive["seconds"],
        "floor_s": floor["seconds"],
        "speedup": naive["seconds"] / podium["seconds"],
        "floor_ratio": podium["seconds"] / floor["seconds"],
        "podium_peak_mib": peak,
        "podium_peak_per_file": peak / file_mib,
        "podium_above_imports_mib": _worst(runs["podium"], "peak_above_imports_mib"),
        "podium_after_imports_mib": podium["rss_after_imports_mib"],
        "naive_peak_mib": _worst(runs["naive"], "peak_rss_mib"),
        "floor_peak_mib": _worst(runs["floor"], "peak_rss_mib"),
        "floor_above_imports_mib": _worst(runs["floor"], "peak_above_imports_mib"),
        "duration_s": _best(runs["podium"], "duration_s")["duration_s"],
        "warm_duration_s": _best(runs["podium"], "warm_duration_s")["warm_duration_s"],
        "podium_phases": {"load_solution_s": podium["load_solution_s"], **podium["timings"]},
        "warm_phases": _best(runs["podium"], "warm_duration_s")["warm_timings"],
        "floor_phases": {"read_s": floor["read_s"], "auc_s": floor["auc_s"]},
        "imports_s": {
            "scoring": min(r["import_s"] for r in runs["podium"]),
            "pandas": min(r["import_s"] for r in runs["naive"]),
            "sklearn.metrics": min(r["sklearn_import_s"] for r in runs["naive"]),
            "floor": min(r["import_s"] for r in runs["floor"]),
        },
    }


def summarize_bomb(manifest: dict, runs: list[dict]) -> dict:
    return {
        "file_mib": manifest["file_bytes"] / MIB,
        "inflated_bytes": BOMB_INFLATED_BYTES,
        "code": runs[0]["code"],
        "seconds": _best(runs)["seconds"],
        "peak_mib": _worst(runs, "peak_rss_mib"),
        "above_imports_mib": _worst(runs, "peak_above_imports_mib"),
    }


def summarize_inflate(manifest: dict, runs: dict[str, list[dict]]) -> dict:
    """Times are the best of the repetitions; memory is the worst; the outcome the first run's."""
    out = {
        "file_kib": manifest["file_bytes"] / 1024,
        "inflated_bytes": INFLATE_INFLATED_BYTES,
        "solution": INFLATE_SOLUTION,
        "cap_bytes": runs["podium"][0]["cap_bytes"],
    }
    for way, way_runs in runs.items():
        first = way_runs[0]
        out[way] = {
            "outcome": first["outcome"],
            "code": first["code"],
            "seconds": _best(way_runs)["seconds"],
            "peak_mib": _worst(way_runs, "peak_rss_mib"),
            "above_imports_mib": _worst(way_runs, "peak_above_imports_mib"),
            "limit_mib": first.get("limit_mib"),
            "runs": len(way_runs),
        }
    podium, naive = out["podium"], out["naive"]
    out["naive_over_podium_s"] = naive["seconds"] / podium["seconds"]
    out["naive_over_podium_above_imports"] = naive["above_imports_mib"] / max(
        podium["above_imports_mib"], 1.0
    )
    return out


def targets(cases: dict[str, dict], bomb: dict | None, inflate: dict | None = None) -> list[Target]:
    found = []
    for name, s in cases.items():
        case = CASES[name]
        if case.large:
            found += [
                Target(
                    name,
                    f"naive/podium >= {MIN_SPEEDUP:g}",
                    f"{s['speedup']:.2f}x",
                    s["speedup"] >= MIN_SPEEDUP,
                ),
                Target(
                    name,
                    f"podium/floor <= {MAX_FLOOR_RATIO:g}",
                    f"{s['floor_ratio']:.2f}",
                    s["floor_ratio"] <= MAX_FLOOR_RATIO,
                ),
                Target(
                    name,
                    f"podium peak RSS <= {MAX_PEAK_PER_FILE:g}x file",
                    f"{s['podium_peak_per_file']:.1f}x",
                    s["podium_peak_per_file"] <= MAX_PEAK_PER_FILE,
                    f"above imports: {s['podium_above_imports_mib'] / s['file_mib']:.1f}x; "
                    f"floor: {s['floor_peak_mib'] / s['file_mib']:.1f}x, "
                    f"{s['floor_above_imports_mib'] / s['file_mib']:.1f}x above imports",
                ),
            ]
        if case.small:
            found.append(
                Target(
                    name,
                    f"ScoreResult.duration_s < {MAX_SMALL_DURATION_S:g} s",
                    f"{s['duration_s']:.3f} s",
                    s["duration_s"] < MAX_SMALL_DURATION_S,
                    f"2nd submission in the same process: {s['warm_duration_s']:.3f} s",
                )
            )
    if bomb is not None:
        found += [
            Target(
                BOMB,
                "refused: decompressed_too_large",
                str(bomb["code"]),
                bomb["code"] == "decompressed_too_large",
            ),
            Target(
                BOMB,
                f"refusal about {BOMB_TARGET_S:g} s (<= {BOMB_MAX_S:g} s)",
                f"{bomb['seconds']:.2f} s",
                bomb["seconds"] <= BOMB_MAX_S,
            ),
            Target(
                BOMB,
                f"peak tens of MB above imports (< {BOMB_MAX_ABOVE_IMPORTS_MIB} MiB)",
                f"{bomb['above_imports_mib']:.0f} MiB",
                bomb["above_imports_mib"] < BOMB_MAX_ABOVE_IMPORTS_MIB,
            ),
        ]
    if inflate is not None:
        podium = inflate["podium"]
        found += [
            Target(
                INFLATE,
                "refused: decompressed_too_large",
                str(podium["code"]),
                podium["code"] == "decompressed_too_large",
            ),
            Target(
                INFLATE,
                f"refusal under {INFLATE_MAX_S:g} s",
                f"{podium['seconds']:.3f} s",
                podium["seconds"] < INFLATE_MAX_S,
                f"pandas.read_csv: {_ended(inflate['naive'])}",
            ),
            Target(
                INFLATE,
                f"peak under {BOMB_MAX_ABOVE_IMPORTS_MIB} MiB above imports",
                f"{podium['above_imports_mib']:.0f} MiB",
                podium["above_imports_mib"] < BOMB_MAX_ABOVE_IMPORTS_MIB,
                f"{podium['peak_mib']:.0f} MiB with the interpreter and its imports",
            ),
        ]
    return found


def _ended(way: dict) -> str:
    if way["outcome"] == "refused":
        return f"refused ({way['code']}) in {way['seconds']:.3f} s"
    if way["outcome"] == "memory_limit":
        return f"hit its {way['limit_mib']:,.0f} MiB RLIMIT_AS after {way['seconds']:.2f} s"
    if way["outcome"] == "done":
        return f"read it all in {way['seconds']:.2f} s"
    return f"failed ({way['outcome']}) after {way['seconds']:.2f} s"


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
    lines += _table(
        ["way", "outcome", "s", "peak MiB", "above imports MiB", "runs"],
        [
            [
                name,
                _ended(w),
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


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
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
        out += _table(
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
        out += _table(
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
        out += _table(
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
    out += _table(
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
