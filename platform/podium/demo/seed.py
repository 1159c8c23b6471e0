"""The demo: three running competitions with data, answer keys, participants and scored boards,
and a fourth that has finished, with final selections and a revealed private board.

Everything goes through the services, as if an organizer and participants had clicked through
the site, and every step is skipped when its result is already there, so seeding twice changes
nothing. Scoring runs in-process (Celery's eager mode) so the boards are filled on return. The
finished competition is played out in the past: each step runs with the clock set back
(``_clock``), so its submissions, scores and deadlines carry the dates they would have had.
Then the community (``demo/community.py``): medals, discussion, kernel votes, notifications.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import current_app
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.utils import timezone

from podium.accounts.selectors import user_by_username, usernames_with_verified_email
from podium.accounts.services import (
    email_mark_verified,
    organizer_grant,
    user_ensure,
    users_delete,
)
from podium.competitions import selectors as competition_selectors
from podium.competitions.models import Competition, DataFile
from podium.competitions.services import (
    competition_create,
    competition_delete,
    data_file_create,
    solution_version_create,
)
from podium.core.errors import NotFound
from podium.core.timeutils import now, utc_day_start
from podium.demo import pages
from podium.demo.community import community_is_seeded, seed_community, seed_kernel_community
from podium.leaderboards.reveal import leaderboard_reveal
from podium.leaderboards.services import board_ranks_snapshot
from podium.submissions import selectors as submission_selectors
from podium.submissions.services import final_selection_set, submission_create
from podium.teams.services import competition_join


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    is_staff: bool = False
    is_superuser: bool = False


ORGANIZER = DemoUser("organizer", "demo-organizer", "organizer of the demo competitions", True)
PARTICIPANTS = (
    DemoUser("alice", "demo-alice", "participant"),
    DemoUser("bob", "demo-bob", "participant"),
    DemoUser("carol", "demo-carol", "participant"),
)
# Two more teams in the finished competition only.
LATECOMERS = (
    DemoUser("dave", "demo-dave", "participant (the finished competition)"),
    DemoUser("erin", "demo-erin", "participant (the finished competition)"),
)
ADMIN = DemoUser("admin", "demo-admin", "superuser (everything in /admin/)", True, True)
USERS = (ORGANIZER, *PARTICIPANTS, *LATECOMERS, ADMIN)


@dataclass(frozen=True)
class DemoCompetition:
    slug: str
    title: str
    subtitle: str
    metric: str
    precision: int
    ends_in_days: int
    texts: dict[str, str]
    build: str  # the function of podium.demo.datasets that makes its files


COMPETITIONS = (
    DemoCompetition(
        "breast-cancer-diagnosis",
        "Breast Cancer Diagnosis",
        "Tell malignant from benign tumours from 30 measurements of cell nuclei",
        "roc_auc",
        5,
        30,
        pages.BREAST_CANCER,
        "breast_cancer",
    ),
    DemoCompetition(
        "handwritten-digits",
        "Handwritten Digits",
        "Recognize the digits 0 to 9 in 8x8 pixel images",
        "accuracy",
        4,
        60,
        pages.DIGITS,
        "digits",
    ),
    DemoCompetition(
        "diabetes-progression",
        "Diabetes Progression",
        "Predict how far diabetes progresses in a year from ten baseline measurements",
        "rmse",
        3,
        10,
        pages.DIABETES,
        "diabetes",
    ),
)
# Already over: ended three days ago after six weeks, its private board revealed.
FINISHED = DemoCompetition(
    "wine-cultivars",
    "Wine Cultivars",
    "Tell three grape cultivars apart by the chemistry of their wines",
    "multiclass_log_loss",
    4,
    -3,
    pages.WINE,
    "wine",
)
FINISHED_WEEKS = 6
SLUGS = (*(c.slug for c in COMPETITIONS), FINISHED.slug)


@contextmanager
def _scoring_in_process() -> Iterator[None]:
    previous = current_app.conf.task_always_eager
    trace = logging.getLogger("celery.app.trace")  # one line per task: the seed says it shorter
    level = trace.level
    current_app.conf.task_always_eager = True
    trace.setLevel(logging.WARNING)
    try:
        yield
    finally:
        current_app.conf.task_always_eager = previous
        trace.setLevel(level)


@contextmanager
def _clock(moment: datetime) -> Iterator[None]:
    """Run the block as if it were ``moment``: every service, and every ``auto_now_add`` date,
    reads the time through ``django.utils.timezone.now``. For the seed only, which runs before
    the server starts (``podium_run``) or on its own (``podium_seed_demo``)."""
    real = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real


def demo_is_seeded() -> bool:
    """True when the demo users and all four competitions exist (the banner shows the logins)."""
    return user_by_username(ADMIN.username) is not None and all(_find(slug) for slug in SLUGS)


def demo_is_complete() -> bool:
    """True when the seed's last steps are there: every demo user with a verified address, the
    four competitions, the finished one's private board revealed, then the community's last
    step (``community_is_seeded``). A few
    queries: what lets ``make run`` skip seeding on every later start."""
    names = {u.username for u in USERS}
    if usernames_with_verified_email(usernames=names) != names:
        return False
    found = [_find(slug) for slug in SLUGS]
    return all(found) and found[-1].private_revealed_at is not None and community_is_seeded()


def _find(slug: str) -> Competition | None:
    try:  # the demo competitions are public: anyone may see them
        return competition_selectors.competition_get(slug=slug, user=AnonymousUser())
    except NotFound:
        return None


def seed_demo(*, reset: bool = False, log: Callable[[str], None] = lambda line: None) -> bool:
    """Create what is missing of the demo; False when it was all there (nothing done)."""
    if reset:
        demo_reset(log=log)
    elif demo_is_complete():
        return False
    log("Seeding the demo: scikit-learn's datasets, models and scored boards (a minute at most)")
    users = {
        u.username: user_ensure(
            username=u.username,
            password=u.password,
            email=f"{u.username}@podium.example",
            is_staff=u.is_staff,
            is_superuser=u.is_superuser,
        )
        for u in USERS
    }
    for user in users.values():  # the operator vouches for them: no "verify your email" banner
        if user.email:
            email_mark_verified(user=user, email=user.email)
    organizer_grant(user=users[ORGANIZER.username], by=users[ADMIN.username])
    with _scoring_in_process():
        for spec in COMPETITIONS:
            _seed_competition(spec, users, log)
        _seed_finished(FINISHED, users, log)
        seed_community(slugs=SLUGS, usernames=list(users), log=log)
    seed_kernel_community(log=log)
    return True


def demo_reset(*, log: Callable[[str], None] = lambda line: None) -> None:
    """Delete the demo competitions and the demo users (other data is left alone)."""
    for slug in SLUGS:
        competition = _find(slug)
        if competition is not None:
            competition_delete(competition=competition)
            log(f"deleted {slug}")
    users_delete(usernames=[u.username for u in USERS])


def _seed_competition(spec: DemoCompetition, users: dict, log: Callable[[str], None]) -> None:
    organizer = users[ORGANIZER.username]
    competition = _find(spec.slug)
    if competition is None:
        start = now() - timedelta(days=14)
        end = start + timedelta(days=14 + spec.ends_in_days)
        competition = competition_create(
            created_by=organizer,
            slug=spec.slug,
            title=spec.title,
            subtitle=spec.subtitle,
            metric=spec.metric,
            score_display_precision=spec.precision,
            overview=spec.texts["overview"].strip(),
            evaluation=spec.texts["evaluation"].strip(),
            data_description=spec.texts["data"].strip(),
            rules=pages.rules(daily=5, finals=2),
            start_at=start,
            end_at=end,
            entry_deadline=end - timedelta(days=7),
            team_merger_deadline=end - timedelta(days=7),
            status=Competition.Status.PUBLISHED,
            published_at=start,
        )
        log(f"created {spec.slug}")
    files = _lazy_data(spec)
    _seed_files(competition, organizer, files)
    teams = {
        u.username: competition_join(user=users[u.username], competition=competition)
        for u in PARTICIPANTS
    }
    made = {
        username: {
            v.description
            for v in submission_selectors.team_submissions(team=team, viewer=users[username])
        }
        for username, team in teams.items()
    }
    if all(made.values()):  # every demo team has its entries from an earlier run
        return
    todo = [(u, d, c) for u, d, c in files().entries if d not in made[u]]
    for username, description, content in todo:
        submission_create(
            user=users[username],
            competition=competition,
            description=description,
            file=ContentFile(content, name=f"{username}-submission.csv"),
        )
    log(f"{spec.slug}: {len(todo)} submission(s) made and scored")


def _lazy_data(spec: DemoCompetition) -> Callable:
    """The competition's files and entries, built (scikit-learn, models) on first use only."""
    data = None

    def files():
        nonlocal data
        if data is None:  # scikit-learn and the models only when something is missing
            from podium.demo import datasets

            data = getattr(datasets, spec.build)()
        return data

    return files


