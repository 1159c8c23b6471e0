"""Before the reveal no private score leaves the server, to anyone but the organizers.

Every URL pattern of ``podium.config.urls`` is walked, its arguments filled with real objects,
and fetched (GET) as an anonymous visitor, as a participant, as a member of another team and as
a signed-in user who joined nothing; no response (body or headers) may hold a private score, in
any format a page, an export or an error message could use. The admin is walked by its
registered models: closed to participants, and scoped for an organizer of another competition.
After the reveal, the same walk finds the private board.

A URL pattern whose arguments this walker does not know fails the test: whoever adds one adds
its values to ``ARGUMENTS`` below, so no new page escapes the walk.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import product

import numpy as np
import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.discussion import services as discussion_services
from podium.discussion.models import Reply, Topic
from podium.kernels.models import KernelLogChunk, KernelRun
from podium.leaderboards.models import PrivateEntry
from podium.leaderboards.reveal import leaderboard_reveal
from podium.leaderboards.services import private_board_build
from podium.notifications.models import Notification
from podium.submissions.models import Submission
from podium.submissions.services import final_selection_set
from podium.teams.models import Team
from podium.teams.services import competition_join
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    csv_bytes,
    organizer,
    participant,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)


# -- the world the walk runs in -----------------------------------------------------------------


@dataclass
class World:
    competition: Competition
    alice: object  # a participant with scored, selected and late submissions
    bob: object  # a member of another team
    eve: object  # signed in, joined nothing
    outsider_organizer: object  # staff, organizes another competition

    def refresh(self) -> None:
        self.competition.refresh_from_db()

    def private_scores(self) -> list[float]:
        scores = Submission.objects.filter(private_score__isnull=False)
        values = list(scores.values_list("private_score", flat=True))
        values += list(PrivateEntry.objects.values_list("private_score", flat=True))
        return sorted(set(values))

    def public_scores(self) -> list[float]:
        scores = Submission.objects.filter(public_score__isnull=False)
        return sorted(set(scores.values_list("public_score", flat=True)))


def split_predictions(competition, public_quality: float, private_quality: float, seed: int):
    """Predictions whose public and private AUCs differ: above 0.5 a ``quality`` ranks the
    positives higher, below it lower (so the private board can turn the public one over)."""
    ids, target, usage = competition.answer
    rng = np.random.default_rng(seed)
    quality = np.where(usage == "Public", public_quality, private_quality)
    s = (quality - 0.5) * target + rng.random(len(ids))
    p = (s - s.min()) / (s.max() - s.min())
    return ContentFile(csv_bytes(["id", "target"], [ids, np.round(p, 6)]), name="split.csv")


@pytest.fixture
def world(eager) -> World:
    competition = competition_with_solution(
        rows=300,
        seed=3,
        auto_reveal_private=False,
        daily_submission_limit=20,
        score_display_precision=4,
    )
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    eve = UserFactory(username="eve")
    for quality, seed in ((0.9, 1), (0.7, 2)):  # alice: good in public, poor in private
        submit(alice, competition, split_predictions(competition, quality, 0.35, seed))
    for quality, seed in ((0.6, 3), (0.55, 4)):  # bob: the other way round
        submit(bob, competition, split_predictions(competition, quality, 0.8, seed))
    assert not Submission.objects.exclude(status=Submission.Status.SCORED).exists()
    mine = Submission.objects.filter(team__name="alice").order_by("pk").first()
    final_selection_set(user=alice, team=mine.team, submission_ids=[mine.pk])
    private_board_build(competition=competition)  # built early (as by a rescoring): still hidden
    kernel_run(competition, mine)
    discussion(competition, alice, bob)
    other = competition_with_solution()
    return World(competition, alice, bob, eve, organizer(other))


def kernel_run(competition, submission) -> KernelRun:
    """A published, finished kernel run that submitted ``submission`` (a private score): the
    Kernels tab, its page, its log and its downloads are walked with it."""
    run = KernelRun(
        uuid=uuid.uuid4(),
        competition=competition,
        created_by=submission.submitted_by,
        team=submission.team,
        title="walked kernel",
        source=KernelRun.Source.SCRIPT,
        published=True,
        wall_seconds=60,
        cpu_seconds=60,
        memory_mb=512,
        output_mb=10,
        status=KernelRun.Status.SUCCEEDED,
        started_at=now() - timedelta(minutes=2),
        finished_at=now() - timedelta(minutes=1),
        submission=submission,
    )
    run.script.save("kernel.py", ContentFile(b"print('hello')\n"), save=False)
    run.output.save("submission.csv", ContentFile(b"id,target\n0,0.5\n"), save=False)
    run.save()
    KernelLogChunk.objects.create(run=run, seq=1, text="hello\n")
    return run


def discussion(competition, alice, bob) -> None:
    """A topic with a reply and votes in the competition's forum, one in the site forum, and
    alice's team thread: the forum's pages, badges and search are walked with them."""
    topic = discussion_services.topic_create(
        user=alice, competition=competition, title="walked topic", body="Any leak in the ids?"
    )
    reply = discussion_services.reply_create(user=bob, topic=topic, body="None that I saw.")
    discussion_services.vote_cast(user=bob, topic=topic)
    discussion_services.vote_cast(user=alice, reply=reply)
    discussion_services.topic_create(user=bob, title="walked site topic", body="Hello")
    discussion_services.team_thread_post(user=alice, team=alice.memberships.get().team, body="hi")


def end(world: World) -> None:
    """The competition ends (not revealed: auto_reveal_private is off); alice submits late."""
    Competition.objects.filter(pk=world.competition.pk).update(end_at=now() - timedelta(minutes=5))
    world.refresh()
    predictions = split_predictions(world.competition, 0.3, 0.65, 9)
    late = submit(world.alice, world.competition, predictions)
    late.refresh_from_db()
    assert late.is_late and late.status == Submission.Status.SCORED


# -- what must not show ---------------------------------------------------------------------------

# Times and dates in a page (title="2026-01-01T12:00:00.123456+00:00") may hold any digits.
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?")
# A chart's axis labels (``podium.web.charts``: round values like 0.75 that nice_ticks picks to
# span the plotted range) are not scores; the points' own values are in their <title>s.
AXIS_TICK = re.compile(r'<text class="tick"[^>]*>[^<]*</text>')
# A chart's geometry: its x coordinates follow the submissions' times, so a path's "H120.78" may
# hold any digits (CI once read a private 0.7826 in one). Only the drawing attributes of the
# charts' own elements are blanked, and only where they hold numbers and path commands.
SVG_GEOMETRY = re.compile(
    r"(<(?:path|circle|rect|line|text)\b[^>]*?)"
    r'\b(d|x|y|cx|cy|x1|x2|y1|y2|width|height)="[-\d. MHVLZ]*"'
)

# /metrics' measurements of time (latencies, ages, process figures, creation times) and its
# histogram bucket bounds may hold any digits: their values are blanked, the metric names and
# the labels stay (a score in a label, or a count that is a score, would still be found).
PROMETHEUS_MEASUREMENT = re.compile(
    r"^((?:podium_\w*seconds\w*|process_\w+|python_\w+|\w+_created)(?:\{[^}]*\})?) \S+$",
    re.MULTILINE,
)
PROMETHEUS_BUCKET = re.compile(r'le="[^"]*"')


def forms(value: float) -> set[str]:
    """Every way a page, an export, a log or an error could write ``value``."""
    out = {repr(value), str(value), f"{value:g}", f"{value:e}", f"{value:.2%}"}
    out |= {f"{value:.{k}f}" for k in range(2, 18)}
    out |= {str(round(value, k)) for k in range(2, 18)}
    # "0.8" (0.7961 rounded to 2 places) could be anything: two decimals at least
    return {form for form in out if re.search(r"\d\.\d{2}", form)}


def secrets(world: World) -> dict[str, float]:
    """Each form of each private score; none may be part of a public score's forms, or the
    walk would report a public score as a leak (the data is chosen so that none is)."""
    private = world.private_scores()
    assert len(private) >= 4, private
    public_text = " ".join(f for v in world.public_scores() for f in forms(v))
    table = {form: value for value in private for form in forms(value)}
    clashes = [form for form in table if form in public_text]
    assert not clashes, f"choose other test data: {clashes}"
    return table


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    text = AXIS_TICK.sub(" ", body.decode("utf-8", "replace"))
    while (blanked := SVG_GEOMETRY.sub(r"\1", text)) != text:  # one attribute per pass
        text = blanked
    if response.get("Content-Type", "").startswith("text/plain; version="):  # /metrics
        text = PROMETHEUS_BUCKET.sub("le", PROMETHEUS_MEASUREMENT.sub(r"\1 ", text))
    return TIMESTAMP.sub(" ", headers + "\n" + text)


# Pages that show the private board or a private figure; none may render before the reveal.
PRIVATE_MARKERS = ('class="table board private"', "Private score", 'class="badge counted"')


# -- the walk -------------------------------------------------------------------------------------

# Values for each URL argument, from the world. A pattern with an argument missing here fails
# ``test_the_walker_knows_every_url_argument``: add the argument's real values (and a wrong one).
ARGUMENTS: dict[str, Callable[[World], list[str]]] = {
    "slug": lambda w: [w.competition.slug],
    "name": lambda w: [*w.competition.data_files.values_list("name", flat=True), "nope.csv"],
    "submission_id": lambda w: [
        str(pk) for pk in Submission.objects.order_by("pk").values_list("pk", flat=True)
    ],
    "token": lambda w: [w.competition.invitation_token, "not-a-token"],
    "path": lambda w: ["podium/podium.css"],  # the static files
    # the teams' answers (POST only): invitations, join and merge requests
    "kind": lambda w: ["invitations", "join-requests", "merge-requests"],
    "pk": lambda w: [str(pk) for pk in Team.objects.values_list("pk", flat=True)],
    "answer": lambda w: ["accept", "decline"],
    # password reset links: alice's uid (with a wrong token), and a wrong uid
    "uidb64": lambda w: [urlsafe_base64_encode(force_bytes(w.alice.pk)), "bm9wZQ"],
    # API tokens (the profile's buttons are POST only; the API's own views)
    "token_id": lambda w: ["1", "999999"],
    "action": lambda w: ["rotate", "revoke"],
    # the kaggle CLI's protocol (POST only: a GET is refused) and its upload token
    "service": lambda w: ["competitions.CompetitionApiService", "security.OAuthService"],
    "method": lambda w: ["ListSubmissions", "GetLeaderboard", "DownloadLeaderboard"],
    # kernel runs (the API's kernel views) and their downloads
    "run_id": lambda w: [
        *(str(pk) for pk in KernelRun.objects.values_list("pk", flat=True)),
        "999999",
    ],
    "what": lambda w: ["code", "config", "log", "output", "artifacts"],
    # discussion topics (the world's, and one that does not exist), replies, actions (POST only)
    "topic_id": lambda w: [
        *(str(pk) for pk in Topic.objects.values_list("pk", flat=True)),
        "999999",
    ],
    "reply_id": lambda w: [str(pk) for pk in Reply.objects.values_list("pk", flat=True)],
    "act": lambda w: ["vote", "report"],
    "post_type": lambda w: ["topics", "replies"],
    # notifications: some of the walk's own (opened, and marked read, by their recipient only)
    "notification_id": lambda w: [
        *(str(pk) for pk in Notification.objects.order_by("pk").values_list("pk", flat=True)[:3]),
        "999999",
    ],
    # a kernel run's comments (their edit is POST only)
    "comment_id": lambda w: ["1", "999999"],
    # public profiles (web and API): each participant's, and nobody's
    "username": lambda w: [w.alice.get_username(), w.bob.get_username(), "nobody"],
}
# Patterns left out of the generic walk, and why.
SKIPPED_NAMESPACES = {"admin"}  # walked by its registered models: test_the_admin_...
# Routes that answer with the viewer's own team's upload, byte for byte (a prediction file's
# digits read as scores): walked for their headers only when they answer 200 and the file is
# one of the viewer's team's. Who may have them: tests/podium/web/test_teammate_files.py.
OWN_UPLOADS = {"web:submission_file"}


@dataclass(frozen=True)
class Route:
    name: str
    parts: tuple  # the URL patterns from the root to this one
    arguments: tuple[str, ...]


def routes(patterns=None, parents=(), namespace="") -> Iterator[Route]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry.url_patterns, (*parents, entry), inner)
        elif isinstance(entry, URLPattern):
            parts = (*parents, entry)
            arguments = tuple(
                name
                for part in parts
                for name in part.pattern.regex.groupindex
                if name not in (part.default_args or {})
            )
            yield Route(f"{namespace}{entry.name or entry.pattern}", parts, arguments)


def fill(part, values: dict[str, str]) -> str:
    """One pattern's piece of the URL, its arguments replaced by ``values``."""
    text = str(part.pattern)
    if text.startswith("^") or "(?P<" in text:  # a regular expression
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], text)
        return text.lstrip("^").rstrip("$").replace("\\", "")
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], text)


