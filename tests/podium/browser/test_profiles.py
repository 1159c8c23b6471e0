"""Profiles in Chromium: after a reveal (its awards queued by name and run in-process), the
winner follows their name in the top bar to a profile that shows a gold medal and a tier, and
the Rankings link lists them first."""

from __future__ import annotations

import pytest

from tests.podium.browser.conftest import PHONE, sign_in
from tests.podium.progression.helpers import board_of, reveal

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def test_a_profile_shows_a_medal_and_a_tier(server, open_page, eager, settings, shoot):
    settings.PODIUM_TIERS = {"master": {"gold": 1}}  # one gold makes a Master here
    competition, _ = board_of(10, title="Medals")
    reveal(competition)  # queues the awards on commit; eager: they run now

    page = open_page()
    sign_in(page, "p0")
    page.click(".nav .who")
    page.wait_for_url("**/users/p0/")
    expect()(page.locator("#tier")).to_have_text("Master")
    expect()(page.locator("#site-rank")).to_have_text("rank 1 of 10")
    expect()(page.locator("#medals .medal.gold").first).to_have_text("1")
    row = page.locator("#results tbody tr").first
    expect()(row).to_contain_text("Medals")
    expect()(row.locator(".medal.gold")).to_have_text("Gold")
    shoot(page, "profile")

    page.click("text=Rankings")
    page.wait_for_url("**/rankings/")
    first = page.locator("#rankings tbody tr").first
    expect()(first).to_contain_text("p0")
    expect()(first.locator(".badge.tier")).to_have_text("Master")

    phone = open_page(PHONE)
    phone.goto("/users/p2/")
    expect()(phone.locator("#results .medal.bronze")).to_have_text("Bronze")
    expect()(phone.locator("#tier")).to_have_text("Contributor")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