def _seed_files(competition: Competition, organizer, files: Callable) -> None:
    present = {f.name for f in competition_selectors.data_files(competition=competition)}
    for name, kind, what in (  # the sample first: the answer key is checked against it
        ("sample_submission.csv", DataFile.Kind.SAMPLE_SUBMISSION, "A valid submission"),
        ("train.csv", DataFile.Kind.TRAIN, "The training set, with the answers"),
        ("test.csv", DataFile.Kind.TEST, "The test set: predict these rows"),
    ):
        if name not in present:
            content = getattr(files(), name.removesuffix(".csv"))
            data_file_create(
                competition=competition,
                kind=kind,
                name=name,
                description=what,
                file=ContentFile(content, name=name),
            )
    if competition_selectors.active_solution(competition) is None:
        solution_version_create(
            competition=competition,
            created_by=organizer,
            note="demo answer key",
            file=ContentFile(files().solution, name="solution.csv"),
        )


def _seed_finished(spec: DemoCompetition, users: dict, log: Callable[[str], None]) -> None:
    """The finished competition, played out in the past: created six weeks before its end
    (three days ago, at noon UTC), joined by five teams, one entry every few days, the final
    selections made the day before the end, then the private board revealed now."""
    from podium.demo.datasets import FINALS

    organizer = users[ORGANIZER.username]
    end = utc_day_start(now()) + timedelta(days=spec.ends_in_days, hours=12)
    start = end - timedelta(weeks=FINISHED_WEEKS)
    competition = _find(spec.slug)
    if competition is None:
        with _clock(start - timedelta(days=1)):
            competition = competition_create(
                created_by=organizer,
                slug=spec.slug,
                title=spec.title,
                subtitle=spec.subtitle,
                metric=spec.metric,
                score_display_precision=spec.precision,
                overview=spec.texts["overview"].strip(),
                evaluation=spec.texts["evaluation"].strip(),
                data_description=spec.texts["data"].strip(),
                rules=pages.rules(daily=5, finals=2),
                start_at=start,
                end_at=end,
                entry_deadline=end - timedelta(days=7),
                team_merger_deadline=end - timedelta(days=7),
                status=Competition.Status.PUBLISHED,
                published_at=start,
            )
        log(f"created {spec.slug}")
    start, end = competition.start_at, competition.end_at  # as created, on any later run
    files = _lazy_data(spec)
    with _clock(start - timedelta(hours=12)):
        _seed_files(competition, organizer, files)
    players = (*PARTICIPANTS, *LATECOMERS)
    teams = {}
    for i, u in enumerate(players):
        with _clock(start + timedelta(hours=2 + 5 * i)):
            teams[u.username] = competition_join(user=users[u.username], competition=competition)
    made = {
        username: {
            v.description: v.id
            for v in submission_selectors.team_submissions(team=team, viewer=users[username])
        }
        for username, team in teams.items()
    }
    if not all(made.values()):
        entries = files().entries
        step = (end - start - timedelta(days=2)) / len(entries)
        todo = 0
        for i, (username, description, content) in enumerate(entries):
            if description in made[username]:
                continue
            moment = start + timedelta(days=1) + step * i
            with _clock(moment):
                submission = submission_create(
                    user=users[username],
                    competition=competition,
                    description=description,
                    file=ContentFile(content, name=f"{username}-submission.csv"),
                )
            made[username][description] = submission.pk
            board_ranks_snapshot(competition=competition, moment=moment + timedelta(minutes=10))
            todo += 1
        log(f"{spec.slug}: {todo} submission(s) made and scored")
    if competition.private_revealed_at is None:
        with _clock(end - timedelta(days=1)):
            for username, descriptions in FINALS.items():
                chosen = [made[username][d] for d in descriptions]
                final_selection_set(
                    user=users[username], team=teams[username], submission_ids=chosen
                )
        leaderboard_reveal(competition=competition, by=organizer)
        log(f"{spec.slug}: private leaderboard revealed")