def urls(world: World) -> list[tuple[str, str]]:
    """(route name, URL) for every pattern and every combination of its arguments' values."""
    found = []
    for route in routes():
        choices = [ARGUMENTS[name](world) for name in route.arguments]
        for combination in product(*choices):
            values = dict(zip(route.arguments, combination, strict=True))
            found.append((route.name, "/" + "".join(fill(p, values) for p in route.parts)))
    return found


def viewers(world: World) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for name in ("alice", "bob", "eve"):
        clients[name] = Client()
        clients[name].force_login(getattr(world, name))
    return clients


def walk(world: World) -> dict[tuple[str, str, str], str]:
    """The text of every response: (viewer, route name, URL) -> headers and body."""
    seen = {}
    for who, client in viewers(world).items():
        for name, url in urls(world):
            response = client.get(url)
            assert response.status_code < 500, (who, url, response.status_code)
            if name in OWN_UPLOADS and response.status_code == 200:
                own = Submission.objects.get(pk=int(url.rstrip("/").split("/")[-2]))
                assert own.team.memberships.filter(user__username=who).exists(), (who, url)
                response = HttpResponse(headers=dict(response.headers))
            seen[(who, name, url)] = text_of(response)
    return seen


def leaks(seen: dict, table: dict[str, float]) -> list[str]:
    found = []
    for (who, name, url), text in seen.items():
        for form, value in table.items():
            if form in text:
                found.append(f"{who} GET {url} ({name}): private score {value!r} as {form!r}")
        for marker in PRIVATE_MARKERS:
            if marker in text:
                found.append(f"{who} GET {url} ({name}): {marker!r}")
    return found


