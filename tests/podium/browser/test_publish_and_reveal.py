"""An organizer's draft and reveal in Chromium: the draft's overview with its banner, the
publish checklist and its Publish button; the reveal's confirmation page, where only the
competition's slug reveals. Screenshots: draft-preview.png and reveal-confirmation.png
(PODIUM_SCREENSHOTS=1 refreshes the committed ones in docs/screenshots/)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from podium.competitions.models import Competition
from podium.core.timeutils import now
from tests.podium.browser.conftest import sign_in
from tests.podium.factories import competition_with_solution, organizer, participant, scored

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def test_an_organizer_previews_a_draft_and_publishes_it(server, open_page, shoot):
    draft = competition_with_solution(
        title="Churn Forecast",
        slug="churn-forecast",
        subtitle="Who cancels next month?",
        overview="## The task\n\nPredict which customers cancel. Scored with **ROC AUC**.",
        status=Competition.Status.DRAFT,
        start_at=now() + timedelta(days=2),
        end_at=now() + timedelta(days=60),
    )
    organizer(draft, "host")
    outsider = open_page()
    participant(competition_with_solution(), "pat")
    sign_in(outsider, "pat")
    response = outsider.goto("/competitions/churn-forecast/")
    assert response.status == 404

    page = open_page()
    sign_in(page, "host")
    page.goto("/competitions/churn-forecast/")
    banner = page.locator("#draft-banner")
    expect()(banner).to_contain_text("Draft: only organizers see this.")
    expect()(page.locator("h1")).to_have_text("Churn Forecast")
    shoot(page, "draft-preview")

    banner.locator("a", has_text="Publish checklist").click()
    page.wait_for_url("**/competitions/churn-forecast/publish/")
    for code in ("answer_key", "metric_dry_run", "data_files", "schedule"):
        expect()(page.locator(f"#check-{code} .badge")).to_have_text("✓ ok")
    expect()(page.locator("#check-metric_dry_run .found")).to_contain_text(
        "The sample submission scored public 0.50000"
    )
    page.click("#publish-button")
    page.wait_for_url("**/competitions/churn-forecast/")
    expect()(page.locator(".message.success")).to_contain_text(
        "Churn Forecast is published: participants see it now."
    )
    expect()(page.locator("#draft-banner")).to_have_count(0)
    assert outsider.goto("/competitions/churn-forecast/").status == 200


def test_the_reveal_asks_for_the_slug(server, open_page, shoot):
    competition = competition_with_solution(
        title="House Prices", slug="house-prices", auto_reveal_private=False
    )
    scored(participant(competition, "alice"), competition, 0.81, 0.77)
    scored(participant(competition, "bob"), competition, 0.79, 0.83)
    Competition.objects.filter(pk=competition.pk).update(end_at=now() - timedelta(hours=1))
    organizer(competition, "host")

    alice = open_page()
    sign_in(alice, "alice")
    alice.goto("/competitions/house-prices/leaderboard/private/")
    expect()(alice.locator("#reveal-notice")).to_contain_text(
        "the organizers will reveal the private leaderboard."
    )

    page = open_page()
    sign_in(page, "host")
    page.goto("/competitions/house-prices/dashboard/")
    page.click("#reveal a.button")
    page.wait_for_url("**/dashboard/reveal/")
    expect()(page.locator("#reveal-confirm h2")).to_have_text(
        "Reveal the private leaderboard of House Prices?"
    )
    expect()(page.locator("#reveal-confirm")).to_contain_text("This cannot be undone.")
    page.fill("#confirm", "house-price")
    shoot(page, "reveal-confirmation")
    page.click("#reveal-confirm button[type=submit]")
    expect()(page.locator("#reveal-refusal")).to_contain_text("Type house-prices to confirm")
    competition.refresh_from_db()
    assert competition.private_revealed_at is None

    page.fill("#confirm", "house-prices")
    page.click("#reveal-confirm button[type=submit]")
    page.wait_for_url("**/leaderboard/private/")
    revealed = page.locator(".message.success")
    expect()(revealed).to_contain_text("The private leaderboard is revealed")
    competition.refresh_from_db()
    assert competition.private_revealed_at is not None
    alice.reload()
    expect()(alice.locator("table.board.private")).to_contain_text("0.83000")
