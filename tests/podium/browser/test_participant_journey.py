"""A participant's whole way through Podium in Chromium, scored by a real worker process:
sign up -> join -> accept the rules -> download a file -> upload a CSV -> see it scored with the
right message -> find the team on the leaderboard -> select it as final; a bad CSV shows its
error; the organizer's dashboard; the leaderboard on a phone."""

from __future__ import annotations

import re

import pytest

from podium.leaderboards.models import LeaderboardEntry
from podium.submissions.models import FinalSelection, Submission
from tests.podium.browser.conftest import PHONE, sign_in
from tests.podium.factories import (
    competition_with_solution,
    csv_bytes,
    organizer,
    participant,
    predictions_file,
    submit,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SCORED, FAILED = Submission.Status.SCORED, Submission.Status.FAILED
# Predictions' quality (factories.predictions_file: AUC grows with it up to 0.5); ada's is 0.35.
OTHERS = {"lovelace": 0.45, "hopper": 0.3, "turing": 0.2, "noether": 0.1, "baseline-lr": 0.02}


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def competition():
    return competition_with_solution(
        rows=400,
        seed=7,
        title="Titanic: Who Survived?",
        subtitle="Predict survival from the passenger list",
        overview="## The challenge\n\nPredict who survived. Scored with **ROC AUC**.",
        evaluation="Submissions are scored on the area under the ROC curve.",
        rules="1. One account per person.\n2. Up to 5 submissions a day.",
        data_description="`sample_submission.csv` shows the format.",
        daily_submission_limit=5,
    )


def test_sign_up_join_download_submit_and_climb_the_board(
    e2e, open_page, shoot, competition, tmp_path
):
    # Other teams with real scores (the worker scores them), one of them a baseline.
    others = {name: participant(competition, name) for name in OTHERS}
    for name, quality in OTHERS.items():
        submit(others[name], competition, file=predictions_file(competition, quality, seed=3))
    e2e.start_worker()
    e2e.wait_until(
        lambda: Submission.objects.filter(status=SCORED).count() == len(OTHERS),
        60,
        "the other teams' submissions scored",
    )
    from podium.teams.models import Team

    Team.objects.filter(name="baseline-lr").update(is_baseline=True)

    page = open_page()
    page.goto("/")
    expect()(page.locator(".card h2")).to_contain_text(["Titanic: Who Survived?"])
    shoot(page, "home")

    # -- sign up ------------------------------------------------------------------------------
    page.click("text=Sign up")
    page.fill("#id_username", "ada")
    page.fill("#id_email", "ada@example.com")
    page.fill("#id_password", "analytical-engine-1843")
    page.fill("#id_password_again", "analytical-engine-1843")
    page.click("form.form button[type=submit]")
    expect()(page.locator(".message.success")).to_contain_text("Welcome to Podium, ada!")
    expect()(page.locator(".nav .who")).to_contain_text("ada")

    # -- the competition; joining is accepting its rules --------------------------------------
    page.click("text=Titanic: Who Survived?")
    expect()(page.locator("h1")).to_have_text("Titanic: Who Survived?")
    expect()(page.locator(".countdown")).to_have_text(re.compile(r"\d+d \d\d:\d\d:\d\d"))
    shoot(page, "overview")
    page.click("nav.tabs >> text=Data")
    expect()(page.locator(".locked")).to_contain_text("sample_submission.csv")  # not yet
    page.click("nav.tabs >> text=Rules")
    page.click("text=I accept the rules")
    expect()(page.locator(".message.success")).to_contain_text("Welcome to Titanic")

    # -- download a data file -----------------------------------------------------------------
    with page.expect_download() as download:
        page.click("a:text('sample_submission.csv')")
    saved = tmp_path / "sample_submission.csv"
    download.value.save_as(saved)
    assert saved.read_text().splitlines()[0] == "id,target"
    assert len(saved.read_text().splitlines()) == 401

    # -- submit a CSV: it is scored, with Kaggle's message ------------------------------------
    good = tmp_path / "my_predictions.csv"
    good.write_bytes(predictions_file(competition, quality=0.35, seed=11).read())
    page.click("nav.tabs >> text=Submit")
    expect()(page.locator(".quota")).to_contain_text("5 of 5 submissions left today")
    shoot(page, "submit")
    page.set_input_files("input[type=file]", str(good))
    expect()(page.locator(".dropzone-file")).to_contain_text("my_predictions.csv")
    page.fill("#id_description", "logistic regression on <b>everything</b>")
    page.click("form.upload button[type=submit]")
    page.wait_for_url(re.compile(r"/submissions/$"))
    expect()(page.locator(".message.success")).to_contain_text("Submission received")

    mine = Submission.objects.get(submitted_by__username="ada")
    row = page.locator(f"#submission-{mine.pk}")
    expect()(row.locator(".badge.status-scored")).to_be_visible(timeout=60_000)  # htmx polling
    mine.refresh_from_db()
    assert mine.status == SCORED, mine.error_detail
    rank = 1 + LeaderboardEntry.objects.filter(sort_key__gt=mine.public_score).count()
    assert 1 < rank <= len(OTHERS)  # in the middle of the board
    shown = f"{mine.public_score:.5f}"
    assert words(row.locator(".message").inner_text()) == words(mine.result_message)
    assert words(mine.result_message) == (
        f"Your Best Entry! Your submission scored {shown}, placing you in position {rank} on "
        "the leaderboard."
    )
    expect()(row.locator(".file")).to_contain_text("logistic regression on <b>everything</b>")

    # -- a bad CSV: its error, in plain words -------------------------------------------------
    ids = competition.answer[0]
    bad = tmp_path / "half.csv"
    bad.write_bytes(csv_bytes(["id", "target"], [ids[:150], [0.5] * 150]))
    page.click("text=New submission")
    page.set_input_files("input[type=file]", str(bad))
    page.click("form.upload button[type=submit]")
    page.wait_for_url(re.compile(r"/submissions/$"))
    failed = Submission.objects.filter(submitted_by__username="ada").order_by("-pk").first()
    bad_row = page.locator(f"#submission-{failed.pk}")
    expect()(bad_row.locator(".badge.status-failed")).to_be_visible(timeout=60_000)
    failed.refresh_from_db()
    assert failed.status == FAILED and "150" in failed.error_message
    assert words(bad_row.locator(".error-text").inner_text()) == words(failed.error_message)
    expect()(page.locator("figure.chart-panel svg.chart path.series")).to_have_count(1)
    shoot(page, "my-submissions")

    # -- the leaderboard: find my team --------------------------------------------------------
    page.click("nav.tabs >> text=Leaderboard")
    me = page.locator(f"#team-{mine.team_id}")
    expect()(me).to_have_class(re.compile(r"\bmine\b"))
    expect()(me.locator("td").first).to_have_text(str(rank))
    expect()(me.locator(".avatar")).to_have_text("AD")
    expect()(page.locator("tr.baseline .badge")).to_have_text("baseline")
    expect()(page.locator("svg.chart path.series")).to_have_count(len(OTHERS) + 1)
    page.click(".jump")
    expect()(page).to_have_url(re.compile(rf"#team-{mine.team_id}$"))
    expect()(me).to_be_in_viewport()
    shoot(page, "leaderboard")

    # -- select it as final -------------------------------------------------------------------
    page.click("nav.tabs >> text=My Submissions")
    page.check(f"#submission-{mine.pk} input[name=submission]")
    expect()(page.locator(".selection-count")).to_have_text("1 of 2 ticked")
    page.click("text=Save final selection")
    expect()(page.locator(".message.success")).to_contain_text(
        f"Your final selection is saved: submission(s) {mine.pk}."
    )
    assert list(FinalSelection.objects.values_list("submission_id", flat=True)) == [mine.pk]
    expect()(page.locator(f"#submission-{mine.pk} input[name=submission]")).to_be_checked()

    # -- the same leaderboard on a phone: nothing wider than the screen -----------------------
    phone = open_page(PHONE)
    sign_in(phone, "ada", "analytical-engine-1843")
    phone.goto(f"/competitions/{competition.slug}/leaderboard/")
    expect()(phone.locator(f"#team-{mine.team_id}")).to_be_visible()
    width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide on a {width[1]} px screen"
    shoot(phone, "leaderboard-phone")

    # -- the organizer's dashboard ------------------------------------------------------------
    host = open_page()
    sign_in(host, organizer(competition, "grace").get_username())
    host.goto(f"/competitions/{competition.slug}/dashboard/")
    expect()(host.locator("#failures")).to_contain_text(failed.error_code)
    expect()(host.locator(".stat").nth(1)).to_contain_text(str(len(OTHERS) + 1))
    expect()(host.locator("svg.chart rect.bar.failed")).to_have_count(1)
    shoot(host, "dashboard")
    host.click("text=Reveal the private leaderboard now")  # irreversible: a confirmation first
    host.fill("input[name=confirm]", competition.slug)
    host.click("text=I understand, reveal the private leaderboard")  # before the end: refused
    expect()(host.locator("#reveal-refusal")).to_contain_text("private leaderboard can be revealed")