# -- the tests ------------------------------------------------------------------------------------


def test_the_walker_knows_every_url_argument():
    unknown = {
        route.name: sorted(set(route.arguments) - set(ARGUMENTS))
        for route in routes()
        if set(route.arguments) - set(ARGUMENTS)
    }
    assert not unknown, (
        f"URL patterns with arguments the no-leak walk cannot fill: {unknown}. Add their values "
        "to ARGUMENTS in tests/podium/web/test_no_leak.py."
    )


def test_the_walk_covers_the_participant_pages(world):
    names = {name for name, _ in urls(world)}
    assert {
        "web:leaderboard",
        "web:leaderboard_private",
        "web:my_submissions",
        "web:submission_status",
        "web:data_download",
        "web:overview",
    } <= names


def test_no_private_score_leaves_before_the_reveal(world, caplog):
    table = secrets(world)
    assert not leaks(walk(world), table), "\n".join(leaks(walk(world), table))

    end(world)  # the most tempting moment: over, not revealed, a late entry scored
    table = secrets(world)
    seen = walk(world)
    assert not leaks(seen, table), "\n".join(leaks(seen, table))
    # nor in what the server logged meanwhile
    logged = TIMESTAMP.sub(" ", caplog.text)
    assert not [form for form in table if form in logged]

    # ... and the private board is there, for everyone, once revealed
    assert leaderboard_reveal(competition=world.competition) is True
    seen = walk(world)
    top = PrivateEntry.objects.get(rank=1)
    shown = f"{top.private_score:.{world.competition.score_display_precision}f}"
    private_url = reverse("web:leaderboard_private", args=[world.competition.slug])
    for who in ("anonymous", "alice", "bob", "eve"):
        assert shown in seen[(who, "web:leaderboard_private", private_url)], who
    # alice's late submission shows with both its scores, on her page only
    late = Submission.objects.get(is_late=True)
    late_shown = f"{late.private_score:.4f}"
    mine = reverse("web:my_submissions", args=[world.competition.slug])
    assert late_shown in seen[("alice", "web:my_submissions", mine)]
    assert late_shown not in seen[("bob", "web:my_submissions", mine)]
    assert not PrivateEntry.objects.filter(submission=late).exists()


