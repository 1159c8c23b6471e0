"""Issue 16's pages in Chromium: My Submissions' note and chart follow the live row update (a
real worker scores), Download all gives the data files as one zip, the Kernels tab's baseline
select looks like the other fields, and the admin's competition form fits a 1280 px window."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from podium.submissions.models import Submission
from tests.podium.browser.conftest import DESKTOP, sign_in
from tests.podium.factories import (
    competition_with_solution,
    participant,
    predictions_file,
    superuser,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def test_the_note_and_the_chart_follow_the_live_row_update(e2e, open_page, tmp_path):
    competition = competition_with_solution(rows=200, seed=3, title="Live")
    participant(competition, "ada")
    page = open_page()
    sign_in(page, "ada")
    upload = tmp_path / "predictions.csv"
    upload.write_bytes(predictions_file(competition, quality=0.3, seed=5).read())
    page.goto(f"/competitions/{competition.slug}/submit/")
    page.set_input_files("input[type=file]", str(upload))
    page.click("form.upload button[type=submit]")
    page.wait_for_url(re.compile(r"/submissions/$"))
    # No worker yet: the row is pending, the note and the empty chart say so.
    mine = Submission.objects.get()
    row = page.locator(f"#submission-{mine.pk}")
    expect()(row.locator(".badge.status-pending")).to_be_visible()
    note = page.locator(".messages .message").first
    expect()(note).to_have_text("Submission received. It is being scored now.")
    expect()(page.locator("figure.chart-panel svg.chart.empty")).to_be_visible()
    page.evaluate("window.podiumNotReloaded = true")

    e2e.start_worker()
    expect()(row.locator(".badge.status-scored")).to_be_visible(timeout=60_000)  # htmx polling
    expect()(note).to_have_text("Submission received and scored: its score is below.")
    expect()(note).to_have_class(re.compile(r"\bsuccess\b"))
    expect()(page.locator("figure.chart-panel svg.chart path.series")).to_have_count(1)
    expect()(page.locator("figure.chart-panel svg.chart.empty")).to_have_count(0)
    assert page.evaluate("window.podiumNotReloaded") is True  # updated in place

    # A file that fails: the note says so, whether the row was final before the page was made
    # or became final while it was open.
    bad = tmp_path / "half.csv"
    bad.write_bytes(b"id,target\n1,0.5\n")
    page.click("text=New submission")
    page.set_input_files("input[type=file]", str(bad))
    page.click("form.upload button[type=submit]")
    page.wait_for_url(re.compile(r"/submissions/$"))
    failed = Submission.objects.order_by("-pk").first()
    expect()(page.locator(f"#submission-{failed.pk} .badge.status-failed")).to_be_visible(
        timeout=60_000
    )
    expect()(page.locator(".messages .message").first).to_have_text(
        "Submission received, but it could not be scored: its message below says why."
    )
    expect()(page.locator(".messages .message").first).to_have_class(re.compile(r"\berror\b"))
    expect()(page.locator("figure.chart-panel svg.chart path.series")).to_have_count(1)


def test_download_all_gives_every_data_file_in_one_zip(server, open_page, tmp_path):
    competition = competition_with_solution(rows=50, title="Zipped")
    participant(competition, "ada")
    page = open_page()
    sign_in(page, "ada")
    page.goto(f"/competitions/{competition.slug}/data/")
    expect()(page.locator("table.files a:text('sample_submission.csv')")).to_have_count(1)
    with page.expect_download() as download:
        page.click("#download-all")
    assert download.value.suggested_filename == f"{competition.slug}-data.zip"
    saved = tmp_path / "all.zip"
    download.value.save_as(saved)
    archive = zipfile.ZipFile(io.BytesIO(saved.read_bytes()))
    stored = competition.data_files.get(name="sample_submission.csv")
    with stored.file.open("rb") as f:
        assert archive.read("sample_submission.csv") == f.read()
    assert archive.namelist() == ["sample_submission.csv"]


def test_the_admin_competition_form_fits_a_1280_px_window(server, open_page):
    competition = competition_with_solution(title="Wide", rows=50)
    admin = superuser()
    page = open_page(DESKTOP)
    assert DESKTOP == {"width": 1280, "height": 800}
    sign_in(page, admin.username)
    for path in (
        f"/admin/competitions/competition/{competition.pk}/change/",
        "/admin/competitions/competition/add/",
    ):
        page.goto(path)
        expect()(page.locator("#data_files-group")).to_be_visible()
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} is {width[0]} px wide in a {width[1]} px window"


def test_the_kernels_baseline_select_is_styled_as_the_text_fields(server, open_page):
    competition = competition_with_solution(title="Kernels", rows=50)
    admin = superuser()
    competition.organizers.add(admin)
    page = open_page()
    sign_in(page, admin.username)
    page.goto(f"/competitions/{competition.slug}/kernels/")
    select = page.locator("#launch select").first
    title = page.locator("#launch input[type=text]").first
    style = "e => [getComputedStyle(e).borderRadius, getComputedStyle(e).paddingLeft]"
    assert select.evaluate(style) == title.evaluate(style) == ["8px", "11px"]
