"""The forum in Chromium: a participant asks a question, another replies and votes (htmx swaps
the vote button in place), the author sees the reply and the notification of it; after the
reveal a team posts its write-up and the private board links it. Screenshots:
discussion-topic.png, discussion-list.png (PODIUM_SCREENSHOTS=1 refreshes docs/screenshots/)."""

from __future__ import annotations

import pytest

from podium.discussion.models import Topic
from tests.podium.browser.conftest import sign_in
from tests.podium.discussion.conftest import finished
from tests.podium.factories import CompetitionFactory, organizer, participant

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def test_a_question_a_reply_a_vote_and_the_authors_notification(server, open_page, shoot):
    competition = CompetitionFactory(title="Titanic", slug="titanic")
    participant(competition, "ann")
    participant(competition, "bob")
    organizer(competition, "host")

    ann = open_page()
    sign_in(ann, "ann")
    ann.goto("/competitions/titanic/")
    ann.locator("nav.tabs a", has_text="Discussion").click()
    ann.wait_for_url("**/competitions/titanic/discussion/")
    ann.fill("#topic-title", "Is the passenger id a leak?")
    ann.fill("#topic-body", "It seems to **correlate** with the target.")
    ann.click("#new-topic button[type=submit]")
    ann.wait_for_url("**/competitions/titanic/discussion/*/")
    expect()(ann.locator(".topic-heading")).to_contain_text("Is the passenger id a leak?")
    expect()(ann.locator("#post .post-body strong")).to_have_text("correlate")
    topic_path = ann.url.removeprefix(server)

    bob = open_page()
    sign_in(bob, "bob")
    bob.goto(topic_path)
    bob.fill("#reply-body", "No: it is shuffled. Thanks @ann!")
    bob.click("#reply-form button[type=submit]")
    bob.wait_for_url("**#reply-*")
    vote = bob.locator("#post .vote-form button")
    expect()(vote).to_have_attribute("aria-pressed", "false")
    vote.click()  # htmx: the button comes back pressed with the new count, no reload
    expect()(bob.locator("#post .vote-form button")).to_have_attribute("aria-pressed", "true")
    expect()(bob.locator("#post .vote-count")).to_have_text("1")
    assert Topic.objects.get().vote_count == 1

    ann.goto(topic_path)
    reply = ann.locator(".post[id^=reply-]")
    expect()(reply).to_contain_text("No: it is shuffled.")
    expect()(reply.locator(".author")).to_have_text("bob")
    expect()(reply.locator("a.author")).to_have_attribute("href", "/users/bob/")
    expect()(ann.locator("#post .vote-count")).to_have_text("1")
    shoot(ann, "discussion-topic", full_page=True)

    ann.goto("/notifications/")
    expect()(ann.locator("main")).to_contain_text("bob replied to “Is the passenger id a leak?”")

    ann.goto("/competitions/titanic/discussion/")
    row = ann.locator(".topic-row").first
    expect()(row.locator(".votes-box strong")).to_have_text("1")
    expect()(row.locator(".replies-box strong")).to_have_text("1")
    shoot(ann, "discussion-list")


def test_after_the_reveal_a_team_posts_its_writeup_and_the_private_board_links_it(
    server, open_page
):
    world = finished()
    slug = world.competition.slug
    ann = open_page()
    sign_in(ann, "ann")
    ann.goto(f"/competitions/{slug}/discussion/")
    ann.select_option("#topic-kind", "writeup")
    ann.fill("#topic-title", "1st place solution")
    ann.fill("#topic-body", "Gradient boosting and a lot of patience.")
    ann.click("#new-topic button[type=submit]")
    ann.wait_for_url(f"**/competitions/{slug}/discussion/*/")
    expect()(ann.locator(".topic-heading .badge.writeup")).to_contain_text("final rank 1")

    visitor = open_page()
    visitor.goto(f"/competitions/{slug}/leaderboard/private/")
    link = visitor.locator(".table.board.private tr", has_text="ann").locator("a.writeup-link")
    expect()(link).to_have_text("write-up")
    link.click()
    visitor.wait_for_url(f"**/competitions/{slug}/discussion/*/")
    expect()(visitor.locator(".topic-heading")).to_contain_text("1st place solution")
    visitor.goto(f"/competitions/{slug}/discussion/?filter=solutions")
    expect()(visitor.locator(".topic-row").first).to_contain_text("1st place solution")
