"""Each kaggle method through the Django test client: the JSON shapes the client parses, the
credentials it sends, and Podium's refusals in the kaggle error shape."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest

from podium.competitions.models import Competition, RuleAcceptance
from podium.core.timeutils import now
from podium.submissions.models import Submission
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    participant,
    predictions_file,
    submit,
)
from tests.podium.kaggle_compat.conftest import Kaggle, basic, podium_status

pytestmark = pytest.mark.django_db(transaction=True)  # scoring runs on commit (eager)


def refused(response, status: int, message: str) -> None:
    """Podium refused with ``status`` and ``message``, sent so that the kaggle CLI prints the
    message alone (``podium_status``: 400 for a 401, 403, 404 or a limit's 429)."""
    assert podium_status(response) == status, response.content
    body = response.json()
    assert set(body) <= {"code", "message", "podiumStatus", "podiumCode"}, body
    assert body["code"] == response.status_code
    assert message in body["message"], body["message"]


# -- credentials -----------------------------------------------------------------------------------


def test_basic_and_bearer_keys_are_podium_keys_and_wrong_ones_are_refused(kaggle_as):
    competition = competition_with_solution()
    alice = participant(competition, "alice")
    for scheme in ("basic", "bearer"):
        response = kaggle_as(alice, scheme).call(
            "ListSubmissions", {"competitionName": competition.slug}
        )
        assert response.status_code == 200, response.content
    refused(
        Kaggle(basic("alice", "pdm_" + "0" * 40)).call(
            "ListSubmissions", {"competitionName": competition.slug}
        ),
        401,
        "This API key is not valid",
    )
    refused(
        Kaggle("Bearer nope").call("ListSubmissions", {"competitionName": competition.slug}),
        401,
        "This API key is not valid",
    )
    refused(Kaggle("Basic !!!").call("ListCompetitions"), 401, "not valid")
    refused(
        Kaggle().call("ListSubmissions", {"competitionName": competition.slug}),
        401,
        "Sign in first",
    )


def test_a_browser_session_is_not_a_credential(client):
    competition = competition_with_solution()
    alice = participant(competition, "alice")
    client.force_login(alice)
    response = client.post(
        "/api/v1/competitions.CompetitionApiService/ListSubmissions",
        data={"competitionName": competition.slug},
        content_type="application/json",
    )
    refused(response, 401, "Sign in first")


def test_introspect_token_names_the_keys_owner(kaggle_as):
    alice = UserFactory(username="alice")
    caller = kaggle_as(alice, "bearer")
    body = caller.call("IntrospectToken", {"token": caller.key}, "security.OAuthService").json()
    assert body == {"active": True, "username": "alice", "userId": alice.pk}
    body = Kaggle().call("IntrospectToken", {"token": "pdm_bogus"}, "security.OAuthService")
    assert body.json() == {"active": False}


# -- the protocol's own errors ---------------------------------------------------------------------


def test_malformed_calls_unknown_methods_and_gets(kaggle_as):
    caller = kaggle_as(UserFactory())
    response = caller.client.post(
        "/api/v1/competitions.CompetitionApiService/ListCompetitions",
        data=b"{not json",
        content_type="application/json",
        **caller.headers(),
    )
    refused(response, 400, "not valid JSON")
    refused(caller.call("ListCompetitions", {"pageSize": "many"}), 400, "'pageSize'")
    refused(caller.call("ListCompetitions", {"pageToken": "x1"}), 400, "page token")
    refused(caller.call("CreateCompetition"), 404, "Podium does not offer")
    refused(
        caller.call("ListDatasets", service="datasets.DatasetApiService"),
        404,
        "Podium does not offer datasets.DatasetApiService/ListDatasets",
    )
    response = caller.get("/api/v1/competitions.CompetitionApiService/ListCompetitions")
    refused(response, 405, "POST only")
    assert response["Allow"] == "POST"


# -- competitions and files ------------------------------------------------------------------------


def test_list_competitions_shapes_search_and_paging(kaggle_as):
    competition = competition_with_solution(title="Titanic", daily_submission_limit=3)
    other = competition_with_solution(title="Housing")
    alice = participant(competition, "alice")
    caller = kaggle_as(alice)
    body = caller.call("ListCompetitions", {"search": "titan"}).json()
    [row] = body["competitions"]
    assert row["ref"] == competition.slug and row["title"] == "Titanic"
    assert row["userHasEntered"] is True and row["teamCount"] == 1
    assert row["maxDailySubmissions"] == 3
    assert row["deadline"].endswith("Z") and "T" in row["deadline"]
    assert row["url"].endswith(f"/competitions/{competition.slug}/")
    first = caller.call("ListCompetitions", {"pageSize": 1}).json()
    assert len(first["competitions"]) == 1 and first["nextPageToken"] == "1"
    second = caller.call("ListCompetitions", {"pageSize": 1, "pageToken": "1"}).json()
    assert {first["competitions"][0]["ref"], second["competitions"][0]["ref"]} == {
        competition.slug,
        other.slug,
    }
    assert "nextPageToken" not in second or second["nextPageToken"] == ""
    # anonymous: the list a visitor sees; an invite-only competition is not in it
    Competition.objects.filter(pk=other.pk).update(visibility=Competition.Visibility.INVITE_ONLY)
    refs = [c["ref"] for c in Kaggle().call("ListCompetitions").json()["competitions"]]
    assert refs == [competition.slug]


def test_files_and_downloads_need_the_rules_for_the_bytes(kaggle_as):
    competition = competition_with_solution()
    alice = participant(competition, "alice")
    caller = kaggle_as(alice)
    data_file = competition.data_files.get()
    [row] = caller.call("ListDataFiles", {"competitionName": competition.slug}).json()["files"]
    assert (row["name"], row["ref"], row["totalBytes"]) == (
        "sample_submission.csv",
        "sample_submission.csv",
        data_file.size,
    )

    response = caller.call(
        "DownloadDataFile",
        {"competitionName": competition.slug, "fileName": "sample_submission.csv"},
    )
    assert response.status_code == 302
    assert response["Location"].rsplit("/", 1)[-1] == "sample_submission.csv"
    got = caller.get(response["Location"])
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == data_file.file.open("rb").read()
    assert int(got["Content-Length"]) == data_file.size and got["Last-Modified"].endswith("GMT")

    response = caller.call("DownloadDataFiles", {"competitionName": competition.slug})
    assert response.status_code == 302 and response["Location"].endswith("/files.zip")
    zipped = b"".join(caller.get(response["Location"]).streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    assert archive.read("sample_submission.csv") == data_file.file.open("rb").read()

    refused(
        caller.call(
            "DownloadDataFile", {"competitionName": competition.slug, "fileName": "nope.csv"}
        ),
        404,
        "has no data file",
    )
    # no rules accepted: Podium's refusal, on the call and on the URL it would redirect to
    eve = kaggle_as(UserFactory(username="eve"))
    message = f"Join {competition.title} and accept its rules first"
    refused(eve.call("DownloadDataFiles", {"competitionName": competition.slug}), 403, message)
    refused(
        eve.call(
            "DownloadDataFile",
            {"competitionName": competition.slug, "fileName": "sample_submission.csv"},
        ),
        403,
        message,
    )
    refused(eve.get(response["Location"]), 403, message)
    refused(Kaggle().get(response["Location"]), 401, "Sign in first")
    # unknown competition: Podium's message
    refused(
        caller.call("ListDataFiles", {"competitionName": "no-such"}),
        404,
        "There is no competition called 'no-such'",
    )


# -- submitting ------------------------------------------------------------------------------------


def _upload(caller, competition, content: bytes, name: str = "sub.csv") -> str:
    start = caller.call(
        "StartSubmissionUpload",
        {
            "competitionName": competition.slug,
            "fileName": name,
            "contentLength": len(content),
            "lastModifiedEpochSeconds": 1700000000,
        },
    )
    assert start.status_code == 200, start.content
    body = start.json()
    assert set(body) == {"token", "createUrl"} and body["token"] in body["createUrl"]
    put = caller.put(body["createUrl"], content)
    assert put.status_code == 201, put.content
    return body["token"]


def test_submit_in_three_steps_then_get_and_list(kaggle_as, eager):
    competition = competition_with_solution(score_display_precision=4)
    alice = participant(competition, "alice")
    caller = kaggle_as(alice)
    content = predictions_file(competition, quality=0.4).read()
    token = _upload(caller, competition, content, name="my predictions.csv")
    created = caller.call(
        "CreateSubmission",
        {
            "competitionName": competition.slug,
            "blobFileTokens": token,
            "submissionDescription": "first try",
        },
    )
    assert created.status_code == 200, created.content
    body = created.json()
    submission = Submission.objects.get(pk=body["ref"])
    assert body["message"] == f"Successfully submitted to {competition.title}"
    assert submission.status == Submission.Status.SCORED  # eager: scored on commit
    assert submission.file.open("rb").read() == content
    assert (submission.description, submission.original_name) == ("first try", "my predictions.csv")

    got = caller.call("GetSubmission", {"ref": submission.pk}).json()
    assert got["status"] == "COMPLETE" and got["publicScore"] == f"{submission.public_score:.4f}"
    assert "privateScore" not in got  # hidden until the reveal
    assert got["fileName"] == "my predictions.csv" and got["submittedBy"] == "alice"
    [listed] = caller.call("ListSubmissions", {"competitionName": competition.slug}).json()[
        "submissions"
    ]
    assert listed == got
    limits = caller.call("GetSubmissionLimits", {"competitionName": competition.slug}).json()
    assert limits["numToday"] == 1
    assert limits["numAllowedNow"] == competition.daily_submission_limit - 1

    # after the reveal the private score shows
    Competition.objects.filter(pk=competition.pk).update(
        end_at=now() - timedelta(minutes=1), private_revealed_at=now()
    )
    got = caller.call("GetSubmission", {"ref": submission.pk}).json()
    assert got["privateScore"] == f"{submission.private_score:.4f}"

    # another team's submission does not exist for alice
    bob = kaggle_as(participant(competition, "bob"))
    refused(
        bob.call("GetSubmission", {"ref": submission.pk}),
        404,
        f"You have no submission with id {submission.pk}.",
    )


def test_a_failed_scoring_is_an_error_with_its_message(kaggle_as, eager):
    competition = competition_with_solution()
    caller = kaggle_as(participant(competition, "alice"))
    token = _upload(caller, competition, b"id,target\n1,0.5\n")
    ref = caller.call(
        "CreateSubmission", {"competitionName": competition.slug, "blobFileTokens": token}
    ).json()["ref"]
    got = caller.call("GetSubmission", {"ref": ref}).json()
    assert got["status"] == "ERROR" and "expected 200" in got["errorDescription"]


def test_podiums_refusals_pass_through_with_its_messages(kaggle_as, eager):
    competition = competition_with_solution(daily_submission_limit=1)
    alice = participant(competition, "alice")
    caller = kaggle_as(alice)
    submit(alice, competition)
    token = _upload(caller, competition, predictions_file(competition).read())
    refused(
        caller.call(
            "CreateSubmission", {"competitionName": competition.slug, "blobFileTokens": token}
        ),
        429,
        "Your team has used 1 of 1 submissions today.",
    )
    assert Submission.objects.count() == 1
    # not a member: refused before any upload
    eve = kaggle_as(UserFactory(username="eve"))
    refused(
        eve.call(
            "StartSubmissionUpload",
            {"competitionName": competition.slug, "fileName": "x.csv", "contentLength": 10},
        ),
        403,
        f"You have not joined {competition.title}",
    )
    # unknown competition
    refused(
        caller.call(
            "StartSubmissionUpload",
            {"competitionName": "no-such", "fileName": "x.csv", "contentLength": 10},
        ),
        404,
        "There is no competition called 'no-such'",
    )
    # a member who has not accepted the rules (e.g. joined, then the rules were reset)
    Competition.objects.filter(pk=competition.pk).update(daily_submission_limit=5)
    RuleAcceptance.objects.filter(user=alice).delete()
    token = _upload(caller, competition, predictions_file(competition).read())
    refused(
        caller.call(
            "CreateSubmission", {"competitionName": competition.slug, "blobFileTokens": token}
        ),
        403,
        f"Join {competition.title} and accept its rules first",
    )


# -- the leaderboard -------------------------------------------------------------------------------


def test_leaderboard_show_and_download_public_only_before_the_reveal(kaggle_as, eager):
    competition = competition_with_solution(score_display_precision=4)
    alice, bob = participant(competition, "alice"), participant(competition, "bob")
    submit(alice, competition, predictions_file(competition, quality=0.45))
    submit(bob, competition, predictions_file(competition, quality=0.2))
    caller = kaggle_as(alice)
    rows = caller.call("GetLeaderboard", {"competitionName": competition.slug}).json()[
        "submissions"
    ]
    assert [r["teamName"] for r in rows] == ["alice", "bob"]
    best = Submission.objects.get(team__name="alice")
    assert rows[0]["score"] == f"{best.public_score:.4f}"
    assert rows[0]["submissionDate"].endswith("Z")
    refused(
        caller.call(
            "GetLeaderboard", {"competitionName": competition.slug, "overridePublic": True}
        ),
        404,
        "The private leaderboard is revealed when the competition ends.",
    )

    response = Kaggle().call("DownloadLeaderboard", {"competitionName": competition.slug})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    lines = archive.read(f"{competition.slug}-publicleaderboard.csv").decode().splitlines()
    assert lines[0].startswith("Rank,TeamId,TeamName,LastSubmissionDate,Score")
    assert lines[1].startswith("1,") and ",alice," in lines[1]
    assert f"{best.private_score:.4f}" not in "\n".join(lines)


@pytest.mark.parametrize(
    ("status", "code", "sent"),
    [
        (401, "authentication_failed", 400),  # the CLI prints kaggle.com's login help instead
        (403, "rules_not_accepted", 400),  # ... a kaggle.com rules URL after the message
        (404, "competition_not_found", 400),  # ... "try 'kaggle search <query>'"
        (429, "daily_limit_reached", 400),  # ... "You have been rate limited"
        (429, "throttled", 429),  # true, and the client's retries wait for Retry-After
        (400, "file_empty", 400),
        (409, "team_name_taken", 409),
        (413, "file_too_large", 413),
        (503, "service_unavailable", 503),
    ],
)
def test_a_refusal_is_sent_with_a_status_the_kaggle_cli_prints_alone(status, code, sent):
    from podium.kaggle_compat.protocol import printed_error_response

    response = printed_error_response(status, "Podium's words.", code)
    body = json.loads(response.content)
    assert response.status_code == body["code"] == sent
    assert body["message"] == "Podium's words." and body["podiumCode"] == code
    assert body.get("podiumStatus", sent) == status


def test_an_empty_file_is_refused_before_its_upload(kaggle_as):
    competition = competition_with_solution()
    caller = kaggle_as(participant(competition, "alice"))
    # kagglesdk leaves contentLength out for 0 bytes, then PUTs without a Content-Length
    response = caller.call(
        "StartSubmissionUpload", {"competitionName": competition.slug, "fileName": "e.csv"}
    )
    refused(response, 400, "The file is empty.")
    assert response.json()["podiumCode"] == "file_empty"
