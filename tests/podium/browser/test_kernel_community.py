"""Kernels as a community in Chromium: a participant votes for a published kernel from the
Kernels tab (and withdraws the vote), comments on it, then copies it with "Copy & edit", edits
the script and launches the copy, whose page credits the source."""

from __future__ import annotations

import pytest

from podium.kernels.models import KernelRun, KernelVote
from podium.kernels.services import kernel_settings_update
from podium.notifications.models import Notification
from tests.podium.browser.conftest import sign_in
from tests.podium.factories import competition_with_solution, participant
from tests.podium.kernels.community_helpers import finished_run


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


@pytest.fixture
def world(server):
    competition = competition_with_solution(title="Community Cup", rows=50)
    kernel_settings_update(
        competition=competition, participants_may_run=True, team_gpu_hours=1, team_cpu_hours=2
    )
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    run = finished_run(alice, competition, title="LightGBM starter", days_ago=3)
    return competition, alice, bob, run


def test_vote_for_a_published_kernel_comment_and_copy_it(world, open_page):
    competition, alice, bob, source = world
    page = open_page()
    sign_in(page, bob.username)
    page.goto(f"/competitions/{competition.slug}/kernels/")
    row = page.locator(f"#kernel-{source.pk}")
    expect()(row).to_contain_text("run 3\u00a0days ago by alice")
    vote = row.locator("form.kernel-vote button")
    expect()(vote).to_have_attribute("aria-pressed", "false")
    vote.click()
    page.wait_for_url(f"**/competitions/{competition.slug}/kernels/**")
    vote = page.locator(f"#kernel-{source.pk} form.kernel-vote button")
    expect()(vote).to_have_attribute("aria-pressed", "true")
    expect()(vote.locator(".vote-count")).to_have_text("1")
    assert KernelVote.objects.filter(run=source, user=bob).count() == 1

    vote.click()  # withdrawn
    vote = page.locator(f"#kernel-{source.pk} form.kernel-vote button")
    expect()(vote).to_have_attribute("aria-pressed", "false")
    expect()(vote.locator(".vote-count")).to_have_text("0")
    vote.click()  # and cast again
    expect()(page.locator(f"#kernel-{source.pk} .vote-count")).to_have_text("1")

    page.locator(f"#kernel-{source.pk} a", has_text="LightGBM starter").click()
    page.fill("#comment-body", "Great **starter**, thanks!")
    page.click("form.new-comment button[type=submit]")
    comment = page.locator("article.kernel-comment").first
    expect()(comment.locator("strong", has_text="starter")).to_be_visible()
    assert Notification.objects.filter(recipient=alice, actor=bob).count() == 1

    page.click("a.button:has-text('Copy & edit')")
    expect()(page.locator("#copy-title")).to_have_value("LightGBM starter")
    expect()(page.locator("#copy-script")).to_contain_text("shutil.copy")
    page.fill("#copy-title", "bob's blend")
    page.fill("#copy-script", "print('my edit')\n")
    page.click("form button:has-text('Launch the copy')")
    copy = KernelRun.objects.get(created_by=bob)
    page.wait_for_url(f"**/kernels/{copy.pk}/")
    credit = page.locator(".copied-from")
    expect()(credit).to_contain_text("copied from alice's LightGBM starter")
    assert copy.forked_from_id == source.pk and copy.script.read() == b"print('my edit')\n"
    credit.locator("a").click()
    page.wait_for_url(f"**/kernels/{source.pk}/")
