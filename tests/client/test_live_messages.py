"""What the CLI prints against a live server when something did not work: the submissions'
message column (why a row failed, how a scored one did), the hint after a refusal that a
command fixes, the metric's name, and the private board's reveal message before the reveal."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import timedelta

import pytest

from podium.accounts.tokens import api_token_create
from podium.competitions.models import Competition
from podium.core.timeutils import now
from podium.submissions.models import Submission
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    participant,
    scored,
    submit,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_cache")]

FAILED = (
    "Submission has 1 rows; expected 200. Rows 2 to 200 of the sample submission are missing: "
    "check that you predicted every id of test.csv, then submit the whole file again."
)
BEST = "Your Best Entry! You advanced 3 places on the leaderboard! Your score was 0.81234."


def as_user(live_server, user) -> dict:
    return {"PODIUM_URL": live_server.url, "PODIUM_TOKEN": api_token_create(user=user, name="t")[1]}


def on_a_terminal(cli, *args, **env) -> list[str]:
    """The lines ``podium *args`` prints with a pseudo-terminal as its stdout."""
    main, other = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "podium_client", *args],
            cwd=cli.cwd, env={**cli.env, **env}, stdin=subprocess.DEVNULL, stdout=other,
            stderr=subprocess.PIPE, text=True, timeout=600, check=False,
        )  # fmt: skip
    finally:
        os.close(other)
    assert done.returncode == 0, done.stderr
    out = b""
    try:
        while piece := os.read(main, 65536):
            out += piece
    except OSError:  # EIO: the terminal's other end is closed and everything read
        pass
    finally:
        os.close(main)
    return out.decode().replace("\r\n", "\n").splitlines()


def stderr_lines(done) -> list[str]:
    assert "Traceback" not in done.stderr
    return done.stderr.splitlines()


def test_submissions_show_why_a_row_failed_and_how_one_scored(live_server, cli):
    competition = competition_with_solution()
    alice = participant(competition, "alice")
    good = scored(alice, competition, public=0.81234, private=0.8)
    Submission.objects.filter(pk=good.pk).update(result_message=BEST, description="first")
    bad = submit(alice, competition, description="second")
    Submission.objects.filter(pk=bad.pk).update(
        status=Submission.Status.FAILED, error_message=FAILED
    )
    env = as_user(live_server, alice)

    # not a terminal (a pipe): every character of the message, even with $COLUMNS set
    done = cli("submissions", competition.slug, COLUMNS="100", **env)
    assert done.returncode == 0, done.stderr
    header, _, newest, oldest = done.stdout.splitlines()
    assert header.split()[-2:] == ["description", "message"]
    assert newest.split()[0] == str(bad.pk) and newest.endswith("  " + FAILED)
    assert oldest.split()[0] == str(good.pk) and oldest.endswith("  " + BEST)
    assert " second " in newest and " first " in oldest

    # a terminal of 100 columns: the message is cut to fit, with "…"
    lines = on_a_terminal(cli, "submissions", competition.slug, COLUMNS="100", **env)
    assert all(len(line) <= 100 for line in lines), lines
    assert lines[2].endswith("…") and FAILED[:20] in lines[2]
    assert lines[3].endswith("…") and BEST[:20] in lines[3]

    # --json has the whole text
    rows = json.loads(cli("submissions", competition.slug, "--json", COLUMNS="100", **env).stdout)
    assert [(r["error_message"], r["result_message"]) for r in rows] == [(FAILED, ""), ("", BEST)]


def test_a_refusal_a_command_fixes_is_followed_by_that_command(live_server, cli, tmp_path):
    competition = competition_with_solution(daily_submission_limit=1)
    slug = competition.slug
    alice = participant(competition, "alice")
    scored(alice, competition, public=0.8, private=0.8)
    carol = as_user(live_server, UserFactory(username="carol"))

    # download before join: the CLI's own command, not the web's Rules page
    join = f"accept the rules and join: `podium join {slug} --accept-rules`."
    done = cli("download", slug, "-p", tmp_path, **carol)
    assert done.returncode == 3
    assert stderr_lines(done) == [
        f"error: Join {competition.title} and accept its rules first (on the competition's "
        "Rules page).",
        f"hint: {join}",
    ]
    as_json = json.loads(cli("download", slug, "-p", tmp_path, "--json", **carol).stdout)
    assert as_json["error"]["code"] == "rules_not_accepted"
    assert as_json["error"]["hint"] == join

    # `podium join` without a terminal to ask on says the whole command
    done = cli("join", slug, **carol)
    assert done.returncode == 2
    assert stderr_lines(done)[-1].endswith(f"`podium join {slug} --accept-rules`.")

    # no team: join
    done = cli("submissions", slug, **carol)
    assert done.returncode == 3
    assert stderr_lines(done)[1] == (
        f"hint: join it: `podium join {slug} --accept-rules` (or `podium team {slug}` for "
        "invitations to a team)."
    )

    # the daily limit: when the next submission opens, in local time
    small = tmp_path / "p.csv"
    small.write_text("id,target\n1,0.5\n")
    done = cli("submit", slug, small, "-m", "x", **as_user(live_server, alice))
    assert done.returncode == 5
    error, hint = stderr_lines(done)[-2:]
    assert error.startswith("error: Your team has used 1 of 1 submissions today.")
    assert hint.startswith("hint: the next submission opens at ") and hint.endswith(
        f"(your time); `podium submissions {slug}` lists today's."
    )

    # the private board before the reveal: the server's message, as it is
    done = cli("leaderboard", slug, "--private", **carol)
    assert done.returncode == 4
    [line] = stderr_lines(done)
    assert line.startswith("error: ") and "hint" not in done.stderr


def test_competitions_show_the_metrics_name(live_server, cli):
    from podium.competitions.metrics import metric_label

    competition = competition_with_solution()  # roc_auc
    name = metric_label(competition).name
    assert name != competition.metric
    done = cli("competitions", PODIUM_URL=live_server.url)
    assert done.returncode == 0, done.stderr
    row = done.stdout.splitlines()[2]
    assert f"  {name}  " in row and competition.metric not in row


def test_the_private_board_before_the_reveal_prints_the_servers_message(live_server, cli):
    """Ended, not revealed: the server's words (ended on ...; the organizers will reveal it, on
    ... when scheduled), exit 4, never a private score."""
    competition = competition_with_solution(slug="ended-one", auto_reveal_private=False)
    alice = participant(competition, "alice")
    scored(alice, competition, 0.81234, 0.67891)
    end_at = now() - timedelta(hours=3)
    Competition.objects.filter(pk=competition.pk).update(end_at=end_at)
    env = as_user(live_server, alice)

    done = cli("leaderboard", "ended-one", "--private", **env)
    assert done.returncode == 4, done  # not found: the board is not there yet
    said = f"The competition ended on {end_at:%d %b %Y at %H:%M} UTC; the organizers will reveal"
    assert said in done.stderr, done.stderr
    assert "revealed when the competition ends" not in done.stderr
    assert "0.6789" not in done.stdout + done.stderr and "Traceback" not in done.stderr

    reveal_at = now() + timedelta(days=2)
    Competition.objects.filter(pk=competition.pk).update(
        auto_reveal_private=True, reveal_at=reveal_at
    )
    done = cli("leaderboard", "ended-one", "--private", **env)
    assert f"on {reveal_at:%d %b %Y at %H:%M} UTC." in done.stderr, done.stderr
