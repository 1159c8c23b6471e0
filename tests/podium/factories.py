"""Factories for the platform's tests: real rows, real files, real answer keys."""

from __future__ import annotations

from datetime import timedelta

import factory
import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile

from podium.competitions.models import Competition
from podium.competitions.services import data_file_create, solution_version_create
from podium.core.timeutils import now
from podium.submissions.services import submission_create
from podium.teams.services import competition_join


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("password")


class CompetitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competition

    slug = factory.Sequence(lambda n: f"competition-{n}")
    title = factory.Sequence(lambda n: f"Competition {n}")
    metric = "roc_auc"
    status = Competition.Status.PUBLISHED  # a draft is seen only by its organizers
    start_at = factory.LazyFunction(lambda: now() - timedelta(days=3))
    end_at = factory.LazyFunction(lambda: now() + timedelta(days=30))


def binary_answer_key(rows: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ids, 0/1 targets and Usage for a binary competition; both classes on both boards."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, rows + 1)
    target = np.tile([0, 1], rows // 2 + 1)[:rows]
    rng.shuffle(target)
    usage = np.where(np.arange(rows) % 3 == 0, "Public", "Private")
    usage[rows - 5 :] = "Ignored"
    return ids, target, usage


def csv_bytes(header: list[str], columns: list) -> bytes:
    lines = [",".join(header)] + [
        ",".join(str(v) for v in row) for row in zip(*columns, strict=True)
    ]
    return ("\n".join(lines) + "\n").encode()


def competition_with_solution(rows: int = 200, seed: int = 0, **kwargs) -> Competition:
    """A started competition with a sample submission and an active answer key."""
    competition = CompetitionFactory(**kwargs)
    ids, target, usage = binary_answer_key(rows, seed)
    data_file_create(
        competition=competition,
        kind="sample_submission",
        name="sample_submission.csv",
        file=ContentFile(
            csv_bytes(["id", "target"], [ids, [0.5] * rows]), name="sample_submission.csv"
        ),
    )
    solution_version_create(
        competition=competition,
        file=ContentFile(
            csv_bytes(["id", "target", "Usage"], [ids, target, usage]), name="solution.csv"
        ),
    )
    competition.answer = (ids, target, usage)  # for tests that compute expected scores
    return competition


def predictions_file(
    competition: Competition, quality: float = 0.5, seed: int = 1, name: str = "sub.csv"
) -> ContentFile:
    """A valid submission whose AUC grows with ``quality`` (0: random; from 0.5 on, perfect)."""
    ids, target, _ = competition.answer
    rng = np.random.default_rng(seed)
    p = np.clip(quality * target + (1 - quality) * rng.random(len(ids)), 0, 1)
    order = rng.permutation(len(ids))
    return ContentFile(csv_bytes(["id", "target"], [ids[order], np.round(p[order], 6)]), name=name)


def participant(competition: Competition, username: str | None = None):
    user = UserFactory(**({"username": username} if username else {}))
    competition_join(user=user, competition=competition)
    return user


def submit(user, competition: Competition, file: ContentFile | None = None, **kwargs):
    return submission_create(
        user=user, competition=competition, file=file or predictions_file(competition), **kwargs
    )


# -- the admin ---------------------------------------------------------------------------------

ORGANIZER_APPS = ("competitions", "teams", "submissions", "leaderboards")


def organizers_group() -> Group:
    """Every model permission of the organizer-facing apps; the admin scopes them by competition."""
    group, created = Group.objects.get_or_create(name="Organizers")
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=ORGANIZER_APPS))
    return group


def organizer(competition: Competition | None = None, username: str | None = None):
    """A staff user in the Organizers group, listed as an organizer of ``competition``."""
    user = UserFactory(is_staff=True, **({"username": username} if username else {}))
    user.groups.add(organizers_group())
    if competition is not None:
        competition.organizers.add(user)
    return user


def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


# -- boards with chosen scores -----------------------------------------------------------------


def scored(user, competition: Competition, public: float, private: float, *, at=None, late=None):
    """A submission of ``user``'s team with exactly these scores, as the scoring would leave it
    (its team's public row refreshed), without running the scoring: for tests of boards,
    ranks and ties. ``at`` backdates it (ties go to the earlier submission); ``late`` overrides
    whether it was made after the end (by default, whether it was)."""
    from django.db import transaction

    from podium.leaderboards.services import team_entry_refresh
    from podium.submissions.models import Submission

    submission = submit(user, competition)
    changes = {
        "status": Submission.Status.SCORED,
        "public_score": public,
        "private_score": private,
        "scored_at": now(),
    }
    if at is not None:
        changes["created_at"] = at
    if late is not None:
        changes["is_late"] = late
    Submission.objects.filter(pk=submission.pk).update(**changes)
    submission.refresh_from_db()
    with transaction.atomic():
        team_entry_refresh(competition=competition, team=submission.team)
    return submission


def stored_files(folder: str) -> list[str]:
    """The names of the stored files under ``folder``, on whichever storage is configured (the
    disk, or memory in the PODIUM_TEST_STORAGE=memory pass)."""
    from django.core.files.storage import default_storage

    from podium.core.files import stored_names

    return list(stored_names(default_storage, folder))


def presigned(response) -> bool:
    """A download answered, as on S3 (the PODIUM_TEST_STORAGE=s3 pass), with a 302 to a
    presigned URL of the store."""
    return response.status_code == 302 and "X-Amz-Signature=" in response.get("Location", "")


def downloaded(response) -> tuple[int, dict[str, str], bytes]:
    """A download's status, headers and bytes: the response's own, or those of the presigned
    URL it redirects to, fetched as a browser would."""
    if presigned(response):
        import urllib.request

        with urllib.request.urlopen(response["Location"], timeout=30) as fetched:
            return fetched.status, dict(fetched.headers), fetched.read()
    return response.status_code, dict(response.items()), body(response)


def body(response) -> bytes:
    """A test client response's bytes, streamed (a stored file's download) or not; on S3, the
    bytes of the presigned URL it redirects to."""
    if presigned(response):
        return downloaded(response)[2]
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
