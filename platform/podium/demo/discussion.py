"""Discussion for the demo: topics with replies and votes in the demo competitions' forums and
the site forum, an organizer's announcement, a team's thread, and on the finished (revealed)
competition the winning team's solution write-up, linked from its private board. Written
through the discussion services, so badges, counts, search and notifications are real.

``seed_discussion`` is idempotent: a topic already there (same forum, same title) is left as
it is, with its replies and votes. seed.py calls it after the competitions exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from podium.competitions.models import Competition
from podium.core.errors import DomainError
from podium.discussion import services
from podium.discussion.models import Topic
from podium.leaderboards import selectors as board_selectors
from podium.teams.models import Membership
from podium.teams.selectors import team_for_user

FINISHED = "wine-cultivars"


@dataclass(frozen=True)
class DemoTopic:
    forum: str | None  # a competition's slug, or None: the site forum
    author: str
    title: str
    body: str
    replies: tuple[tuple[str, str], ...] = ()  # (author, body); "@name" mentions
    voters: tuple[str, ...] = ()
    reply_voters: dict[int, tuple[str, ...]] = field(default_factory=dict)
    announcement: bool = False


TOPICS = (
    DemoTopic(
        None,
        "organizer",
        "Welcome to the Podium forum",
        "This is the **site forum**: questions about Podium itself, ideas for competitions, "
        "and news. Each competition also has its own *Discussion* tab.\n\nBe kind, share what "
        "you learn, and vote for the posts that helped you.",
        replies=(
            ("alice", "Thanks! Is there a way to be told when someone answers me?"),
            ("organizer", "@alice yes: the bell at the top right lists replies and mentions."),
        ),
        voters=("alice", "bob", "carol"),
    ),
    DemoTopic(
        "breast-cancer-diagnosis",
        "organizer",
        "Welcome, and how the private leaderboard works",
        "The public leaderboard uses part of the test set; the **private** one, revealed after "
        "the end, uses the rest and decides the final ranking. Pick your two final "
        "submissions on *My Submissions*.",
        voters=("alice", "bob"),
        announcement=True,
    ),
    DemoTopic(
        "breast-cancer-diagnosis",
        "alice",
        "Does feature scaling matter for the baseline?",
        "The logistic regression baseline standardizes the 30 features. Has anyone tried "
        "without it? My CV AUC barely moves.",
        replies=(
            (
                "bob",
                "It matters for the solver's convergence more than for the AUC. With "
                "`max_iter=1000` I get the same score unscaled.",
            ),
            ("carol", "Same here. Tree models don't care at all: try a gradient boosting model."),
        ),
        voters=("bob", "carol", "organizer"),
        reply_voters={0: ("alice", "carol"), 1: ("alice",)},
    ),
    DemoTopic(
        "handwritten-digits",
        "bob",
        "Anyone want to team up before the merger deadline?",
        "I'm around 0.97 accuracy with a small CNN. Looking for someone with a different "
        "approach to ensemble with.",
        replies=(("alice", "@bob I have an SVM at 0.98: let's merge, I'll send a request."),),
        voters=("alice",),
        reply_voters={0: ("bob",)},
    ),
    DemoTopic(
        "diabetes-progression",
        "carol",
        "Public RMSE much better than my cross-validation",
        "My 5-fold CV says 56 but the public board says 52. Is the public split just lucky?",
        replies=(
            (
                "alice",
                "With a few hundred rows the public part is small: trust your CV, it "
                "is what the private leaderboard will look like.",
            ),
        ),
        voters=("alice", "bob"),
        reply_voters={0: ("carol", "bob")},
    ),
)
TEAM_NOTE = ("breast-cancer-diagnosis", "alice", "Note to self: try gradient boosting next.")


def _users() -> dict:
    return {u.username: u for u in get_user_model().objects.all()}


def _competition(slug: str | None) -> Competition | None:
    return Competition.objects.filter(slug=slug).first() if slug else None


def _quiet(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except DomainError:  # already voted, a forum archived meanwhile: the demo goes on
        return None


def _seed_topic(spec: DemoTopic, users: dict) -> bool:
    competition = _competition(spec.forum)
    if spec.forum and competition is None:
        return False
    if Topic.objects.filter(competition=competition, title=spec.title, team__isnull=True).exists():
        return False
    author = users.get(spec.author)
    if author is None:
        return False
    make = services.announcement_create if spec.announcement else services.topic_create
    topic = make(user=author, competition=competition, title=spec.title, body=spec.body)
    replies = []
    for name, body in spec.replies:
        if name in users:
            replies.append(services.reply_create(user=users[name], topic=topic, body=body))
    for name in spec.voters:
        if name in users:
            _quiet(services.vote_cast, user=users[name], topic=topic)
    for index, names in spec.reply_voters.items():
        for name in names:
            if name in users and index < len(replies):
                _quiet(services.vote_cast, user=users[name], reply=replies[index])
    return True


def _seed_writeup(users: dict) -> bool:
    """The winning team of the finished competition posts its write-up (once revealed)."""
    competition = _competition(FINISHED)
    if competition is None or not competition.private_is_revealed:
        return False
    if Topic.objects.filter(competition=competition, kind=Topic.Kind.WRITEUP).exists():
        return False
    rows = board_selectors.private_board(competition=competition, viewer=AnonymousUser(), limit=5)
    winner = next((row for row in rows if not row.is_baseline), None)
    if winner is None:
        return False
    member = Membership.objects.filter(team_id=winner.team_id).select_related("user").first()
    if member is None:
        return False
    topic = services.writeup_create(
        user=member.user,
        competition=competition,
        title=f"1st place solution: {winner.team_name}",
        body="## Summary\n\nA regularized logistic regression on standardized features, "
        "averaged with a random forest. The two disagree on few wines, and where they do the "
        "average is better calibrated, which the log loss rewards.\n\n## What did not work\n\n"
        "Feature interactions: the cultivars are already well separated.",
    )
    for name in ("alice", "bob", "carol", "dave", "erin"):
        if name in users:
            _quiet(services.vote_cast, user=users[name], topic=topic)
    return True


def _seed_team_note(users: dict) -> bool:
    slug, name, body = TEAM_NOTE
    competition, user = _competition(slug), users.get(name)
    if competition is None or user is None:
        return False
    team = team_for_user(user=user, competition=competition)
    if team is None or Topic.objects.filter(team=team).exists():
        return False
    services.team_thread_post(user=user, team=team, body=body)
    return True


def seed_discussion(*, log: Callable[[str], None] = lambda line: None) -> int:
    """Seed the demo's discussion; the number of topics and threads made (0 the second time)."""
    users = _users()
    made = sum(_seed_topic(spec, users) for spec in TOPICS)
    made += _seed_writeup(users) + _seed_team_note(users)
    if made:
        log(f"discussion: {made} topic(s) with replies and votes")
    return made
