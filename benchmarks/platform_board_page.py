"""The leaderboard PAGE at scale: ``python -m benchmarks.platform_board_page``.

Server time to render ``/competitions/<slug>/leaderboard/`` (the whole Django request: URL
resolution, middleware, session, selectors, the template with avatars, the 24-hour moves and
the top-10 chart) for a competition with 10,000 teams, through Django's test ``Client`` in this
process (no network, no browser). On PostgreSQL (a throwaway database on DATABASE_URL's server)
when DATABASE_URL names one, else on the embedded default, SQLite in a temporary folder.

Filled with bulk inserts (not timed): 10,000 users and teams (one member each, 1%
disqualified, one baseline), 10 scored submissions per team over 30 days (the top-10 chart
reads them), each team's board row and 10 rank snapshots. Then, after a few warm-up requests,
``--calls`` requests each of page 1 (with the chart) and page 50, as a signed-in participant
whose team is on page 50 (so "jump to my team" is computed too). Prints one JSON line with
p50/p95/max per page (the parent reads the last stdout line).
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np

from benchmarks import platform_common as common

TEAMS = 10_000
PER_TEAM = 10
SNAPSHOTS = 10
CALLS = 100
WARMUP = 5
SEED = 20_240_611
TARGET_MS = 150.0


def fill(teams: int) -> tuple[object, object]:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from podium.competitions.models import Competition
    from podium.leaderboards.models import LeaderboardEntry, RankSnapshot
    from podium.submissions.models import Submission
    from podium.teams.models import Membership, Team

    User = get_user_model()
    rng = np.random.default_rng(SEED)
    moment = datetime.now(UTC)
    start = moment - timedelta(days=30)
    competition = Competition.objects.create(
        status=Competition.Status.PUBLISHED,
        slug="bench-board-page",
        title="Bench board page",
        metric="roc_auc",
        start_at=start,
        end_at=moment + timedelta(days=30),
    )
    batch = 2_000
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(username=f"user{i}", email=f"user{i}@example.com", password="!")
                for i in range(teams)
            ],
            batch_size=batch,
        )
        disqualified = set(rng.choice(teams, teams // 100, replace=False).tolist())
        team_rows = Team.objects.bulk_create(
            [
                Team(
                    competition=competition,
                    name=f"Team {i}",
                    leader=users[i],
                    is_baseline=i == 0,
                    disqualified_at=moment if i in disqualified else None,
                )
                for i in range(teams)
            ],
            batch_size=batch,
        )
        Membership.objects.bulk_create(
            [
                Membership(team=t, user=u, competition=competition)
                for t, u in zip(team_rows, users, strict=True)
            ],
            batch_size=batch,
        )
        skill = rng.normal(0.8, 0.05, teams)
        offsets = np.sort(rng.uniform(0, 29 * 86400, (teams, PER_TEAM)), axis=1)
        scores = np.clip(skill[:, None] + rng.normal(0, 0.02, (teams, PER_TEAM)), 0, 1).round(5)
        submissions = []
        for i, team in enumerate(team_rows):
            for k in range(PER_TEAM):
                at = start + timedelta(seconds=float(offsets[i, k]))
                submissions.append(
                    Submission(
                        uuid=uuid.uuid4(),
                        competition=competition,
                        team=team,
                        submitted_by=users[i],
                        file=f"submissions/{i}-{k}.csv",
                        original_name="submission.csv",
                        size=180_000,
                        sha256="0" * 64,
                        status=Submission.Status.SCORED,
                        public_score=float(scores[i, k]),
                        private_score=float(scores[i, k]),
                        scored_at=at,
                        created_at=at,
                        updated_at=at,
                    )
                )
        submissions = Submission.objects.bulk_create(submissions, batch_size=batch)
        entries, snapshots = [], []
        taken = [start + timedelta(days=3 * k) for k in range(SNAPSHOTS)]
        ranks = rng.integers(1, teams + 1, (teams, SNAPSHOTS))
        for i, team in enumerate(team_rows):
            best = int(np.argmax(scores[i]))
            sub = submissions[i * PER_TEAM + best]
            entries.append(
                LeaderboardEntry(
                    competition=competition,
                    team=team,
                    best_submission=sub,
                    best_public_score=sub.public_score,
                    sort_key=sub.public_score,
                    best_submitted_at=sub.created_at,
                    entries=PER_TEAM,
                    last_submission_at=submissions[i * PER_TEAM + PER_TEAM - 1].created_at,
                    first_entry_at=submissions[i * PER_TEAM].created_at,
                )
            )
            snapshots += [
                RankSnapshot(
                    competition=competition,
                    team=team,
                    rank=int(ranks[i, k]),
                    score=float(skill[i]),
                    taken_at=taken[k],
                )
                for k in range(SNAPSHOTS)
            ]
        LeaderboardEntry.objects.bulk_create(entries, batch_size=batch)
        RankSnapshot.objects.bulk_create(snapshots, batch_size=batch)
    from podium.leaderboards.selectors import public_board

    # A participant whose team is in the middle of the board (page 50 of 100-row pages).
    row = public_board(competition=competition, offset=4_950, limit=1)[0]
    viewer = Team.objects.get(pk=row.team_id).leader
    common.analyze()
    return competition, viewer


def measure(competition, viewer, calls: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(viewer)
    url = reverse("web:leaderboard", kwargs={"slug": competition.slug})
    first = client.get(url).content.decode()
    middle = client.get(url + "?page=50").content.decode()
    if 'class="mine"' not in middle or "Jump to my team" not in first or "<svg" not in first:
        raise RuntimeError("the leaderboard page is not what was loaded")
    return {
        "first_page": common.time_page(client, url, calls, WARMUP),
        "middle_page": common.time_page(client, url + "?page=50", calls, WARMUP),
        "page_bytes": len(first.encode()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.platform_board_page")
    parser.add_argument("--teams", type=int, default=TEAMS)
    parser.add_argument("--calls", type=int, default=CALLS)
    args = parser.parse_args(argv)
    server = common.postgres_url()
    with common.temp_dir("podium-bench-board-page-") as tmp:
        if server is not None:
            with common.ThrowawayDatabase(server, "podium_bench_board_page") as db:
                result = _run(db.url, tmp, args, "PostgreSQL")
        else:
            result = _run(f"sqlite:///{tmp}/bench.sqlite3", tmp, args, "SQLite")
    common.emit(result)
    return 0


def _run(database_url: str, tmp: str, args, backend: str) -> dict:
    common.configure(database_url=database_url, data_dir=tmp)
    common.django_setup()
    started = time.perf_counter()
    competition, viewer = fill(args.teams)
    fill_s = time.perf_counter() - started
    common.progress(f"board-page: {backend} filled in {fill_s:.0f} s; timing the page")
    result = measure(competition, viewer, args.calls)
    result.update(backend=backend, teams=args.teams, fill_s=fill_s, calls=args.calls)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
