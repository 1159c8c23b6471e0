"""A draft is seen by its organizers (and superusers) only: for anyone else every page, list,
search, API and kaggle endpoint and invitation link answers as for a competition that does
not exist. An archived competition stays readable, off the default lists."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from podium.accounts.tokens import api_token_create
from podium.competitions.models import Competition
from podium.competitions.selectors import (
    can_view,
    competition_cards,
    competition_get,
    competition_list,
)
from podium.competitions.services import competition_invitation_accept
from podium.core.errors import NotFound
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    organizer,
    participant,
    superuser,
)
from tests.podium.kaggle_compat.conftest import SERVICE, basic

pytestmark = pytest.mark.django_db

TABS = ("overview", "data", "evaluation", "rules", "leaderboard", "submit", "my_submissions")


@pytest.fixture
def draft():
    return competition_with_solution(
        title="Hidden Draft", slug="hidden-draft", status=Competition.Status.DRAFT
    )


@pytest.fixture
def people(draft):
    published = competition_with_solution(title="Open One", slug="open-one")
    return {
        "anonymous": AnonymousUser(),
        "participant": participant(published, "pat"),
        "other organizer": organizer(published, "otherhost"),
    }


def test_only_its_organizers_and_superusers_see_a_draft(draft, people):
    host = organizer(draft, "host")
    for name, user in people.items():
        assert not can_view(user, draft), name
        assert "hidden-draft" not in [c.slug for c in competition_cards(user=user)], name
        assert "hidden-draft" not in [c.slug for c in competition_list(user=user)], name
        assert "hidden-draft" not in [c.slug for c in competition_cards(user=user, search="hid")]
        with pytest.raises(NotFound) as refused:
            competition_get(slug="hidden-draft", user=user)
        assert refused.value.message == "There is no competition called 'hidden-draft'."
    for user in (host, superuser()):
        assert can_view(user, draft)
        cards = {c.slug: c for c in competition_cards(user=user)}
        assert cards["hidden-draft"].status == "draft"
        assert "hidden-draft" in [c.slug for c in competition_list(user=user)]


def test_an_invite_only_draft_is_hidden_from_its_invited_users_too(draft):
    Competition.objects.filter(pk=draft.pk).update(visibility="invite_only")
    draft.refresh_from_db()
    invited = UserFactory(username="invited")
    draft.invited_users.add(invited)
    assert not can_view(invited, draft)
    with pytest.raises(NotFound):  # its link opens nothing while it is a draft
        competition_invitation_accept(
            user=UserFactory(), slug=draft.slug, token=draft.invitation_token
        )
    host = organizer(draft)
    assert competition_invitation_accept(user=host, slug=draft.slug, token=draft.invitation_token)


def test_every_page_of_a_draft_is_not_found_for_others(client, draft, people):
    for name in ("participant", "other organizer"):
        client.force_login(people[name])
        for tab in TABS:
            response = client.get(reverse(f"web:{tab}", args=[draft.slug]))
            assert response.status_code == 404, (name, tab)
            assert "Hidden Draft" not in response.content.decode()
        assert client.post(reverse("web:join", args=[draft.slug])).status_code == 404
        link = reverse("web:invitation", args=[draft.slug, draft.invitation_token])
        assert client.get(link).status_code == 404
        assert client.get(reverse("web:publish", args=[draft.slug])).status_code == 404
        home = client.get("/").content.decode()
        assert "Hidden Draft" not in home and "Open One" in home


def test_the_api_and_the_kaggle_list_leave_a_draft_out(client, draft, people):
    listed = client.get("/api/v1/competitions/").json()
    slugs = [c["slug"] for c in listed.get("results", listed)]
    assert "open-one" in slugs and "hidden-draft" not in slugs
    assert client.get("/api/v1/competitions/hidden-draft/").status_code == 404
    assert client.get("/api/v1/competitions/hidden-draft/leaderboard/").status_code == 404

    def kaggle_list(user) -> list[str]:
        _, key = api_token_create(user=user, name="kaggle")
        response = Client().post(
            f"/api/v1/{SERVICE}/ListCompetitions",
            data=json.dumps({}),
            content_type="application/json",
            HTTP_AUTHORIZATION=basic(user.username, key),
        )
        assert response.status_code == 200, response.content
        return [c["ref"] for c in response.json()["competitions"]]

    assert kaggle_list(people["participant"]) == ["open-one"]
    assert "hidden-draft" in kaggle_list(organizer(draft, "host"))


def test_an_organizer_previews_a_draft_with_the_banner(client, draft):
    client.force_login(organizer(draft))
    for tab in TABS:
        page = client.get(reverse(f"web:{tab}", args=[draft.slug]))
        assert page.status_code == 200, tab
        text = page.content.decode()
        assert "Draft: only organizers see this." in text, tab
        assert reverse("web:publish", args=[draft.slug]) in text


def test_an_archived_competition_is_readable_and_off_the_lists(client, people):
    archived = competition_with_solution(
        title="Old One", slug="old-one", status=Competition.Status.ARCHIVED
    )
    user = people["participant"]
    assert can_view(user, archived)
    assert "old-one" not in [c.slug for c in competition_cards(user=user)]
    assert "old-one" not in [c.slug for c in competition_list(user=user)]
    assert "old-one" in [c.slug for c in competition_list(user=user, archived=True)]
    client.force_login(user)
    page = client.get(reverse("web:overview", args=[archived.slug])).content.decode()
    assert "this competition is read-only" in page and "Join competition" not in page
    listed = client.get("/api/v1/competitions/").json()
    assert "old-one" not in [c["slug"] for c in listed.get("results", listed)]
    assert client.get("/api/v1/competitions/old-one/").status_code == 200
    refused = client.post("/api/v1/competitions/old-one/join/")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "competition_archived"
