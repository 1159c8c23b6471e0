"""The competition admin's people fields in Chromium: an organizer finds a user by typing (the
admin's select2 against Podium's user search, under the Content-Security-Policy) and saves."""

from __future__ import annotations

import pytest

from tests.podium.browser.conftest import sign_in
from tests.podium.factories import UserFactory, competition_with_solution, organizer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_an_organizer_invites_a_user_found_by_typing(server, open_page):
    competition = competition_with_solution(title="Invite Only", visibility="invite_only")
    organizer(competition, username="host")
    UserFactory(username="zoe", first_name="Zoe", last_name="Quist")
    UserFactory(username="zack")

    page = open_page()
    sign_in(page, "host")
    page.goto(f"/admin/competitions/competition/{competition.pk}/change/")
    assert page.locator(".field-invited_users option").count() == 0  # nobody listed up front
    page.locator(".field-invited_users .select2-selection").click()
    page.locator(".select2-search__field").last.fill("zo")
    option = page.locator(".select2-results__option", has_text="zoe (Zoe Quist)")
    option.wait_for()
    assert page.locator(".select2-results__option", has_text="zack").count() == 0
    option.click()
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/competitions/competition/")
    assert list(competition.invited_users.values_list("username", flat=True)) == ["zoe"]
