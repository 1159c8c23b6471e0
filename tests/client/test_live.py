"""The CLI as a subprocess against a live server (pytest-django's ``live_server``, on the test
database) and, for scoring, a real ``celery worker`` (the e2e fixtures): what a participant
does from a terminal, and what each kind of failure looks like."""

from __future__ import annotations

import hashlib
import json
import stat

import pytest

from podium.competitions.models import Competition
from podium.submissions.models import Submission
from podium.teams.models import Team
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    participant,
    predictions_file,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]


def ok(done) -> str:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stdout


def failed(done, code: int, message: str) -> None:
    assert done.returncode == code, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert any(line.startswith("error: ") for line in done.stderr.splitlines()), done.stderr
    assert message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_login_download_submit_wait_scored_leaderboard_select(e2e, live_server, cli, tmp_path):
    e2e.start_worker()
    competition = competition_with_solution(daily_submission_limit=5)
    slug = competition.slug
    user = participant(competition, "alice")  # the factories' password: "password"

    # login: a password for a key, stored in a file only its owner reads
    out = ok(
        cli(
            "login", "--url", live_server.url, "-u", "alice", "--password-stdin", stdin="password\n"
        )
    )
    assert f"Signed in to {live_server.url} as alice" in out
    assert stat.S_IMODE(cli.config_path.stat().st_mode) == 0o600
    stored = json.loads(cli.config_path.read_text())
    assert stored["token"].startswith("pdm_") and stored["username"] == "alice"
    assert ok(cli("whoami")).strip() == f"alice on {live_server.url}"

    listed = json.loads(ok(cli("competitions", "--json")))
    assert [c["slug"] for c in listed] == [slug]
    assert slug in ok(cli("competitions"))

    # download, then again: complete files are skipped
    data = tmp_path / "data"
    done = cli("download", slug, "-p", data)
    ok(done)
    sample = data / "sample_submission.csv"
    expected = competition.data_files.get().file.open("rb").read()
    assert sample.read_bytes() == expected
    assert "sample_submission.csv: " in done.stderr and not list(data.glob("*.part"))
    again = cli("download", slug, "-p", data, "-f", "sample_submission.csv", "--json")
    ok(again)
    assert "sample_submission.csv: up to date" in again.stderr
    [item] = json.loads(again.stdout)
    assert item["downloaded"] is False
    assert item["sha256"] == hashlib.sha256(expected).hexdigest()

    # submit --wait: the worker scores it, the Kaggle-style message is printed
    predictions = tmp_path / "predictions.csv"
    predictions.write_bytes(predictions_file(competition, quality=0.4).read())
    done = cli("submit", slug, predictions, "-m", "first try", "--wait", "--timeout", "300")
    out = ok(done)
    submission = Submission.objects.get(team__competition=competition)
    assert submission.status == Submission.Status.SCORED
    assert submission.description == "first try" and submission.submitted_by == user
    assert submission.file.open("rb").read() == predictions.read_bytes()
    assert f"Submission {submission.pk} received" in done.stderr
    assert "uploading predictions.csv: " in done.stderr  # not a terminal: one final line
    assert submission.result_message.startswith("Your Best Entry!")
    assert out.splitlines() == [
        submission.result_message,
        f"Public score: {submission.public_score:.5f}",
    ]

    [row] = json.loads(ok(cli("submissions", slug, "--json")))
    assert (row["id"], row["status"], row["description"]) == (submission.pk, "scored", "first try")
    assert row["public_score"] == submission.public_score
    assert str(submission.pk) in ok(cli("submissions", slug))

    team = Team.objects.get(competition=competition)
    [board_row] = json.loads(ok(cli("leaderboard", slug, "--json")))
    assert (board_row["rank"], board_row["team"], board_row["entries"]) == (1, team.name, 1)
    assert board_row["score"] == submission.public_score
    table = ok(cli("leaderboard", slug, "--top", "1")).splitlines()
    assert table[2].startswith(">") and team.name in table[2]  # my team, marked

    selection = json.loads(ok(cli("select", slug, submission.pk, "--json")))
    assert selection["selected"] == [submission.pk] and selection["automatic"] == []
    assert f"Final selection: {submission.pk} (1 of 2)" in ok(cli("select", slug))

    # a broken file: failed scoring under --wait is exit 6 with the participant's message
    broken = tmp_path / "short.csv"
    broken.write_bytes(b"id,target\n1,0.5\n")
    failed(
        cli("submit", slug, broken, "-m", "oops", "--wait"),
        6,
        "failed: Submission has 1 rows; expected 200.",
    )

    # the daily limit: exit 5 with the API's message
    Competition.objects.filter(pk=competition.pk).update(daily_submission_limit=1)
    failed(
        cli("submit", slug, predictions, "-m", "one more"),
        5,
        "error: Your team has used 1 of 1 submissions today. The next one opens at 00:00 UTC",
    )


