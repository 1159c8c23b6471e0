"""The load benchmark's rows: competitions, participants with API keys, a board of N teams.

Participants are made through Podium's services (an account, an API key, joining: a solo team),
as a real participant would be. The big board's teams are bulk-created rows (users, teams,
memberships, one scored submission and a board row each): only the reads are measured.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

SEED = 20_261_203
BATCH = 2_000


@dataclass
class Participant:
    username: str
    key: str


def answer_key(rows: int) -> tuple[bytes, bytes, np.ndarray, np.ndarray]:
    """solution.csv, sample_submission.csv, ids and 0/1 targets (binary ROC AUC)."""
    rng = np.random.default_rng(SEED)
    ids = np.arange(1, rows + 1)
    target = (rng.random(rows) < 0.3).astype(int)
    target[:2] = [0, 1]  # both classes, whatever the size
    usage = np.where(np.arange(rows) % 3 == 0, "Public", "Private")
    solution = "id,target,Usage\n" + "".join(
        f"{i},{t},{u}\n" for i, t, u in zip(ids, target, usage, strict=True)
    )
    sample = "id,target\n" + "".join(f"{i},0.5\n" for i in ids)
    return solution.encode(), sample.encode(), ids, target


def predictions(rows: int, count: int) -> list[bytes]:
    """``count`` different prediction files for ``answer_key(rows)``."""
    _, _, ids, target = answer_key(rows)
    rng = np.random.default_rng(SEED + 1)
    files = []
    for _ in range(count):
        p = 1 / (1 + np.exp(-(1.5 * target + rng.normal(size=rows) - 0.75)))
        files.append(
            (
                "id,target\n" + "".join(f"{i},{v:.5f}\n" for i, v in zip(ids, p, strict=True))
            ).encode()
        )
    return files


def competition(slug: str, rows: int, daily_limit: int):
    """A started competition with a sample submission and an answer key of ``rows`` rows."""
    from django.core.files.base import ContentFile

    from podium.competitions.models import Competition
    from podium.competitions.services import data_file_create, solution_version_create
    from podium.core.timeutils import now

    solution, sample, _, _ = answer_key(rows)
    moment = now()
    found = Competition.objects.create(
        status=Competition.Status.PUBLISHED,
        slug=slug,
        title=slug.replace("-", " ").title(),
        metric="roc_auc",
        start_at=moment - timedelta(days=1),
        end_at=moment + timedelta(days=30),
        daily_submission_limit=daily_limit,
    )
    data_file_create(
        competition=found,
        kind="sample_submission",
        name="sample_submission.csv",
        file=ContentFile(sample, name="sample_submission.csv"),
    )
    solution_version_create(competition=found, file=ContentFile(solution, name="solution.csv"))
    return found


def participants(count: int) -> list[Participant]:
    """``count`` accounts, each with an API key (one per client thread)."""
    from django.contrib.auth import get_user_model

    from podium.accounts.services import api_token_create

    User = get_user_model()
    found = []
    for i in range(count):
        user = User.objects.create_user(f"load{i}", f"load{i}@example.com", "x")
        _, key = api_token_create(user=user, name="load")
        found.append(Participant(user.username, key))
    return found


def join(competition, people: list[Participant]) -> None:
    """Each participant joins ``competition`` in a solo team (the rules accepted)."""
    from django.contrib.auth import get_user_model

    from podium.teams.services import competition_join

    User = get_user_model()
    for person in people:
        competition_join(user=User.objects.get(username=person.username), competition=competition)


def big_board(competition, teams: int) -> None:
    """``teams`` teams on ``competition``'s public board, bulk-created: one member, one scored
    submission and one board row each."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from podium.core.timeutils import now
    from podium.leaderboards.models import LeaderboardEntry
    from podium.submissions.models import Submission
    from podium.teams.models import Membership, Team

    User = get_user_model()
    rng = np.random.default_rng(SEED + 2)
    scores = rng.random(teams)
    moment = now()
    tag = competition.slug
    for start in range(0, teams, BATCH):
        span = range(start, min(start + BATCH, teams))
        users = User.objects.bulk_create(
            User(username=f"{tag}-{i}", email=f"{tag}-{i}@example.com", password="!") for i in span
        )
        made = Team.objects.bulk_create(
            Team(competition=competition, name=f"Team {i}", leader=u)
            for i, u in zip(span, users, strict=True)
        )
        Membership.objects.bulk_create(
            Membership(team=t, user=u, competition=competition)
            for t, u in zip(made, users, strict=True)
        )
        subs = Submission.objects.bulk_create(
            Submission(
                uuid=uuid.uuid4(),
                competition=competition,
                team=t,
                submitted_by=u,
                file=f"submissions/{competition.pk}/{t.pk}/bulk.csv",
                original_name="bulk.csv",
                size=1,
                sha256="0" * 64,
                status=Submission.Status.SCORED,
                attempts=1,
                public_score=float(scores[i]),
                private_score=float(scores[i]),
                scored_at=moment,
                duration_ms=1,
            )
            for i, t, u in zip(span, made, users, strict=True)
        )
        LeaderboardEntry.objects.bulk_create(
            LeaderboardEntry(
                competition=competition,
                team=t,
                best_submission=s,
                best_public_score=s.public_score,
                sort_key=s.public_score,
                best_submitted_at=moment,
                entries=1,
                last_submission_at=moment,
                first_entry_at=moment - timedelta(days=2),
            )
            for t, s in zip(made, subs, strict=True)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum would leave them
