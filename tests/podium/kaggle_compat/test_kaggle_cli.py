"""The official kaggle CLI (kaggle 2.2.5, unmodified, from ``$PODIUM_KAGGLE_CLI``), started by
``podium kaggle``, against a live server and a real worker: what a participant types, and how
Podium's refusals read through it."""

from __future__ import annotations

import subprocess
import zipfile

import pytest

from podium.accounts.tokens import api_token_create
from podium.competitions.models import Competition
from podium.submissions.models import Submission
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    participant,
    predictions_file,
    scored,
)

pytestmark = pytest.mark.django_db(transaction=True)


def ok(done) -> str:
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr
    return done.stdout


def refused(done, message: str) -> None:
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert message in output, output
    assert "Traceback" not in output


@pytest.mark.slow
def test_list_files_download_submit_scored_submissions_leaderboard(
    e2e, live_server, kaggle_cli, tmp_path
):
    e2e.start_worker()
    competition = competition_with_solution(daily_submission_limit=2, score_display_precision=5)
    slug = competition.slug
    alice = participant(competition, "alice")
    _, key = api_token_create(user=alice, name="kaggle")

    def kaggle(*args, token=key):
        return kaggle_cli(*args, PODIUM_URL=live_server.url, PODIUM_TOKEN=token)

    assert slug in ok(kaggle("competitions", "list"))
    assert "sample_submission.csv" in ok(kaggle("competitions", "files", "-c", slug))

    sample = competition.data_files.get().file.open("rb").read()
    ok(kaggle("competitions", "download", "-c", slug, "-p", tmp_path / "all"))
    with zipfile.ZipFile(tmp_path / "all" / f"{slug}.zip") as archive:
        assert archive.read("sample_submission.csv") == sample
    ok(
        kaggle(
            "competitions",
            "download",
            "-c",
            slug,
            "-f",
            "sample_submission.csv",
            "-p",
            tmp_path / "one",
        )
    )
    assert (tmp_path / "one" / "sample_submission.csv").read_bytes() == sample

    predictions = tmp_path / "predictions.csv"
    predictions.write_bytes(predictions_file(competition, quality=0.4).read())
    out = ok(kaggle("competitions", "submit", "-c", slug, "-f", predictions, "-m", "first try"))
    assert f"Successfully submitted to {competition.title}" in out
    submission = Submission.objects.get(team__competition=competition)
    assert f"Submission ref: {submission.pk}" in out
    assert "1 submissions remaining today." in out
    assert submission.file.open("rb").read() == predictions.read_bytes()
    assert (submission.description, submission.original_name) == ("first try", "predictions.csv")
    e2e.wait_for_status(submission, "scored", timeout=120)
    submission.refresh_from_db()
    public = f"{submission.public_score:.5f}"

    out = ok(kaggle("competitions", "submissions", "-c", slug))
    assert "predictions.csv" in out and "COMPLETE" in out and public in out
    assert f"{submission.private_score:.5f}" not in out  # hidden until the reveal

    out = ok(kaggle("competitions", "leaderboard", "-c", slug, "--show"))
    assert "alice" in out and public in out
    ok(kaggle("competitions", "leaderboard", "-c", slug, "--download", "-p", tmp_path / "lb"))
    with zipfile.ZipFile(tmp_path / "lb" / f"{slug}.zip") as archive:
        board = archive.read(f"{slug}-publicleaderboard.csv").decode()
    assert f"1,{submission.team_id},alice," in board and public in board

    # Podium's refusals, printed by the kaggle CLI
    Competition.objects.filter(pk=competition.pk).update(daily_submission_limit=1)
    refused(
        kaggle("competitions", "submit", "-c", slug, "-f", predictions, "-m", "again"),
        "Your team has used 1 of 1 submissions today.",
    )
    assert Submission.objects.count() == 1
    refused(
        kaggle("competitions", "files", "-c", "no-such-competition"),
        "There is no competition called 'no-such-competition'.",
    )
    refused(
        kaggle("competitions", "submit", "-c", "no-such-competition", "-f", predictions, "-m", "x"),
        "There is no competition called 'no-such-competition'.",
    )
    _, eve_key = api_token_create(user=UserFactory(username="eve"), name="kaggle")
    refused(
        kaggle("competitions", "download", "-c", slug, "-p", tmp_path / "eve", token=eve_key),
        f"Join {competition.title} and accept its rules first",
    )


