"""The participant pages, through Django's test client: real rows, real files."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from podium.core.timeutils import now
from podium.submissions.models import Submission
from tests.podium.factories import (
    CompetitionFactory,
    UserFactory,
    competition_with_solution,
    participant,
    predictions_file,
    submit,
)

pytestmark = pytest.mark.django_db

TABS = ["overview", "data", "evaluation", "rules", "leaderboard", "submit"]


def url(view: str, competition, **kwargs) -> str:
    return reverse(f"web:{view}", kwargs={"slug": competition.slug, **kwargs})


@pytest.fixture
def competition():
    return competition_with_solution(
        title="Titanic Survival",
        subtitle="Who lived?",
        overview="## About\n\nPredict **survival**.",
        evaluation="Scored with *AUC*.",
        rules="Be nice.",
        data_description="Files below.",
    )


# -- home and login --------------------------------------------------------------------------------


def test_home_lists_cards_and_filters_by_state(client):
    CompetitionFactory(title="Running One", subtitle="now")
    CompetitionFactory(title="Future One", start_at=now() + timedelta(days=2))
    CompetitionFactory(
        title="Past One", start_at=now() - timedelta(days=9), end_at=now() - timedelta(days=1)
    )
    CompetitionFactory(title="Secret One", visibility="invite_only")

    page = client.get("/").content.decode()
    assert all(t in page for t in ("Running One", "Future One", "Past One"))
    assert "Secret One" not in page
    assert "ROC AUC" in page  # the metric on the card, by its name

    upcoming = client.get("/?state=upcoming").content.decode()
    assert "Future One" in upcoming and "Running One" not in upcoming
    closed = client.get("/?state=closed").content.decode()
    assert "Past One" in closed and "Future One" not in closed


def test_login_and_logout(client):
    UserFactory(username="zoe")
    response = client.post(reverse("web:login"), {"username": "zoe", "password": "password"})
    assert response.status_code == 302
    assert "zoe" in client.get("/").content.decode()
    assert client.post(reverse("web:logout")).status_code == 302
    assert "Sign in" in client.get("/").content.decode()
    assert client.get(reverse("web:login")).status_code == 200


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}  # served by podium.ops


# -- the competition's tabs ------------------------------------------------------------------------


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_renders_for_anonymous_visitors(client, competition, tab):
    response = client.get(url(tab, competition))
    assert response.status_code == 200
    assert "Titanic Survival" in response.content.decode()


@pytest.mark.parametrize("tab", [*TABS, "my_submissions"])
def test_every_tab_renders_for_a_participant(client, competition, tab):
    client.force_login(participant(competition))
    response = client.get(url(tab, competition))
    assert response.status_code == 200
    assert "Joined as" in response.content.decode()


def test_markdown_pages_are_rendered_and_sanitized(client):
    competition = CompetitionFactory(
        overview='# Hi\n\n<script>alert("x")</script>\n\n[win](javascript:alert(1)) **bold**',
    )
    page = client.get(url("overview", competition)).content.decode()
    assert "<h1>Hi</h1>" in page and "<strong>bold</strong>" in page
    assert "<script>alert" not in page and "javascript:" not in page


def test_my_submissions_needs_a_login(client, competition):
    response = client.get(url("my_submissions", competition))
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))


def test_unknown_competition_is_404(client):
    response = client.get(reverse("web:overview", kwargs={"slug": "nope"}))
    assert response.status_code == 404
    assert "There is no competition called" in response.content.decode()


def test_invite_only_competition_is_404_for_outsiders(client):
    competition = competition_with_solution(visibility="invite_only")
    invited = UserFactory()
    competition.invited_users.add(invited)
    for tab in ("overview", "leaderboard", "data"):
        assert client.get(url(tab, competition)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url("overview", competition)).status_code == 404
    client.force_login(invited)
    assert client.get(url("overview", competition)).status_code == 200


# -- joining and the data --------------------------------------------------------------------------


def test_data_download_is_refused_before_joining_and_allowed_after(client, competition):
    download = url("data_download", competition, name="sample_submission.csv")
    user = UserFactory()
    client.force_login(user)

    refused = client.get(download)
    assert refused.status_code == 403
    assert "accept its rules first" in refused.content.decode()
    assert "🔒 sample_submission.csv" in client.get(url("data", competition)).content.decode()

    joined = client.post(url("join", competition))
    assert joined.status_code == 302 and joined["Location"] == url("data", competition)

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sample_submission.csv"'
    body = b"".join(response.streaming_content)
    assert body.startswith(b"id,target\n1,0.5\n")
    assert download in client.get(url("data", competition)).content.decode()


def test_anonymous_download_is_refused_with_the_rules_message(client, competition):
    response = client.get(url("data_download", competition, name="sample_submission.csv"))
    assert response.status_code == 403
    assert "accept its rules first" in response.content.decode()


def test_joining_after_the_entry_deadline_shows_why_not(client, competition):
    competition.entry_deadline = now() - timedelta(hours=1)
    competition.save()
    client.force_login(UserFactory())
    response = client.post(url("join", competition), follow=True)
    assert "The entry deadline of Titanic Survival has passed" in response.content.decode()


# -- submitting ------------------------------------------------------------------------------------


def test_submit_page_shows_the_quota(client, competition):
    client.force_login(participant(competition))
    page = client.get(url("submit", competition)).content.decode()
    assert "<strong>5</strong> of 5 submissions left today" in page
    assert "00:00 UTC" in page


def test_submit_page_asks_outsiders_to_join(client, competition):
    client.force_login(UserFactory())
    page = client.get(url("submit", competition)).content.decode()
    assert "Join the competition and accept its rules first" in page


@pytest.mark.django_db(transaction=True)
def test_submit_creates_a_scored_submission_and_refuses_past_the_daily_limit(client, eager):
    competition = competition_with_solution(daily_submission_limit=1)
    client.force_login(participant(competition, "ann"))

    response = client.post(
        url("submit", competition),
        {"file": predictions_file(competition, quality=0.8), "description": "first"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("my_submissions", competition)
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.SCORED and submission.description == "first"

    listing = client.get(url("my_submissions", competition)).content.decode()
    assert "Your Best Entry!" in listing
    assert f"{submission.public_score:.5f}" in listing
    assert "data-poll" not in listing  # nothing left to wait for

    refused = client.post(url("submit", competition), {"file": predictions_file(competition)})
    assert refused.status_code == 200
    assert "Your team has used 1 of 1 submissions today" in refused.content.decode()
    assert Submission.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_file_problem_shows_in_my_submissions(client, eager):
    competition = competition_with_solution()
    client.force_login(participant(competition))
    bad = ContentFile(b"id,target\n1,0.5\n", name="short.csv")
    response = client.post(url("submit", competition), {"file": bad}, follow=True)
    page = response.content.decode()
    assert "Submission received" in page
    assert "status-failed" in page and "Submission has 1 rows; expected 200." in page


def test_submit_without_a_file_is_a_form_error(client, competition):
    client.force_login(participant(competition))
    response = client.post(url("submit", competition), {"description": "no file"})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Submission.objects.exists()


def test_status_fragment_polls_until_scored_and_is_private_to_the_team(client, competition):
    user = participant(competition)
    submission = submit(user, competition)  # no commit in this test: it stays pending
    status_url = reverse("web:submission_status", kwargs={"submission_id": submission.pk})
    client.force_login(user)

    listing = client.get(url("my_submissions", competition)).content.decode()
    assert f'data-poll="{status_url}"' in listing and "podium.js" in listing
    # htmx (vendored, no CDN) swaps the row for the fragment every 2 s while it is pending
    assert f'hx-get="{status_url}" hx-trigger="every 2s" hx-swap="outerHTML"' in listing
    assert "/static/vendor/htmx.min.js" in listing and "://" not in listing.split("<body")[0]
    fragment = client.get(status_url).content.decode()
    assert fragment.lstrip().startswith("<tr") and "status-pending" in fragment
    assert "data-poll" in fragment and "hx-get" in fragment

    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.SCORED,
        public_score=0.91234567,
        private_score=0.5,
        result_message="Your Best Entry!",
    )
    fragment = client.get(status_url).content.decode()
    assert "data-poll" not in fragment and "hx-get" not in fragment and "0.91235" in fragment
    assert "0.50000" not in fragment  # the private score stays hidden before the reveal

    client.force_login(participant(competition))  # another team
    assert client.get(status_url).status_code == 404


# -- the leaderboard -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_leaderboard_ranks_teams_and_highlights_mine(client, eager):
    competition = competition_with_solution()
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    submit(alice, competition, file=predictions_file(competition, quality=0.3))
    submit(bob, competition, file=predictions_file(competition, quality=0.9))
    client.force_login(alice)

    page = client.get(url("leaderboard", competition)).content.decode()
    board = page[page.index("<tbody>") : page.index("</tbody>")]
    assert board.index(">bob<") < board.index(">alice<")  # bob's better score ranks first
    assert board.count('class="mine"') == 1
    mine = board[board.index('class="mine"') :]
    assert mine[: mine.index("</tr>")].count("alice") == 2  # team name and member
    assert "approximately 33%" in page  # of the scored rows: 65 public of 195


def test_leaderboard_is_empty_before_any_score(client, competition):
    page = client.get(url("leaderboard", competition)).content.decode()
    assert "No scored submissions yet" in page
    assert client.get(url("leaderboard", competition) + "?page=abc").status_code == 200


# -- the metric as participants read it --------------------------------------------------------


def test_the_metric_shows_by_its_name_on_the_cards_and_the_pages(client):
    CompetitionFactory(title="Houses", slug="houses", metric="rmse")
    CompetitionFactory(
        title="Sales",
        slug="sales",
        metric="custom",
        custom_metric_higher_is_better=False,
        metric_display_name="Weighted pinball loss",
        metric_description="Quantile loss over the 9 deciles, weighted by sales",
    )
    home = client.get("/").content.decode()
    assert 'title="Square root of the mean squared difference' in home
    assert "Root mean squared error (RMSE)" in home and "Weighted pinball loss" in home
    assert "<code>rmse</code>" not in home and "<code>custom</code>" not in home
    overview = client.get(reverse("web:overview", kwargs={"slug": "sales"})).content.decode()
    assert "Metric: <strong>Weighted pinball loss</strong> (lower is better)" in overview
    evaluation = client.get(reverse("web:evaluation", kwargs={"slug": "houses"})).content.decode()
    assert "<h2>Root mean squared error (RMSE)</h2>" in evaluation
    assert "Lower scores are better." in evaluation and "<code>rmse</code>" in evaluation


# -- the Data tab: one list of files, and all of them as one zip ------------------------------


def _add_file(competition, name: str, content: bytes, description: str = "") -> None:
    from podium.competitions.models import DataFile
    from podium.competitions.services import data_file_create

    data_file_create(
        competition=competition,
        kind=DataFile.Kind.OTHER,
        name=name,
        description=description,
        file=ContentFile(content, name=name),
    )


def test_download_all_streams_a_zip_of_every_data_file_after_joining(client, competition):
    import io
    import zipfile

    big = bytes(range(256)) * 8192  # 2 MiB that does not compress: several pieces
    _add_file(competition, "train.csv", b"id,x\n" + b"1,2\n" * 50_000, "The training set")
    _add_file(competition, "extra.bin", big)
    everything = url("data_download_all", competition)
    client.force_login(UserFactory())
    refused = client.get(everything)
    assert refused.status_code == 403 and "accept its rules first" in refused.content.decode()
    page = client.get(url("data", competition)).content.decode()
    assert everything not in page  # no button before joining
    client.post(url("join", competition))

    page = client.get(url("data", competition)).content.decode()
    assert page.count(">train.csv</a>") == 1 and everything in page and "3 files" in page
    response = client.get(everything)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{competition.slug}-data.zip"'
    pieces = list(response.streaming_content)
    assert len(pieces) > 2  # streamed while written, not built whole first
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["extra.bin", "sample_submission.csv", "train.csv"]
    assert archive.read("extra.bin") == big
    assert archive.read("train.csv") == b"id,x\n" + b"1,2\n" * 50_000
    stored = competition.data_files.get(name="sample_submission.csv")
    with stored.file.open("rb") as f:
        assert archive.read("sample_submission.csv") == f.read()


def test_download_all_is_refused_to_anonymous_visitors_and_hidden_from_outsiders(client):
    secret = competition_with_solution(slug="secret", visibility="invite_only")
    public = competition_with_solution(slug="open")
    anonymous = client.get(url("data_download_all", public))
    assert anonymous.status_code == 403 and "accept its rules first" in anonymous.content.decode()
    client.force_login(UserFactory())
    assert client.get(url("data_download_all", secret)).status_code == 404
