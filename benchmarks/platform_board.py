"""Leaderboard reads at scale: ``python -m benchmarks.platform_board``.

A throwaway PostgreSQL database on DATABASE_URL's server (skipped without one) is migrated and
filled with COPY: one competition, 10,000 teams (one member each, 1% disqualified), 1,000,000
submissions (100 per team, scored), each team's board row and 10 rank snapshots per team (the
board's 24-hour moves read them), then VACUUM ANALYZE. Filling is not timed. Then ~200 calls
each, after a few warm-up calls, of the selectors the board pages use:

* ``public_board`` first page (100 rows) and a page in the middle (offset ~5,000);
* ``public_board_page`` page 1 (what the leaderboard page calls: ``board_size`` + a page);
* ``team_entry`` (a team's row and its rank: ``rank_of`` inside) for random teams;
* ``board_size``.

Prints one JSON line with p50/p95 per selector (the parent reads the last stdout line).
"""

from __future__ import annotations

import argparse
import io
import random
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from benchmarks import platform_common as common

TEAMS = 10_000
SUBMISSIONS = 1_000_000
CALLS = 200
WARMUP = 5
SEED = 20_240_603
PAGE = 100
SNAPSHOTS = 10  # rank snapshots per team


def _ts(seconds: np.ndarray, epoch: datetime) -> list[str]:
    return [(epoch + timedelta(seconds=float(s))).isoformat() for s in seconds]


def _copy(cursor, model, columns: list[str], rows) -> None:
    """COPY ``rows`` (tuples of text, NULL as \\N) into the model's table.

    A column of the model that ``columns`` lacks is filled with NULL if it may be NULL (with a
    note: the loader should learn it); a NOT NULL one stops the benchmark, as its data would be
    wrong.
    """
    fields = {f.column: f for f in model._meta.concrete_fields}
    extra = [c for c in fields if c not in columns]
    stuck = [c for c in extra if not fields[c].null]
    if stuck:
        raise RuntimeError(f"{model._meta.db_table}: the loader does not fill {stuck}")
    if extra:
        common.progress(f"board: {model._meta.db_table}.{', '.join(extra)} left NULL")
    tail = "\t\\N" * len(extra)
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join(row))
        buf.write(tail)
        buf.write("\n")
    names = ", ".join(f'"{c}"' for c in [*columns, *extra])
    with cursor.copy(f'COPY "{model._meta.db_table}" ({names}) FROM STDIN') as copy:
        copy.write(buf.getvalue())