def test_errors_teams_and_limits_without_a_worker(live_server, cli, tmp_path):
    from podium.accounts.tokens import api_token_create

    competition = competition_with_solution(submission_max_bytes=100)
    slug = competition.slug
    alice = participant(competition, "alice")
    participant(competition, "bob")
    UserFactory(username="carol")
    dave = UserFactory(username="dave")
    url = live_server.url

    # wrong password, bad key, no key: exit 3 with the API's message
    failed(
        cli("login", "--url", url, "-u", "alice", "--password-stdin", stdin="nope\n"),
        3,
        "error: That username and password do not match an account.",
    )
    assert not cli.config_path.exists()
    failed(cli("login", "--url", url, "--token", "pdm_bogus"), 3, "That key is not valid on")
    failed(cli("submissions", slug, PODIUM_URL=url, PODIUM_TOKEN="pdm_bogus"), 3, "error: ")
    failed(cli("submissions", slug, PODIUM_URL=url), 3, "Sign in first")

    ok(cli("login", "--url", url, "-u", "carol", "--password-stdin", stdin="password\n"))
    # unknown competition or file: exit 4
    failed(cli("download", "no-such-competition"), 4, "error: ")
    failed(cli("leaderboard", "no-such-competition", "--json"), 4, "error: ")
    failed(
        cli("download", slug, "-f", "nope.csv", "-p", tmp_path),
        4,
        "has no file named nope.csv (its files: sample_submission.csv)",
    )
    # the private board before the reveal: the API's refusal
    failed(cli("leaderboard", slug, "--private"), 4, "error: ")
    # not a member: the API's refusal, before any upload
    small = tmp_path / "p.csv"
    small.write_text("id,target\n1,0.5\n")
    failed(cli("submit", slug, small, "-m", "x"), 3, "error: You have not joined Competition")
    failed(cli("submit", slug, tmp_path / "missing.csv", "-m", "x"), 2, "no such file")

    # teams: alice invites carol (who has not joined); carol accepts, accepting the rules
    as_alice = {"PODIUM_URL": url, "PODIUM_TOKEN": api_token_create(user=alice, name="t")[1]}
    invited = json.loads(ok(cli("team", slug, "invite", "carol", "--json", **as_alice)))
    assert invited["invitee"] == "carol"
    pending = ok(cli("team", slug))  # carol's view: not in a team, one invitation
    assert "Invitations to you:" in pending and str(invited["id"]) in pending
    accepted = ok(cli("team", slug, "accept", invited["id"], "--accept-rules"))
    alice_team = Team.objects.get(competition=competition, memberships__user__username="alice")
    assert f"Accepted invitation {invited['id']}. Your team: {alice_team.name}." in accepted
    members = alice_team.memberships.values_list("user__username", flat=True)
    assert sorted(members) == ["alice", "carol"]
    failed(cli("team", slug, "accept", 999), 4, "Nothing pending to answer has id 999")
    shown = ok(cli("team", slug, **as_alice))
    assert "(you lead it): 2 of 5 members" in shown and "carol" in shown

    # a file over the competition's limit: refused before the upload
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 101)
    failed(cli("submit", slug, big, "-m", "x"), 1, "big.csv is 101 B; ")
    assert not Submission.objects.exists()

    # a merge the rules refuse shows the preview's reasons
    bob_team = Team.objects.get(competition=competition, memberships__user__username="bob")
    Competition.objects.filter(pk=competition.pk).update(max_team_size=2)
    failed(
        cli("team", slug, "merge", bob_team.name, **as_alice),
        1,
        f"error: Your team cannot merge into {bob_team.name}:\n  - ",
    )

    # join: the rules accepted on the command line
    as_dave = {"PODIUM_URL": url, "PODIUM_TOKEN": api_token_create(user=dave, name="t")[1]}
    failed(cli("join", slug, **as_dave), 2, "pass --accept-rules")
    assert "Joined" in ok(cli("join", slug, "--accept-rules", **as_dave))
    assert Team.objects.filter(competition=competition, memberships__user=dave).exists()
