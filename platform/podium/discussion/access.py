"""Who may see, write in and moderate a forum: read-only rules shared by the services and the
selectors, so a page, the API and a notification's recipients answer alike.

- The site forum: everyone reads it; anyone signed in writes; staff moderate.
- A competition's forum: whoever may view the competition (``competitions.selectors.can_view``)
  reads and writes; an archived one is read-only; its organizers (and superusers) moderate.
- A team's thread: its members only, for reading and writing; nobody moderates it.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from podium.competitions import selectors as competition_selectors
from podium.competitions.models import Competition
from podium.core.errors import DomainError, NotFound, PermissionDenied
from podium.discussion.error_codes import DiscussionErrorCode as Code
from podium.discussion.models import Topic
from podium.teams.models import Membership


def is_team_member(user, team_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(team_id=team_id, user=user).exists()


def can_read_forum(user, competition: Competition | None) -> bool:
    return competition is None or competition_selectors.can_view(user, competition)


def can_see(user, topic: Topic) -> bool:
    """Whether ``user`` may read ``topic`` at all (a hidden one still shows as a placeholder)."""
    if topic.team_id is not None:
        return is_team_member(user, topic.team_id)
    return can_read_forum(user, topic.competition)


def is_moderator(user, topic_or_competition: Topic | Competition | None) -> bool:
    """Organizers (and superusers) in a competition's forum, staff in the site forum; nobody in
    a team's thread."""
    if not (user.is_authenticated and user.is_active):
        return False
    if isinstance(topic_or_competition, Topic):
        if topic_or_competition.team_id is not None:
            return False
        competition = topic_or_competition.competition
    else:
        competition = topic_or_competition
    if competition is None:
        return user.is_staff or user.is_superuser
    return competition_selectors.is_organizer(user, competition)


def topic_not_found(topic_id) -> NotFound:
    return NotFound(Code.TOPIC_NOT_FOUND, f"There is no topic #{topic_id}.")


def sign_in_refusal(user) -> DomainError | None:
    if not (user.is_authenticated and user.is_active):
        return PermissionDenied(Code.SIGN_IN_REQUIRED, "Sign in to take part in the discussion.")
    return None


def write_refusal(user, competition: Competition | None) -> DomainError | None:
    """Why ``user`` may not write in this forum (a competition's, or the site's), or None."""
    refusal = sign_in_refusal(user)
    if refusal is not None:
        return refusal
    if competition is None:
        return None
    if not competition_selectors.can_view(user, competition):
        return competition_selectors.competition_not_found(competition.slug)
    try:
        competition_selectors.require_not_archived(competition, to="take new posts")
    except DomainError as exc:
        return exc
    return None


def topic_write_refusal(user, topic: Topic) -> DomainError | None:
    """Why ``user`` may not reply in (or edit a post of) ``topic``, or None."""
    refusal = sign_in_refusal(user)
    if refusal is not None:
        return refusal
    if not can_see(user, topic):
        return topic_not_found(topic.pk)
    if topic.team_id is None:
        refusal = write_refusal(user, topic.competition)
        if refusal is not None:
            return refusal
    if topic.locked:
        return DomainError(
            Code.TOPIC_LOCKED, "This topic is locked: it takes no new replies or edits.", status=409
        )
    return None


def moderator_refusal(user, topic_or_competition) -> DomainError | None:
    refusal = sign_in_refusal(user)
    if refusal is not None:
        return refusal
    if not is_moderator(user, topic_or_competition):
        return PermissionDenied(
            Code.NOT_A_MODERATOR,
            "Only the organizers moderate this forum (the site forum: the staff).",
        )
    return None


def readers_among(user_ids: set[int], topic: Topic) -> set[int]:
    """Those of ``user_ids`` who may read ``topic`` (whom a mention may notify)."""
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    if topic.team_id is not None:
        members = Membership.objects.filter(team_id=topic.team_id, user__in=users)
        return set(members.values_list("user_id", flat=True))
    if topic.competition is None:
        return set(users.values_list("pk", flat=True))
    return {u.pk for u in users if competition_selectors.can_view(u, topic.competition)}
