"""The bell in Chromium: a user with unread notifications sees the count, opens the page,
follows one (it goes to its page and is marked read: the count drops), then marks all read."""

from __future__ import annotations

import pytest

from podium.notifications.models import Kind
from podium.notifications.services import notify
from tests.podium.browser.conftest import sign_in
from tests.podium.factories import CompetitionFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def test_the_bell_counts_unread_and_drops_when_one_is_followed(server, open_page, shoot):
    competition = CompetitionFactory(slug="bell-cup", title="Bell Cup")
    user = UserFactory(username="bella")
    # In-app kinds: nothing is queued for a worker this test does not run.
    for title, url in (
        (
            "Your submission “a.csv” to Bell Cup could not be scored: Missing column(s): id.",
            f"/competitions/{competition.slug}/",
        ),
        ("Your kernel “mlp” in Bell Cup finished", f"/competitions/{competition.slug}/rules/"),
    ):
        notify(recipient_ids=[user.pk], kind=Kind.SUBMISSION_FAILED, title=title, url=url)
    page = open_page()
    sign_in(page, "bella")
    bell = page.locator("#bell-count")
    expect()(bell).to_have_text("2")

    page.click("#bell")
    page.wait_for_url("**/notifications/")
    expect()(page.locator("tr.unread")).to_have_count(2)
    shoot(page, "notifications")
    page.get_by_role("link", name="Your submission “a.csv” to Bell Cup could not be scored").click()
    page.wait_for_url(f"**/competitions/{competition.slug}/")
    expect()(page.locator("h1")).to_contain_text("Bell Cup")
    expect()(bell).to_have_text("1")

    page.click("#bell")
    expect()(page.locator("tr.unread")).to_have_count(1)
    expect()(page.locator("tr.read")).to_have_count(1)
    page.click("#mark-all-read")
    expect()(page.locator(".message")).to_contain_text("1 notification marked read.")
    expect()(bell).to_have_count(0)
    expect()(page.locator("tr.unread")).to_have_count(0)