def test_the_admin_is_closed_to_participants_and_scoped_for_other_organizers(world):
    end(world)
    table = secrets(world)
    pages = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        for pk in model_admin.model.objects.values_list("pk", flat=True)[:50]:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
    clients = viewers(world)
    for who, client in clients.items():
        for url in pages:
            response = client.get(url)
            assert response.status_code == 302, (who, url, response.status_code)
            assert response["Location"].startswith(reverse("admin:login")), (who, url)

    other = Client()
    other.force_login(world.outsider_organizer)
    seen = {}
    for url in pages:
        response = other.get(url)
        assert response.status_code < 500, (url, response.status_code)
        seen[("other organizer", "admin", url)] = text_of(response)
    found = [line for line in leaks(seen, table) if "Private score" not in line]
    assert not found, "\n".join(found)


def test_organizers_do_see_private_scores_before_the_reveal(world):
    """The walk's counterpart: the rule lets the competition's own organizers through."""
    host = Client()
    host.force_login(organizer(world.competition))
    page = host.get(reverse("web:leaderboard_private", args=[world.competition.slug]))
    top = PrivateEntry.objects.get(rank=1)
    assert f"{top.private_score:.4f}" in page.content.decode()
    assert isinstance(AnonymousUser(), AnonymousUser)


# -- drafts and the issue-16 pages ----------------------------------------------------------------


