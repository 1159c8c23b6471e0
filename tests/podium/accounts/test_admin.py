"""The users' and groups' admin: only a superuser changes who may do what, even for a staff user
who was given the permission to change users."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.podium.adminforms import form_data
from tests.podium.factories import UserFactory, organizer, superuser

pytestmark = pytest.mark.django_db


def user_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


@pytest.fixture
def helpdesk(client):
    """Staff who may change users (no Podium group gives that), signed in."""
    user = UserFactory(is_staff=True)
    codenames = ["view_user", "change_user", "view_group", "change_group"]
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", codename__in=codenames)
    )
    client.force_login(user)
    return user


def test_staff_who_change_users_cannot_grant_roles(client, helpdesk):
    plain = UserFactory(first_name="Kim")
    page = client.get(user_url(plain))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert not {"is_staff", "is_superuser", "groups", "user_permissions"} & set(form.fields)
    data = form_data(
        page,
        first_name="Kimberly",
        is_staff="on",
        is_superuser="on",
        groups=[str(Group.objects.get_or_create(name="Organizers")[0].pk)],
    )
    assert client.post(user_url(plain), data).status_code == 302
    plain.refresh_from_db()
    assert plain.first_name == "Kimberly"  # the rest of the account is theirs to change
    assert not plain.is_staff and not plain.is_superuser and not plain.groups.exists()


def test_staff_and_superuser_accounts_are_beyond_their_reach(client, helpdesk):
    for user in (organizer(), superuser()):
        page = client.get(user_url(user))
        assert page.status_code == 200 and not page.context["has_change_permission"]
        password_url = reverse("admin:auth_user_password_change", args=[user.pk])
        assert client.get(password_url).status_code == 403
    group = Group.objects.get_or_create(name="Organizers")[0]
    page = client.get(reverse("admin:auth_group_change", args=[group.pk]))
    assert not page.context["has_change_permission"]


def test_a_superuser_changes_roles(client):
    client.force_login(superuser())
    plain = UserFactory()
    page = client.get(user_url(plain))
    assert {"is_staff", "is_superuser", "groups"} <= set(page.context["adminform"].form.fields)
