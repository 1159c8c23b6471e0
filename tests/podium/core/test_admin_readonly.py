"""Rows that services write are read-only in the admin, for organizers and superusers alike;
only a superuser deletes (a competition's deletion cascades through them)."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from podium.competitions.admin import CompetitionAdmin, SolutionVersionInline
from podium.competitions.models import Competition
from podium.leaderboards.models import LeaderboardEntry, PrivateEntry
from podium.teams.admin import MembershipInline
from podium.teams.models import Team
from tests.podium.factories import organizer, superuser

pytestmark = pytest.mark.django_db


def request_by(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize("model", [Team, LeaderboardEntry, PrivateEntry])
def test_service_written_rows_are_never_added_or_changed_and_only_a_superuser_deletes(model):
    model_admin = admin.site._registry[model]
    for user in (organizer(), superuser()):
        request = request_by(user)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert model_admin.has_delete_permission(request) is user.is_superuser


@pytest.mark.parametrize("inline", [MembershipInline, SolutionVersionInline])
def test_service_written_inlines_list_their_rows_only(inline):
    parent = Team if inline is MembershipInline else Competition
    rows = inline(parent, admin.site)
    request = request_by(superuser())
    assert not rows.can_delete
    assert not rows.has_add_permission(request, None)
    assert not rows.has_change_permission(request, None)
    assert CompetitionAdmin.inlines  # the competition form still carries its inlines
