"""The targets the numbers are checked against: PASS or MISS, with a note."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.cases import (
    BOMB,
    BOMB_TARGET_S,
    CASES,
    INFLATE,
    MAX_FLOOR_RATIO,
    MAX_PEAK_PER_FILE,
    MAX_SMALL_DURATION_S,
    MIN_SPEEDUP,
)
from benchmarks.summaries import ended

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
                f"pandas.read_csv: {ended(inflate['naive'])}",
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
