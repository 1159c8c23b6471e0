"""Turning the runs into numbers: the best time of the repetitions, the worst memory."""

from __future__ import annotations

from benchmarks.cases import BOMB_INFLATED_BYTES, CASES, INFLATE_INFLATED_BYTES, INFLATE_SOLUTION

MIB = 1024 * 1024


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


def ended(way: dict) -> str:
    """How one way of reading the inflate case ended, in words."""
    if way["outcome"] == "refused":
        return f"refused ({way['code']}) in {way['seconds']:.3f} s"
    if way["outcome"] == "memory_limit":
        return f"hit its {way['limit_mib']:,.0f} MiB RLIMIT_AS after {way['seconds']:.2f} s"
    if way["outcome"] == "done":
        return f"read it all in {way['seconds']:.2f} s"
    return f"failed ({way['outcome']}) after {way['seconds']:.2f} s"