def test_a_bearer_token_is_introspected_and_used(live_server, kaggle_cli):
    """KAGGLE_API_TOKEN (Bearer): the CLI asks IntrospectToken whose it is, then uses it."""
    from podium_client.commands.kaggle import LAUNCHER, interpreter_of

    competition = competition_with_solution()
    alice = participant(competition, "alice")
    _, key = api_token_create(user=alice, name="kaggle")
    env = {
        **kaggle_cli.env,
        "KAGGLE_API_ENVIRONMENT": "LOCALHOST",
        "KAGGLE_API_TOKEN": key,
        "PODIUM_KAGGLE_URL": live_server.url,
    }
    python = interpreter_of(kaggle_cli.env["PODIUM_KAGGLE_CLI"])
    done = subprocess.run(
        [python, "-c", LAUNCHER, "competitions", "files", "-c", competition.slug],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "sample_submission.csv" in ok(done)


def printed(done) -> list[str]:
    """What the kaggle CLI printed on stderr, less its upload progress bars."""
    return [
        line
        for line in done.stderr.splitlines()
        if line.strip() and "B/s" not in line and "%|" not in line
    ]


@pytest.mark.slow
def test_podiums_messages_are_printed_as_podium_wrote_them(live_server, kaggle_cli, tmp_path):
    """The kaggle CLI prints Podium's message alone: not "Could not submit to competition" for
    an empty file, no kaggle.com rules URL, no "You have been rate limited" for the daily limit,
    no "try 'kaggle search'", no kaggle.com login help for a refused key."""
    competition = competition_with_solution(daily_submission_limit=1)
    slug = competition.slug
    alice = participant(competition, "alice")
    _, key = api_token_create(user=alice, name="kaggle")
    scored(alice, competition, public=0.8, private=0.8)

    def kaggle(*args, token=key):
        return kaggle_cli(*args, PODIUM_URL=live_server.url, PODIUM_TOKEN=token)

    def says(done, *lines: str) -> None:
        assert done.returncode == 1, done.stdout + done.stderr
        assert printed(done) == list(lines), done.stderr
        assert "kaggle" not in done.stdout + done.stderr.replace(f"{slug}", "")

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    says(kaggle("competitions", "submit", "-c", slug, "-f", empty, "-m", "x"), "The file is empty.")

    predictions = tmp_path / "predictions.csv"
    predictions.write_text("id,target\n1,0.5\n")
    done = kaggle("competitions", "submit", "-c", slug, "-f", predictions, "-m", "again")
    [line] = printed(done)
    assert line.startswith(
        "Your team has used 1 of 1 submissions today. The next one opens at 00:00 UTC (in "
    ), done.stderr
    assert "rate limited" not in done.stderr and done.returncode == 1
    assert Submission.objects.count() == 1

    _, eve_key = api_token_create(user=UserFactory(username="eve"), name="kaggle")
    says(
        kaggle("competitions", "download", "-c", slug, "-p", tmp_path / "eve", token=eve_key),
        f"Join {competition.title} and accept its rules first (on the competition's Rules page).",
    )
    says(
        kaggle("competitions", "submissions", "-c", slug, token=eve_key),
        f"You have not joined {competition.title}. Join it and accept its rules first.",
    )
    missing = "There is no competition called 'no-such-competition'."
    says(kaggle("competitions", "files", "-c", "no-such-competition"), missing)
    says(
        kaggle("competitions", "submit", "-c", "no-such-competition", "-f", predictions, "-m", "x"),
        missing,
    )
    refused_key = kaggle("competitions", "files", "-c", slug, token="pdm_bogus")
    assert refused_key.returncode == 1
    assert printed(refused_key)[0].startswith("This API key is not valid")
    assert "kaggle.com" not in refused_key.stdout + refused_key.stderr


def test_competitions_list_shows_the_callers_rank_and_entry(live_server, kaggle_cli):
    """Every column `kaggle competitions list` prints: userRank is the caller's team's public
    rank (0 off the board), userHasEntered whether it has a team; reward is Podium's blank."""
    ranked = competition_with_solution(title="Ranked", slug="ranked")
    other = competition_with_solution(title="Other", slug="other")
    alice, bob = participant(ranked, "alice"), participant(ranked, "bob")
    scored(bob, ranked, public=0.9, private=0.9)
    scored(alice, ranked, public=0.8, private=0.8)
    participant(other, "carol")
    _, key = api_token_create(user=alice, name="kaggle")

    done = kaggle_cli("competitions", "list", PODIUM_URL=live_server.url, PODIUM_TOKEN=key)
    header, _, *rows = ok(done).splitlines()
    assert header.split() == [
        "ref",
        "deadline",
        "category",
        "reward",
        "teamCount",
        "userHasEntered",
        "userRank",
    ]
    by_ref = {row.split()[0]: row.split() for row in rows}
    # ref, deadline (a date and a time), category, teamCount, userHasEntered, userRank
    assert by_ref["ranked"][1] == f"{ranked.end_at:%Y-%m-%d}"
    assert by_ref["ranked"][3:] == ["active", "2", "True", "2"]
    assert by_ref["other"][3:] == ["active", "1", "False", "0"]
