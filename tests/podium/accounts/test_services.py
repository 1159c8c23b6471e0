"""user_ensure, organizers_group, organizer_grant, users_delete."""

import pytest
from django.contrib.auth.models import AnonymousUser

from podium.accounts.services import organizer_grant, organizers_group, user_ensure, users_delete
from podium.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def test_user_ensure_creates_once_and_never_changes_an_existing_user():
    user = user_ensure(username="kim", password="secret-1", is_superuser=True)
    assert user.check_password("secret-1") and user.is_staff and user.is_superuser
    again = user_ensure(username="kim", password="other")
    assert again.pk == user.pk and again.check_password("secret-1")
    assert users_delete(usernames=["kim", "nobody"]) == 1


def test_organizers_group_holds_the_organizer_apps_permissions():
    group = organizers_group()
    labels = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert labels == {"competitions", "teams", "submissions", "leaderboards"}
    assert organizers_group().pk == group.pk


def test_organizer_grant_makes_staff_in_the_group_once():
    user = user_ensure(username="org", password="x")
    root = user_ensure(username="root", password="x", is_superuser=True)
    organizer_grant(user=user, by=root)
    organizer_grant(user=user, by=root)
    user.refresh_from_db()
    assert user.is_staff and list(user.groups.values_list("name", flat=True)) == ["Organizers"]


def test_only_a_superuser_grants_the_organizer_role():
    plain = user_ensure(username="plain", password="x")
    organizer = user_ensure(username="org", password="x", is_staff=True)
    organizer.groups.add(organizers_group())
    for by in (organizer, plain, AnonymousUser()):
        with pytest.raises(PermissionDenied) as refused:
            organizer_grant(user=plain, by=by)
        assert refused.value.code == "organizer_grant_superuser_only"
        assert refused.value.message == (
            "Only a superuser can make someone an organizer; plain was not made one."
        )
    plain.refresh_from_db()
    assert not plain.is_staff and not plain.groups.exists()
