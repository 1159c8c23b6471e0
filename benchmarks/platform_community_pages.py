"""The community pages at scale: ``python -m benchmarks.platform_community_pages``.

Server time (the whole Django request through the test ``Client``, in this process) of the
pages issue 17 added, on a site with 10,000 users and 100,000 posts: a competition's Discussion
tab (hot, recent, most votes, a search), the site forum, a topic with 60 replies, a user's
profile and the site ranking. On PostgreSQL (a throwaway database on DATABASE_URL's server) when
DATABASE_URL names one, else on SQLite in a temporary folder.

Filled with bulk inserts (not timed): 10,000 users, each with a tier and a standing; one
competition where each of them has a solo team on the public board; 10,000 topics (80% in the
competition's forum, 20% in the site forum) and 90,000 replies spread over them with a long
tail, vote counts drawn from a power law; 20 revealed competitions' results for the profile's
user. Prints one JSON line with p50/p95/max per page.
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import UTC, datetime, timedelta

import numpy as np

from benchmarks import platform_common as common

USERS = 10_000
POSTS = 100_000
TOPIC_SHARE = 0.1  # one post in ten opens a topic
HOT_REPLIES = 60  # the topic page measured has this many replies
RESULTS = 20
CALLS = 60
WARMUP = 5
TARGET_MS = 150.0  # p95 of a page's server time, as for the leaderboard page
SEED = 20_261_203
WORDS = (
    "gradient boosting feature leak validation fold ensemble stacking target encoding "
    "augmentation dropout learning rate schedule baseline kernel submission public private "
    "shake-up seed blend lightgbm xgboost catboost transformer embedding tokenizer"
).split()


def _text(rng, n: int) -> str:
    return " ".join(rng.choice(WORDS, n).tolist())


def fill(users_n: int, posts_n: int):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from podium.accounts.models import Profile, Tier
    from podium.competitions.models import Competition
    from podium.discussion.hot import hot_score
    from podium.discussion.models import Reply, Topic
    from podium.leaderboards.models import LeaderboardEntry
    from podium.progression.models import CompetitionResult, Medal, UserStanding
    from podium.submissions.models import Submission
    from podium.teams.models import Membership, Team

    User = get_user_model()
    rng = np.random.default_rng(SEED)
    moment = datetime.now(UTC)
    start = moment - timedelta(days=60)
    batch = 2_000

    def competition(slug: str, end_at: datetime) -> Competition:
        return Competition.objects.create(
            status=Competition.Status.PUBLISHED,
            slug=slug,
            title=slug.replace("-", " ").title(),
            metric="roc_auc",
            start_at=end_at - timedelta(days=60),
            end_at=end_at,
        )

    with transaction.atomic():
        main = competition("bench-community", moment + timedelta(days=30))
        users = User.objects.bulk_create(
            [
                User(username=f"user{i}", email=f"user{i}@example.com", password="!")
                for i in range(users_n)
            ],
            batch_size=batch,
        )
        tiers = rng.choice(
            [Tier.NOVICE, Tier.CONTRIBUTOR, Tier.EXPERT, Tier.MASTER, Tier.GRANDMASTER],
            users_n,
            p=[0.5, 0.3, 0.15, 0.04, 0.01],
        )
        Profile.objects.bulk_create(
            [
                Profile(user=u, bio=_text(rng, 12), tier=str(t), last_seen_at=moment)
                for u, t in zip(users, tiers, strict=True)
            ],
            batch_size=batch,
        )
        points = np.sort(rng.pareto(1.5, users_n))[::-1] * 1_000
        UserStanding.objects.bulk_create(
            [
                UserStanding(
                    user=u,
                    points=float(p),
                    gold=int(i < 50),
                    silver=int(i < 200),
                    bronze=int(i < 1_000),
                    competitions=1 + i % 7,
                )
                for i, (u, p) in enumerate(zip(users, points, strict=True))
            ],
            batch_size=batch,
        )
        teams = Team.objects.bulk_create(
            [Team(competition=main, name=f"Team {i}", leader=u) for i, u in enumerate(users)],
            batch_size=batch,
        )
        Membership.objects.bulk_create(
            [
                Membership(team=t, user=u, competition=main)
                for t, u in zip(teams, users, strict=True)
            ],
            batch_size=batch,
        )
        scores = rng.uniform(0.6, 0.95, users_n).round(5)
        subs = Submission.objects.bulk_create(
            [
                Submission(
                    uuid=uuid.uuid4(),
                    competition=main,
                    team=t,
                    submitted_by=u,
                    file=f"submissions/{i}.csv",
                    original_name="submission.csv",
                    size=1_000,
                    sha256="0" * 64,
                    status=Submission.Status.SCORED,
                    public_score=float(s),
                    private_score=float(s),
                    scored_at=start,
                    created_at=start,
                    updated_at=start,
                )
                for i, (t, u, s) in enumerate(zip(teams, users, scores, strict=True))
            ],
            batch_size=batch,
        )
        LeaderboardEntry.objects.bulk_create(
            [
                LeaderboardEntry(
                    competition=main,
                    team=t,
                    best_submission=s,
                    best_public_score=s.public_score,
                    sort_key=s.public_score,
                    best_submitted_at=start,
                    entries=1,
                    last_submission_at=start,
                    first_entry_at=start,
                )
                for t, s in zip(teams, subs, strict=True)
            ],
            batch_size=batch,
        )

        topics_n = int(posts_n * TOPIC_SHARE)
        replies_n = posts_n - topics_n
        authors = rng.integers(0, users_n, posts_n)
        ages = rng.uniform(0, 60 * 86400, topics_n)
        votes = np.minimum(rng.zipf(2.0, posts_n) - 1, 500)
        topic_rows = []
        for k in range(topics_n):
            created = moment - timedelta(seconds=float(ages[k]))
            topic_rows.append(
                Topic(
                    competition=None if k % 5 == 4 else main,
                    title=f"{_text(rng, 6)} #{k}",
                    body=_text(rng, 60),
                    author=users[int(authors[k])],
                    created_at=created,
                    last_activity_at=created,
                    vote_count=int(votes[k]),
                    hot=hot_score(votes=int(votes[k]), created_at=created),
                )
            )
        topic_rows = Topic.objects.bulk_create(topic_rows, batch_size=batch)
        # A long tail: most topics get a few replies, the first one exactly HOT_REPLIES.
        weights = rng.pareto(1.2, topics_n) + 1
        weights[0] = 0
        weights /= weights.sum()
        owners = np.concatenate(
            [
                np.zeros(HOT_REPLIES, dtype=int),
                rng.choice(topics_n, replies_n - HOT_REPLIES, p=weights),
            ]
        )
        reply_rows = [
            Reply(
                topic=topic_rows[int(t)],
                author=users[int(authors[topics_n + j])],
                body=_text(rng, 40),
                created_at=topic_rows[int(t)].created_at + timedelta(minutes=j % 1_000),
                vote_count=int(votes[topics_n + j]),
            )
            for j, t in enumerate(owners)
        ]
        Reply.objects.bulk_create(reply_rows, batch_size=batch)
        counts = np.bincount(owners, minlength=topics_n)
        for k, topic in enumerate(topic_rows):
            topic.reply_count = int(counts[k])
        Topic.objects.bulk_update(topic_rows, ["reply_count"], batch_size=batch)
        if connection.vendor == "sqlite":  # the FTS5 table the services keep in step
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO discussion_fts (text, topic_id, reply_id) VALUES (%s, %s, 0)",
                    [(f"{t.title}\n{t.body}", t.pk) for t in topic_rows],
                )
                cursor.executemany(
                    "INSERT INTO discussion_fts (text, topic_id, reply_id) VALUES (%s, %s, %s)",
                    [(r.body, r.topic_id, r.pk) for r in Reply.objects.only("body", "topic_id")],
                )

        # The profile's user: a Master with RESULTS finished competitions behind them.
        star = users[int(authors[0])]
        past = [
            competition(f"bench-past-{k}", moment - timedelta(days=10 + 30 * k))
            for k in range(RESULTS)
        ]
        for c in past:
            c.private_revealed_at = c.end_at + timedelta(days=1)
        Competition.objects.bulk_update(past, ["private_revealed_at"])
        medals = [Medal.GOLD, Medal.SILVER, Medal.BRONZE, None]
        CompetitionResult.objects.bulk_create(
            [
                CompetitionResult(
                    competition=c,
                    user=star,
                    team=None,
                    team_name=f"{star.username}'s team",
                    rank=1 + 3 * k,
                    counted_rank=1 + 3 * k,
                    teams=500 + 100 * k,
                    teammates=1 + k % 3,
                    medal=medals[k % 4],
                    points=1_000.0 / (1 + k),
                    deadline=c.end_at,
                )
                for k, c in enumerate(past)
            ]
        )
    common.analyze()
    return main, star, topic_rows[0]


def pages(competition, star, topic) -> dict[str, str]:
    from django.urls import reverse

    tab = reverse("web:discussion", kwargs={"slug": competition.slug})
    return {
        "discussion_hot": tab,
        "discussion_recent": tab + "?sort=recent",
        "discussion_votes": tab + "?sort=votes",
        "discussion_search": tab + "?q=target+encoding+leak",
        "site_forum": reverse("web:site_discussion"),
        "topic_60_replies": reverse(
            "web:topic", kwargs={"slug": competition.slug, "topic_id": topic.pk}
        ),
        "profile": reverse("web:user_profile", kwargs={"username": star.username}),
        "rankings": reverse("web:rankings"),
    }


def measure(competition, star, topic, viewer, calls: int) -> dict:
    from django.test import Client

    client = Client()
    client.force_login(viewer)
    urls = pages(competition, star, topic)
    profile = client.get(urls["profile"]).content.decode()
    thread = client.get(urls["topic_60_replies"]).content.decode()
    if star.username not in profile or topic.title not in thread:
        raise RuntimeError("the pages are not what was loaded")
    return {name: common.time_page(client, url, calls, WARMUP) for name, url in urls.items()}


def targets(result: dict) -> list[tuple[str, str, bool]]:
    if "skipped" in result:
        return []
    return [
        (f"{name} p95 <= {TARGET_MS:g} ms", f"{s['p95_ms']:.1f} ms", s["p95_ms"] <= TARGET_MS)
        for name, s in result["pages"].items()
    ]


def render(result: dict) -> list[str]:
    from benchmarks.report import table

    if "skipped" in result:
        return ["", f"community-pages: {result['skipped']}"]
    out = [
        "",
        f"community-pages: the discussion, profile and ranking pages through Django's test client "
        f"(server time), {result['backend']}, {result['users']:,} users, {result['posts']:,} "
        f"posts; {result['calls']} requests each after warm-up (filled in "
        f"{result['fill_s']:.0f} s, not timed)",
        "",
    ]
    return out + table(
        ["page", "p50 ms", "p95 ms", "max ms", f"target p95 <= {TARGET_MS:g} ms"],
        [
            [
                name,
                f"{s['p50_ms']:.1f}",
                f"{s['p95_ms']:.1f}",
                f"{s['max_ms']:.1f}",
                "PASS" if s["p95_ms"] <= TARGET_MS else "MISS",
            ]
            for name, s in result["pages"].items()
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.platform_community_pages")
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--posts", type=int, default=POSTS)
    parser.add_argument("--calls", type=int, default=CALLS)
    args = parser.parse_args(argv)
    server = common.postgres_url()
    with common.temp_dir("podium-bench-community-") as tmp:
        if server is not None:
            with common.ThrowawayDatabase(server, "podium_bench_community") as db:
                result = _run(db.url, tmp, args, "PostgreSQL")
        else:
            result = _run(f"sqlite:///{tmp}/bench.sqlite3", tmp, args, "SQLite")
    common.emit(result)
    return 0


def _run(database_url: str, tmp: str, args, backend: str) -> dict:
    common.configure(database_url=database_url, data_dir=tmp)
    common.django_setup()
    started = time.perf_counter()
    competition, star, topic = fill(args.users, args.posts)
    fill_s = time.perf_counter() - started
    common.progress(f"community-pages: {backend} filled in {fill_s:.0f} s; timing the pages")
    from django.contrib.auth import get_user_model

    viewer = get_user_model().objects.get(username="user1")
    result = {"pages": measure(competition, star, topic, viewer, args.calls)}
    result.update(
        backend=backend, users=args.users, posts=args.posts, fill_s=fill_s, calls=args.calls
    )
    return result


if __name__ == "__main__":
    raise SystemExit(main())
