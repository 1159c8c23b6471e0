"""Reads of competitions, with who-may-see-what applied here and only here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, Q, QuerySet, Subquery

from podium.accounts.selectors import verified_email_domains
from podium.accounts.services import ORGANIZERS_GROUP
from podium.competitions.error_codes import CompetitionErrorCode as Code
from podium.competitions.metrics import metric_label
from podium.competitions.models import Competition, DataFile, RuleAcceptance, SolutionVersion
from podium.core.errors import Conflict, NotFound, PermissionDenied
from podium.core.querysets import related_count

User = AbstractBaseUser | AnonymousUser


def is_organizer(user: User, competition: Competition) -> bool:
    """Superusers and the competition's listed organizers: being staff is not enough, so an
    organizer of one competition never sees another's private scores."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or competition.organizers.filter(pk=user.pk).exists()


def require_organizer(*, user: User, competition: Competition, to: str) -> None:
    """PermissionDenied(not_an_organizer) unless ``user`` organizes ``competition``; ``to`` says
    what they tried, e.g. "disqualify its teams"."""
    if not is_organizer(user, competition):
        raise PermissionDenied(
            Code.NOT_AN_ORGANIZER, f"Only the organizers of {competition.title} can {to}."
        )


def competitions_organized(*, user: User) -> QuerySet[Competition]:
    """Every competition for a superuser; for anyone else those they organize."""
    if not user.is_authenticated:
        return Competition.objects.none()
    if user.is_superuser:
        return Competition.objects.all()
    return Competition.objects.filter(organizers=user)


# -- who may make whom an organizer ---------------------------------------------------------------


def holds_organizer_role(users: Iterable) -> set[int]:
    """The ids of those of ``users`` who hold the organizer role (staff in the Organizers group,
    given only by a superuser through ``accounts.services.organizer_grant``) or are superusers."""
    pks = {user.pk for user in users}
    found = get_user_model().objects.filter(_organizer_role(), pk__in=pks)
    return set(found.values_list("pk", flat=True))


def _organizer_role() -> Q:
    return Q(is_superuser=True) | Q(is_staff=True, groups__name=ORGANIZERS_GROUP)


def require_co_hosts_allowed(*, competition: Competition | None, users: Iterable, by: User) -> None:
    """PermissionDenied(co_host_not_an_organizer) when ``by``, not a superuser, chooses as
    organizers of ``competition`` (None: one being created) users who are not organizers.

    A co-host may add only existing organizers (who hold the role) and keep the organizers the
    competition already has; only a superuser makes someone an organizer. Reads only: the
    caller that writes the list holds the competition's row lock.
    """
    if _active_superuser(by):
        return
    users = list(users)
    kept = set(competition.organizers.values_list("pk", flat=True)) if competition else set()
    kept |= holds_organizer_role(users) | {by.pk}
    refused = sorted(user.get_username() for user in users if user.pk not in kept)
    if refused:
        raise PermissionDenied(
            Code.CO_HOST_NOT_AN_ORGANIZER,
            f"Not organizers: {', '.join(refused)}. Only a superuser can make someone an "
            "organizer; choose co-hosts among the existing organizers.",
            details={"users": refused},
        )


# The competition form's user search: people are found by what is typed, never listed whole.
USER_SEARCH_MIN_TERM = 2
USER_SEARCH_PAGE = 20


def user_search(
    *, term: str, co_hosts: bool, by: User, page: int = 1
) -> tuple[list[AbstractBaseUser], bool]:
    """One page of the active users whose username or name contains ``term`` (or whose email
    is exactly ``term``: an address is matched, never offered), and whether more follow.

    ``co_hosts``: the organizers field, where anyone but a superuser may choose only users who
    hold the organizer role, so only those are offered, and a short term lists them (organizers
    are few and know each other). Otherwise (the invited users), and for a superuser choosing
    co-hosts, a term shorter than USER_SEARCH_MIN_TERM finds nobody: no one can page through
    every account.
    """
    term = term.strip()
    users = get_user_model().objects.filter(is_active=True)
    offers_role_only = co_hosts and not _active_superuser(by)
    if offers_role_only:
        users = users.filter(_organizer_role())
    elif len(term) < USER_SEARCH_MIN_TERM:
        return [], False
    if term:
        users = users.filter(
            Q(username__icontains=term)
            | Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(email__iexact=term)
        )
    start = (max(page, 1) - 1) * USER_SEARCH_PAGE
    found = list(users.distinct().order_by("username")[start : start + USER_SEARCH_PAGE + 1])
    return found[:USER_SEARCH_PAGE], len(found) > USER_SEARCH_PAGE


def custom_metric_allowed(user: User) -> bool:
    """Whether ``user`` may choose the custom metric or upload a metric file: superusers only,
    since an organizer's metric file is code that runs on the server (in the sandbox)."""
    return _active_superuser(user)