def fill(teams: int, submissions: int) -> tuple[object, list[object]]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from podium.competitions.models import Competition
    from podium.leaderboards.models import LeaderboardEntry
    from podium.submissions.models import Submission
    from podium.teams.models import Membership, Team

    try:
        from podium.leaderboards.models import RankSnapshot
    except ImportError:
        RankSnapshot = None
    User = get_user_model()
    rng = np.random.default_rng(SEED)
    now = datetime.now(UTC)
    epoch = now - timedelta(days=60)
    competition = Competition.objects.create(
        status=Competition.Status.PUBLISHED,
        slug="bench-board",
        title="Bench board",
        metric="roc_auc",
        start_at=epoch,
        end_at=now + timedelta(days=30),
    )
    per_team = submissions // teams
    connection.ensure_connection()
    cursor = connection.connection.cursor()

    stamp = now.isoformat()
    user_cols = [
        "id",
        "password",
        "is_superuser",
        "username",
        "first_name",
        "last_name",
        "email",
        "is_staff",
        "is_active",
        "date_joined",
        "last_login",
    ]
    _copy(
        cursor,
        User,
        user_cols,
        (
            (str(i), "!", "f", f"user{i}", "", "", f"user{i}@example.com", "f", "t", stamp, r"\N")
            for i in range(1, teams + 1)
        ),
    )
    disqualified = set(rng.choice(teams, teams // 100, replace=False) + 1)
    team_cols = [
        "id",
        "created_at",
        "updated_at",
        "competition_id",
        "name",
        "leader_id",
        "is_baseline",
        "disqualified_at",
        "disqualification_reason",
    ]
    _copy(
        cursor,
        Team,
        team_cols,
        (
            (
                str(i),
                stamp,
                stamp,
                str(competition.pk),
                f"Team {i}",
                str(i),
                "f",
                stamp if i in disqualified else r"\N",
                "bench" if i in disqualified else "",
            )
            for i in range(1, teams + 1)
        ),
    )
    member_cols = ["id", "created_at", "updated_at", "team_id", "user_id", "competition_id"]
    _copy(
        cursor,
        Membership,
        member_cols,
        ((str(i), stamp, stamp, str(i), str(i), str(competition.pk)) for i in range(1, teams + 1)),
    )

    # Submissions: team t's k-th at a random moment; public/private scores around a team skill.
    team_of = np.repeat(np.arange(1, teams + 1), per_team)
    skill = rng.normal(0.8, 0.05, teams)
    public = np.round(np.clip(skill[team_of - 1] + rng.normal(0, 0.02, team_of.size), 0, 1), 5)
    private = np.round(np.clip(public + rng.normal(0, 0.01, team_of.size), 0, 1), 5)
    created = np.sort(rng.uniform(0, 59 * 86400, team_of.size))[rng.permutation(team_of.size)]
    sub_cols = [
        "id",
        "created_at",
        "updated_at",
        "uuid",
        "competition_id",
        "team_id",
        "submitted_by_id",
        "file",
        "original_name",
        "size",
        "sha256",
        "description",
        "is_late",
        "status",
        "attempts",
        "lease_owner",
        "lease_expires_at",
        "queued_at",
        "solution_version_id",
        "public_score",
        "private_score",
        "scored_at",
        "duration_ms",
        "error_code",
        "failure_stage",
        "error_message",
        "error_detail",
        "result_message",
    ]
    chunk = 100_000
    created_text = _ts(created, epoch)
    for start in range(0, team_of.size, chunk):
        stop = min(start + chunk, team_of.size)
        _copy(
            cursor,
            Submission,
            sub_cols,
            (
                (
                    str(i + 1),
                    created_text[i],
                    created_text[i],
                    f"{i + 1:032x}",
                    str(competition.pk),
                    str(team_of[i]),
                    str(team_of[i]),
                    f"submissions/{i + 1}.csv",
                    "submission.csv",
                    "180000",
                    "0" * 64,
                    "",
                    "f",
                    "scored",
                    "1",
                    "",
                    r"\N",
                    created_text[i],
                    r"\N",
                    repr(float(public[i])),
                    repr(float(private[i])),
                    created_text[i],
                    "40",
                    "",
                    "",
                    "",
                    "",
                    "",
                )
                for i in range(start, stop)
            ),
        )
        common.progress(f"board: {stop:,} of {team_of.size:,} submissions copied")

    # Board rows: each team's best public score, ties to the earlier submission.
    order = np.lexsort((created, -public, team_of))  # by team, best score, earliest
    first = np.concatenate(([True], team_of[order][1:] != team_of[order][:-1]))
    best = order[first]
    last = np.zeros(teams)
    np.maximum.at(last, team_of - 1, created)
    first_at = np.full(teams, np.inf)
    np.minimum.at(first_at, team_of - 1, created)
    entry_cols = [
        "id",
        "competition_id",
        "team_id",
        "best_submission_id",
        "best_public_score",
        "sort_key",
        "best_submitted_at",
        "entries",
        "last_submission_at",
        "first_entry_at",
    ]
    last_text, first_text = _ts(last, epoch), _ts(first_at, epoch)
    _copy(
        cursor,
        LeaderboardEntry,
        entry_cols,
        (
            (
                str(t),
                str(competition.pk),
                str(t),
                str(b + 1),
                repr(float(public[b])),
                repr(float(public[b])),
                created_text[b],
                str(per_team),
                last_text[t - 1],
                first_text[t - 1],
            )
            for t, b in zip(team_of[best], best, strict=True)
        ),
    )
    models = [User, Team, Membership, Submission, LeaderboardEntry]
    if RankSnapshot is not None:  # the board's 24-hour moves read these
        # Each team's rank as it changed: a snapshot every ~6 days, the last one a day ago.
        taken = np.arange(SNAPSHOTS) * (59 * 86400 / SNAPSHOTS)
        ranks = rng.integers(1, teams + 1, (teams, SNAPSHOTS))
        taken_text = _ts(taken, epoch)
        _copy(
            cursor,
            RankSnapshot,
            ["id", "competition_id", "team_id", "rank", "score", "taken_at"],
            (
                (
                    str(t * SNAPSHOTS + k + 1),
                    str(competition.pk),
                    str(t + 1),
                    str(ranks[t, k]),
                    repr(float(skill[t])),
                    taken_text[k],
                )
                for t in range(teams)
                for k in range(SNAPSHOTS)
            ),
        )
        models.append(RankSnapshot)
    connection.connection.commit()
    for model in models:
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'(SELECT max(id) FROM "{table}"))'
        )
    connection.connection.commit()
    connection.connection.autocommit = True
    cursor.execute("VACUUM ANALYZE")
    connection.connection.autocommit = False
    cursor.close()
    return competition, list(Team.objects.filter(competition=competition).order_by("pk"))


def _time(calls: int, fn) -> dict:
    for _ in range(WARMUP):
        fn()
    seconds = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - start)
    return common.summary_ms(seconds)