@pytest.fixture
def draft_world(eager) -> World:
    """A draft whose organizer made four scored test submissions (and ran a kernel on it);
    the walkers are participants of another, published competition."""
    draft = competition_with_solution(
        rows=300,
        seed=3,
        title="Unseen Draft",
        slug="unseen-draft",
        status=Competition.Status.DRAFT,
        daily_submission_limit=20,
        score_display_precision=4,
    )
    host = organizer(draft, "host")
    competition_join(user=host, competition=draft)
    for public, private, seed in ((0.9, 0.35, 1), (0.7, 0.35, 2), (0.6, 0.8, 3), (0.55, 0.8, 4)):
        submit(host, draft, split_predictions(draft, public, private, seed))
    tests = Submission.objects.filter(competition=draft)
    assert all(s.is_test and s.status == Submission.Status.SCORED for s in tests)
    kernel_run(draft, tests.first())
    published = competition_with_solution(title="Open One")
    alice, bob = participant(published, "alice"), participant(published, "bob")
    return World(draft, alice, bob, UserFactory(username="eve"), organizer(published))


def test_a_draft_is_nowhere_for_anyone_but_its_organizers(draft_world):
    """Every URL, filled with the draft's slug, its test submissions and its kernel run, as
    each walker: nothing of the draft shows (its title, a score of its test submissions), and
    none of its URLs answers 200; then the same once the draft ended (the friendly page after
    the end must not open for it either)."""
    table = secrets(draft_world)
    for moment in ("running", "ended"):
        if moment == "ended":
            Competition.objects.filter(pk=draft_world.competition.pk).update(
                end_at=now() - timedelta(minutes=5)
            )
        opened, found = [], []
        for who, client in viewers(draft_world).items():
            for name, url in urls(draft_world):
                response = client.get(url)
                assert response.status_code < 500, (who, url, response.status_code)
                text = text_of(response)
                if "Unseen Draft" in text:
                    found.append(f"{who} GET {url} ({name}): the draft's title")
                if "unseen-draft" in url and response.status_code == 200:
                    opened.append(f"{who} GET {url} ({name})")
                found += leaks({(who, name, url): text}, table)
        assert not found, "\n".join(found)
        assert not opened, "\n".join(opened)


def test_the_new_pages_show_no_private_score_before_the_reveal(world):
    """The reveal's confirmation page and the publish page are the organizers' (refused to
    everyone else); after the end the private tab is a page that says what is true, with no
    private score (the walk above checks every page for scores; this checks what they say)."""
    slug = world.competition.slug
    end(world)
    table = secrets(world)
    seen = walk(world)
    assert not leaks(seen, table), "\n".join(leaks(seen, table))
    private_url = reverse("web:leaderboard_private", args=[slug])
    for who in ("anonymous", "alice", "bob", "eve"):
        page = seen[(who, "web:leaderboard_private", private_url)]
        assert "the organizers will reveal the private leaderboard" in page, who
    client = Client()
    client.force_login(world.alice)
    for name in ("web:dashboard_reveal", "web:publish"):
        response = client.get(reverse(name, args=[slug]))
        assert response.status_code == 403, name
        assert not leaks({("alice", name, ""): text_of(response)}, table)
