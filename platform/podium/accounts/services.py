"""Writes of the accounts app: users and the organizers' permission group."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

ORGANIZERS_GROUP = "Organizers"
# The apps whose models an organizer edits in the admin (scoped there to their competitions).
ORGANIZER_APPS = ("competitions", "teams", "submissions", "leaderboards")


def user_ensure(
    *, username: str, password: str, email: str = "", first_name: str = "",
    is_staff: bool = False, is_superuser: bool = False,
):
    """The user called ``username``, created with these fields if missing; an existing user is
    returned unchanged (their password may have been changed since)."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    user = User(
        username=username, email=email, first_name=first_name,
        is_staff=is_staff or is_superuser, is_superuser=is_superuser,
    )
    user.set_password(password)
    user.save()
    return user


def organizers_group() -> Group:
    """The group with every model permission of the organizer-facing apps (created once)."""
    group, created = Group.objects.get_or_create(name=ORGANIZERS_GROUP)
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=ORGANIZER_APPS))
    return group


def organizer_grant(*, user) -> None:
    """Let ``user`` use the admin as an organizer (idempotent); which competitions they see
    there is decided by each competition's organizer list."""
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.groups.add(organizers_group())


def users_delete(*, usernames: list[str]) -> int:
    """Delete these users (the demo's reset); their competitions' rows must be gone first."""
    deleted, _ = get_user_model().objects.filter(username__in=usernames).delete()
    return deleted