def measure(competition, teams: list, calls: int) -> dict:
    from podium.leaderboards.models import LeaderboardEntry
    from podium.leaderboards.selectors import board_size, public_board, team_entry

    try:
        from podium.leaderboards.selectors import public_board_page
    except ImportError:  # the selector the web page uses, where it exists

        def public_board_page(*, competition, page):
            return board_size(competition=competition), public_board(competition=competition)

    from podium.submissions.models import Submission

    size = board_size(competition=competition)
    middle = (size // 2 // PAGE) * PAGE
    first_page = public_board(competition=competition)
    if len(first_page) != PAGE or first_page[0].rank != 1:
        raise RuntimeError("the first page of the board is not what was loaded")
    pick = random.Random(SEED).choices(teams, k=calls + WARMUP)
    picks = iter(pick)
    return {
        "teams": len(teams),
        "board_rows": size,
        "submissions": Submission.objects.count(),
        "entries": LeaderboardEntry.objects.count(),
        "public_board_first": _time(calls, lambda: public_board(competition=competition)),
        "public_board_middle": _time(
            calls, lambda: public_board(competition=competition, offset=middle)
        ),
        "middle_offset": middle,
        "public_board_page": _time(
            calls, lambda: public_board_page(competition=competition, page=1)
        ),
        "team_entry": _time(calls, lambda: team_entry(competition=competition, team=next(picks))),
        "board_size": _time(calls, lambda: board_size(competition=competition)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.platform_board")
    parser.add_argument("--teams", type=int, default=TEAMS)
    parser.add_argument("--submissions", type=int, default=SUBMISSIONS)
    parser.add_argument("--calls", type=int, default=CALLS)
    args = parser.parse_args(argv)
    server = common.postgres_url()
    if server is None:
        common.emit({"skipped": common.NEEDS_POSTGRES})
        return 0
    with common.temp_dir("podium-bench-board-") as tmp:
        with common.ThrowawayDatabase(server, "podium_bench_board") as db:
            common.configure(database_url=db.url, data_dir=tmp)
            common.django_setup()
            started = time.perf_counter()
            competition, teams = fill(args.teams, args.submissions)
            fill_s = time.perf_counter() - started
            common.progress(f"board: filled in {fill_s:.0f} s; timing the selectors")
            result = measure(competition, teams, args.calls)
            result["fill_s"] = fill_s
            common.emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
