"""The competition form's organizers and invited users: searched, never listed whole (issue 13,
deployment defaults: an organizer's form must not hand out the user directory)."""

import pytest
from django.urls import reverse

from podium.competitions.models import Competition
from podium.competitions.selectors import USER_SEARCH_PAGE
from tests.podium.adminforms import form_data
from tests.podium.factories import UserFactory, competition_with_solution, organizer, superuser

SEARCH_URL = reverse("admin:competitions_competition_user_search")
ADD_URL = reverse("admin:competitions_competition_add")

pytestmark = pytest.mark.django_db


def change_url(competition: Competition) -> str:
    return reverse("admin:competitions_competition_change", args=[competition.pk])


def search(client, field: str, term: str = "", page: int | None = None):
    params = {
        "field_name": field,
        "term": term,
        "app_label": "competitions",
        "model_name": "competition",
    }
    if page is not None:
        params["page"] = str(page)
    return client.get(SEARCH_URL, params)


def found(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["text"] for row in response.json()["results"]]


@pytest.fixture
def people():
    """A host, another organizer, and plain accounts the host has never met."""
    competition = competition_with_solution(rows=20)
    host = organizer(competition, username="host")
    organizer(username="cohost")
    UserFactory(username="zoe", first_name="Zoe", last_name="Quist", email="zoe@corp.example")
    UserFactory(username="zack")
    UserFactory(username="zora-gone", is_active=False)
    return competition, host


@pytest.mark.parametrize("url", ["add", "change"])
def test_the_form_lists_only_the_chosen_people(client, people, url):
    competition, host = people
    competition.invited_users.add(UserFactory(username="invited-ivy"))
    client.force_login(host)
    page = client.get(ADD_URL if url == "add" else change_url(competition)).content.decode()
    for stranger in ("zoe", "zack", "zora-gone", "cohost"):
        assert f">{stranger}<" not in page and f">{stranger} (" not in page
    assert 'data-ajax--url="' + SEARCH_URL in page
    if url == "change":  # what is chosen is shown, so it can be kept or removed
        assert ">host<" in page and ">invited-ivy<" in page


def test_co_hosts_offered_to_an_organizer_are_organizers_only(client, people):
    _, host = people
    client.force_login(host)
    assert found(search(client, "organizers")) == ["cohost", "host"]  # few: listed on opening
    assert found(search(client, "organizers", "co")) == ["cohost"]
    assert found(search(client, "organizers", "zo")) == []  # plain users are not offered


def test_a_superuser_finds_anyone_for_co_hosts_but_only_by_typing(client, people):
    client.force_login(superuser())
    assert found(search(client, "organizers")) == []
    assert found(search(client, "organizers", "z")) == []
    assert found(search(client, "organizers", "za")) == ["zack"]


def test_invited_users_are_found_by_name_or_exact_address_never_listed(client, people):
    _, host = people
    client.force_login(host)
    assert found(search(client, "invited_users")) == []
    assert found(search(client, "invited_users", "z")) == []  # too short to mean anyone
    assert found(search(client, "invited_users", "zo")) == ["zoe (Zoe Quist)"]  # not zora-gone
    assert found(search(client, "invited_users", "quist")) == ["zoe (Zoe Quist)"]
    assert found(search(client, "invited_users", "ZOE@corp.example")) == ["zoe (Zoe Quist)"]
    assert found(search(client, "invited_users", "corp.example")) == []  # no address browsing
    ids = search(client, "invited_users", "zo").json()["results"]
    assert ids == [{"id": str(UserFactory(username="zoe").pk), "text": "zoe (Zoe Quist)"}]


def test_results_come_a_page_at_a_time(client, people):
    _, host = people
    for n in range(USER_SEARCH_PAGE + 5):
        UserFactory(username=f"member{n:02d}")
    client.force_login(host)
    first = search(client, "invited_users", "member").json()
    assert len(first["results"]) == USER_SEARCH_PAGE and first["pagination"]["more"] is True
    second = search(client, "invited_users", "member", page=2).json()
    assert [r["text"] for r in second["results"]] == [f"member{n:02d}" for n in range(20, 25)]
    assert second["pagination"]["more"] is False


def test_bad_requests_get_a_clear_error(client, people):
    _, host = people
    client.force_login(host)
    response = search(client, "password")
    assert response.status_code == 400
    assert response.json() == {"error": "field_name must be one of: organizers, invited_users."}
    response = search(client, "invited_users", "zo", page="x")
    assert response.status_code == 400 and "page" in response.json()["error"]


def test_only_people_who_edit_competitions_may_search(client, people):
    participant = UserFactory(username="pat")
    client.force_login(participant)  # not staff: the admin's sign-in page, no results
    response = search(client, "invited_users", "zo")
    assert response.status_code == 302 and "zoe" not in response.content.decode()
    client.force_login(UserFactory(username="bare-staff", is_staff=True))  # no permissions
    assert search(client, "invited_users", "zo").status_code == 403
    client.logout()
    assert search(client, "invited_users", "zo").status_code == 302


def test_a_searched_user_is_saved_as_invited(client, people):
    competition, host = people
    client.force_login(host)
    zoe_id = search(client, "invited_users", "zoe").json()["results"][0]["id"]
    data = form_data(client.get(change_url(competition)), invited_users=[zoe_id])
    assert client.post(change_url(competition), data).status_code == 302
    assert list(competition.invited_users.values_list("username", flat=True)) == ["zoe"]
