"""Teams in Chromium: an invitation accepted in a second browser (its own session), and what a
participant types (a team name, a submission description) or an organizer writes (Markdown)
rendered inert: no script runs, no handler fires, the text shows as typed."""

from __future__ import annotations

import re

import pytest

from podium.teams.models import Membership, Team
from tests.podium.browser.conftest import sign_in
from tests.podium.factories import competition_with_solution, participant, scored

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

XSS_NAME = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def test_an_invitation_is_accepted_in_a_second_browser(server, open_page, shoot):
    competition = competition_with_solution(title="Team Play", max_team_size=3)
    participant(competition, "alice")
    participant(competition, "bob")

    alice = open_page()
    sign_in(alice, "alice")
    alice.goto(f"/competitions/{competition.slug}/team/")
    alice.fill("#invitee", "bob")
    alice.click("form:has(#invitee) button")
    expect()(alice.locator(".message.success")).to_have_text("bob is invited to “alice”.")
    expect()(alice.locator("#sent")).to_contain_text("Invitation to bob")

    bob = open_page()  # another context: another person's cookies
    sign_in(bob, "bob")
    bob.goto(f"/competitions/{competition.slug}/team/")
    invitation = bob.locator("#invitations-to-me")
    expect()(invitation).to_contain_text("alice")
    invitation.locator("button:text('Accept')").click()
    expect()(bob.locator(".message.success")).to_have_text("Welcome to “alice”!")
    expect()(bob.locator("#my-team h2")).to_have_text("alice")
    shoot(bob, "team")

    members = Membership.objects.filter(team__name="alice").values_list("user__username", flat=True)
    assert sorted(members) == ["alice", "bob"]
    assert not Team.objects.filter(name="bob").exists()  # bob's own empty team is gone
    alice.reload()
    expect()(alice.locator("#my-team table.members")).to_contain_text("bob")


def test_a_refused_invitation_shows_the_service_message(server, open_page):
    competition = competition_with_solution(max_team_size=1)
    participant(competition, "alice")
    participant(competition, "bob")
    page = open_page()
    sign_in(page, "alice")
    page.goto(f"/competitions/{competition.slug}/team/")
    page.fill("#invitee", "bob")
    page.click("form:has(#invitee) button")
    expect()(page.locator(".message.error")).to_contain_text(re.compile(r"\S"))
    from podium.teams.models import Invitation

    assert not Invitation.objects.exists()


def test_script_in_a_team_name_or_description_is_rendered_inert(server, open_page):
    competition = competition_with_solution(
        title="Safe Pages",
        overview='Hello <script>window.__xss=3</script><img src=x onerror="window.__xss=4">'
        "[click](javascript:window.__xss=5)",
    )
    mallory = participant(competition, "mallory")
    scored(mallory, competition, 0.7, 0.6)
    participant(competition, "victim")

    page = open_page()
    sign_in(page, "mallory")
    page.goto(f"/competitions/{competition.slug}/team/")
    page.fill("#team-name", XSS_NAME)
    page.click("form:has(#team-name) button")
    expect()(page.locator(".message.success")).to_contain_text("Your team is now called")
    team = Team.objects.get(memberships__user=mallory)
    assert team.name == XSS_NAME

    victim = open_page()
    sign_in(victim, "victim")
    for path in ("", "leaderboard/", "team/"):
        victim.goto(f"/competitions/{competition.slug}/{path}")
        assert victim.evaluate("window.__xss") is None, path
    victim.goto(f"/competitions/{competition.slug}/leaderboard/")
    expect()(victim.locator(f"#team-{team.pk} .team-name")).to_have_text(XSS_NAME)
    # the chart's legend shows the name as text too
    expect()(victim.locator("svg.chart")).to_contain_text(XSS_NAME)
    assert victim.locator("img[src=x]").count() == 0
    victim.goto(f"/competitions/{competition.slug}/")
    expect()(victim.locator("article.prose")).to_contain_text("Hello")
    assert victim.locator("article.prose script").count() == 0
    href = victim.locator("article.prose a").first.get_attribute("href")
    assert not href or not href.startswith("javascript:")
    victim.locator("article.prose a").first.click(no_wait_after=True)
    assert victim.evaluate("window.__xss") is None