def _active_superuser(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def with_counts(competitions: QuerySet[Competition]) -> QuerySet[Competition]:
    """Annotate team_count, submission_count, solution_number (the active version's) and that
    version's rescore_requested_at / rescore_finished_at (as solution_rescore_*)."""
    active = SolutionVersion.objects.filter(competition=OuterRef("pk")).order_by("-number")
    return competitions.annotate(
        team_count=related_count(Competition, "teams"),
        submission_count=related_count(Competition, "submissions"),
        solution_number=Subquery(active.values("number")[:1]),
        solution_rescore_requested_at=Subquery(active.values("rescore_requested_at")[:1]),
        solution_rescore_finished_at=Subquery(active.values("rescore_finished_at")[:1]),
    )


def allowed_domains(competition: Competition) -> set[str]:
    """The competition's allowed email domains, lowercased ("@corp.example" means corp.example)."""
    parts = competition.allowed_email_domains.split(",")
    return {d.strip().lower().lstrip("@") for d in parts if d.strip().lstrip("@")}


class _Access:
    """What one viewer's access to invite-only competitions rests on: read once, and only when
    an invite-only competition comes up (a list of public ones costs no query)."""

    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def _grants(self) -> tuple[frozenset[int], frozenset[str]]:
        user = self.user
        if not user.is_authenticated:
            return frozenset(), frozenset()

        def ids(qs) -> set[int]:
            return set(qs.values_list("pk", flat=True))

        competitions = (
            ids(user.organized_competitions.all())
            | ids(user.invited_competitions.all())
            # By lookup, not import: teams sits above competitions.
            | ids(Competition.objects.filter(teams__memberships__user=user).distinct())
        )
        return frozenset(competitions), frozenset(verified_email_domains(user=user))

    @cached_property
    def _organized(self) -> frozenset[int]:
        if not (self.user.is_authenticated and self.user.is_active):
            return frozenset()
        return frozenset(self.user.organized_competitions.values_list("pk", flat=True))

    def allows(self, competition: Competition) -> bool:
        if competition.status == Competition.Status.DRAFT:  # its organizers' only, until published
            if not (self.user.is_authenticated and self.user.is_active):
                return False
            return self.user.is_superuser or competition.pk in self._organized
        if competition.visibility == Competition.Visibility.PUBLIC:
            return True
        if not (self.user.is_authenticated and self.user.is_active):  # a pending sign-up too
            return False
        if self.user.is_superuser:
            return True
        competitions, domains = self._grants
        return competition.pk in competitions or bool(domains & allowed_domains(competition))


def can_view(user: User, competition: Competition) -> bool:
    """Who may see a competition at all; everyone else gets a 404 everywhere (its pages, data,
    joining), as for a competition that does not exist.

    A draft: its organizers and superusers only, whatever its visibility (everyone else is
    told it does not exist, on every page, list, count and link). An archived one: as a
    published one (read-only: ``require_not_archived`` refuses what would change it).
    Public: everyone. Invite-only: superusers; its organizers (the co-hosts); users who opened
    its invitation link (recorded in ``invited_users``); members of one of its teams (whoever
    got in stays in); and users with a VERIFIED email address in one of its allowed domains
    (the address typed on the account does not count until verified).
    """
    return _Access(user).allows(competition)


def require_can_view(*, user: User, competition: Competition) -> None:
    """NotFound, worded as for a competition that does not exist, unless ``can_view``."""
    if not can_view(user, competition):
        raise competition_not_found(competition.slug)


def competition_not_found(slug: str) -> NotFound:
    return NotFound(Code.NOT_FOUND, f"There is no competition called {slug!r}.")


def require_not_archived(competition: Competition, *, to: str) -> None:
    """Conflict(competition_archived) when ``competition`` is archived: it stays readable, but
    nobody joins, uploads or launches a kernel any more. ``to`` says what was tried."""
    if competition.status == Competition.Status.ARCHIVED:
        raise Conflict(
            Code.ARCHIVED,
            f"{competition.title} is archived: it can be read, but no longer {to}.",
        )


def competition_list(
    *, user: User, state: str | None = None, archived: bool = False
) -> list[Competition]:
    """The competitions ``user`` may see; archived ones only with ``archived``."""
    access = _Access(user)
    everything = Competition.objects.prefetch_related("organizers")
    if not archived:
        everything = everything.exclude(status=Competition.Status.ARCHIVED)
    competitions = [c for c in everything if access.allows(c)]
    if state:
        competitions = [c for c in competitions if c.state == state]
    return competitions


@dataclass(frozen=True)
class CompetitionCard:
    """One competition on the home page."""

    slug: str
    title: str
    subtitle: str
    metric: str
    state: str
    start_at: datetime
    end_at: datetime
    team_count: int
    invite_only: bool
    status: str = Competition.Status.PUBLISHED  # a draft shows only to its organizers
    metric_name: str = ""
    metric_description: str = ""


# Home page order: what can be entered now first, then what is coming, then what is over.
_STATE_ORDER = {"active": 0, "upcoming": 1, "closed": 2, "revealed": 2}
CARD_FILTERS = ("active", "upcoming", "closed")


def competition_cards(
    *, user: User, state: str | None = None, search: str = ""
) -> list[CompetitionCard]:
    """The competitions ``user`` may see, with their team counts. ``state`` filters to active,
    upcoming or closed (closed includes revealed); anything else means all. ``search`` keeps
    those whose slug, title or subtitle contains it (any case). Archived competitions are off
    these lists (their pages stay readable); drafts show to their organizers only."""
    competitions = Competition.objects.exclude(status=Competition.Status.ARCHIVED).annotate(
        team_count=related_count(Competition, "teams")
    )
    if search.strip():
        words = search.strip()
        competitions = competitions.filter(
            Q(slug__icontains=words) | Q(title__icontains=words) | Q(subtitle__icontains=words)
        )
    access = _Access(user)
    cards = [
        CompetitionCard(
            slug=c.slug,
            title=c.title,
            subtitle=c.subtitle,
            metric=c.metric,
            state=str(c.state),
            start_at=c.start_at,
            end_at=c.end_at,
            team_count=c.team_count or 0,
            invite_only=c.visibility == Competition.Visibility.INVITE_ONLY,
            status=c.status,
            metric_name=label.name,
            metric_description=label.description,
        )
        for c in competitions
        if access.allows(c)
        for label in (metric_label(c),)
    ]
    if state in CARD_FILTERS:
        closed = {Competition.State.CLOSED, Competition.State.REVEALED}
        cards = [c for c in cards if c.state == state or (state == "closed" and c.state in closed)]

    def order(card: CompetitionCard) -> tuple:
        rank = _STATE_ORDER.get(card.state, 3)
        # active: ending soonest first; upcoming: starting soonest; closed: ended most recently
        moment = {0: card.end_at.timestamp(), 1: card.start_at.timestamp()}.get(
            rank, -card.end_at.timestamp()
        )
        return rank, moment, card.title

    return sorted(cards, key=order)


def competition_get(*, slug: str, user: User) -> Competition:
    """The competition, or NotFound: an invite-only one is not even admitted to exist."""
    return competition_visible(Competition.objects.filter(slug=slug).first(), slug=slug, user=user)


def competition_by_slug(slug: str) -> Competition | None:
    """The competition's row, whoever asks (None: no such competition). For reading before the
    caller is known (an upload's size cap, set before the body streams in); it reveals nothing
    until ``competition_visible`` has admitted the caller."""
    return Competition.objects.filter(slug=slug).first()


def competition_visible(competition: Competition | None, *, slug: str, user: User) -> Competition:
    """``competition`` (read by ``slug``) if ``user`` may see it, else the NotFound of a
    competition that does not exist."""
    if competition is None or not can_view(user, competition):
        raise competition_not_found(slug)
    return competition


def team_count(competition: Competition) -> int:
    return competition.teams.count()


def submission_count(competition: Competition) -> int:
    """All the competition's submissions (by the reverse relation: submissions sits above)."""
    return competition.submissions.count()


def has_accepted_rules(user: User, competition: Competition) -> bool:
    return (
        user.is_authenticated
        and RuleAcceptance.objects.filter(competition=competition, user=user).exists()
    )


def require_rules_accepted(user: User, competition: Competition) -> None:
    if not has_accepted_rules(user, competition):
        raise rules_not_accepted(competition)


def rules_not_accepted(competition: Competition) -> PermissionDenied:
    return PermissionDenied(
        Code.RULES_NOT_ACCEPTED,
        f"Join {competition.title} and accept its rules first (on the competition's Rules page).",
    )


def data_files(*, competition: Competition) -> QuerySet[DataFile]:
    return competition.data_files.all()


def data_file_for_download(*, user: User, competition: Competition, name: str) -> DataFile:
    require_rules_accepted(user, competition)
    data_file = competition.data_files.filter(name=name).first()
    if data_file is None:
        raise NotFound(Code.DATA_FILE_NOT_FOUND, f"{competition.title} has no data file {name!r}.")
    return data_file


def sample_submission(competition: Competition) -> DataFile | None:
    return competition.data_files.filter(kind=DataFile.Kind.SAMPLE_SUBMISSION).first()


def active_solution(competition: Competition) -> SolutionVersion | None:
    return competition.solution_versions.order_by("-number").first()
