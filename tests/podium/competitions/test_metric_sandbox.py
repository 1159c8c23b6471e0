"""Organizer metric files scored through the real sandbox, as the worker scores a submission:
Kaggle's style runs unmodified and scores like scikit-learn, only a ParticipantVisibleError's
words reach the participant, and a metric that tries to reach the host (another competition's
answer key, the worker's environment, the network, the database) ends as a failed scoring with
nothing of the host in what anyone reads. Skips, saying why, where the sandbox cannot start."""

from __future__ import annotations

import socket
import textwrap
import threading

import numpy as np
import pytest
import sklearn.metrics
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

import scoring
from podium.competitions import metric_sandbox
from podium.competitions.metrics import competition_metric
from podium.competitions.selectors import active_solution
from podium.core import sandbox
from podium.submissions.models import Submission
from podium.workflows.scoring import submission_score
from tests.podium.factories import (
    UserFactory,
    competition_with_solution,
    csv_bytes,
    participant,
    predictions_file,
    submit,
)

pytestmark = pytest.mark.django_db(transaction=True)
sandboxed = pytest.mark.usefixtures("sandbox_ready")

ROC_AUC = '''\
"""ROC AUC, Kaggle's way: the helper module around scikit-learn."""
import pandas as pd
import pandas.api.types

import kaggle_metric_utilities
import sklearn.metrics


class ParticipantVisibleError(Exception):
    pass


def score(solution: pd.DataFrame, submission: pd.DataFrame, row_id_column_name: str) -> float:
    del solution[row_id_column_name]
    del submission[row_id_column_name]
    if not pandas.api.types.is_numeric_dtype(submission.values):
        raise ParticipantVisibleError("Predictions must be numbers")
    kaggle_metric_utilities.verify_valid_probabilities(
        pd.concat([submission["target"], 1 - submission["target"]], axis=1), "submission"
    )
    return kaggle_metric_utilities.safe_call_score(
        sklearn.metrics.roc_auc_score, solution["target"].values, submission["target"].values
    )
'''


def custom_competition(source: str, **kwargs):
    return competition_with_solution(
        metric="custom",
        custom_metric_file=ContentFile(source.encode(), name="metric.py"),
        **kwargs,
    )


def scored(competition, file=None) -> Submission:
    sub = submit(participant(competition), competition, file)
    submission_score(submission_id=sub.pk, worker="test-worker")
    sub.refresh_from_db()
    return sub


def board_scores(competition, sub: Submission) -> tuple[float, float]:
    """scikit-learn's ROC AUC of the submission on each board, from the files themselves."""
    ids, target, usage = competition.answer
    lines = sub.file.open("rb").read().decode().split()[1:]
    sub.file.close()
    predicted = {int(i): float(p) for i, p in (line.split(",") for line in lines)}
    p = np.array([predicted[i] for i in ids])
    return tuple(
        sklearn.metrics.roc_auc_score(target[usage == board], p[usage == board])
        for board in ("Public", "Private")
    )


# -- scoring --------------------------------------------------------------------------------------


@sandboxed
def test_a_kaggle_style_metric_scores_in_the_sandbox_like_scikit_learn():
    competition = custom_competition(ROC_AUC, rows=300)
    sub = scored(competition, predictions_file(competition, quality=0.2, seed=3))
    assert sub.status == Submission.Status.SCORED, sub.error_detail
    public, private = board_scores(competition, sub)
    assert sub.public_score == pytest.approx(public, abs=1e-12)
    assert sub.private_score == pytest.approx(private, abs=1e-12)
    # The same numbers as the built-in, in-process roc_auc.
    builtin = scoring.score_submission(
        scoring.prepare_solution(
            active_solution(competition).file.path, metric=scoring.get_metric("roc_auc")
        ),
        sub.file.path,
        metric="roc_auc",
    )
    assert (sub.public_score, sub.private_score) == pytest.approx(
        (builtin.public_score, builtin.private_score), abs=1e-12
    )


@sandboxed
def test_a_participant_error_from_the_helper_reaches_the_participant_word_for_word():
    competition = custom_competition(ROC_AUC)
    ids, _, _ = competition.answer
    bad = csv_bytes(["id", "target"], [ids, np.where(ids == 7, -0.5, 0.5)])
    sub = scored(competition, ContentFile(bad, name="sub.csv"))
    assert sub.status == Submission.Status.FAILED
    assert sub.error_code == "participant_visible_error"
    assert sub.error_message == "All target values in submission must be at least zero"
    assert "verify_valid_probabilities" in sub.error_detail  # the organizer's traceback


@sandboxed
def test_a_crashing_metric_is_a_scoring_error_whose_words_only_the_organizer_reads():
    competition = custom_competition(
        "def score(solution, submission, row_id_column_name):\n"
        "    raise ValueError('threshold 0.731 of the private rows')\n"
    )
    sub = scored(competition)
    assert sub.status == Submission.Status.FAILED
    assert (sub.error_code, sub.error_message) == ("scoring_error", "Submission Scoring Error")
    assert "ValueError: threshold 0.731 of the private rows" in sub.error_detail
    assert "Traceback" in sub.error_detail


@sandboxed
def test_a_participant_s_file_problem_is_found_before_the_sandbox(monkeypatch):
    competition = custom_competition(ROC_AUC)
    monkeypatch.setattr(sandbox, "run", lambda *a, **k: pytest.fail("the sandbox was started"))
    sub = scored(competition, ContentFile(b"id,target\n1,0.5\n", name="sub.csv"))
    assert sub.status == Submission.Status.FAILED
    assert sub.error_code == "row_count_mismatch"


@sandboxed
def test_a_metric_past_its_time_limit_is_stopped(settings):
    settings.METRIC_WALL_SECONDS = 3
    competition = custom_competition(
        "import time\ndef score(solution, submission, row_id_column_name):\n"
        "    time.sleep(60)\n    return 1.0\n"
    )
    sub = scored(competition)
    assert sub.status == Submission.Status.FAILED
    assert sub.error_message == "Submission Scoring Error"
    assert "ran past its 3-second limit" in sub.error_detail


@sandboxed
def test_a_lost_lease_stops_the_run():
    source = metric_sandbox.MetricSource(
        b"import time\ntime.sleep(60)\ndef score(s, p, i):\n    return 1.0\n", "metric.py"
    )
    with pytest.raises(scoring.ScoringError) as info:
        metric_sandbox.run_metric(
            source=source, id_column="id", params={}, board_inputs=None, should_stop=lambda: True
        )
    assert "stopped" in info.value.detail


def test_without_the_sandbox_the_metric_does_not_run_and_the_submission_fails(
    monkeypatch, tmp_path
):
    ran = tmp_path / "ran"
    competition = custom_competition(
        f"open({str(ran)!r}, 'w').write('x')\n"
        "def score(solution, submission, row_id_column_name):\n    return 1.0\n"
    )

    def unavailable(*args, **kwargs):
        raise sandbox.SandboxUnavailable("bubblewrap (bwrap) is not installed on this worker")

    monkeypatch.setattr(sandbox, "run", unavailable)
    sub = scored(competition)
    assert sub.status == Submission.Status.FAILED
    assert sub.error_message == "Submission Scoring Error"
    assert "the sandbox cannot start on this host" in sub.error_detail
    assert "bubblewrap (bwrap) is not installed" in sub.error_detail
    assert not ran.exists()  # never in this process


def test_the_worker_s_metric_is_a_descriptor_that_refuses_to_run(tmp_path):
    ran = tmp_path / "ran"
    competition = custom_competition(
        f"open({str(ran)!r}, 'w').write('x')\ndef score(s, p, i):\n    return 1.0\n"
    )
    metric = competition_metric(competition)
    assert (metric.kind, metric.name) == ("custom", f"custom:{competition.slug}")
    with pytest.raises(scoring.MetricFileError, match="only in the sandbox"):
        metric.func(None, None, "id")
    assert not ran.exists()


# -- escapes: nothing of the host comes back ------------------------------------------------------


ESCAPE = """\
import os
import socket
import sqlite3


class ParticipantVisibleError(Exception):
    pass


def attempt():
{body}


def score(solution, submission, row_id_column_name):
    loot = attempt()
    # Had it worked, the loot would reach the participant word for word.
    raise ParticipantVisibleError(f"loot: {{loot!r}}")
"""


class Listener:
    """A host service on 127.0.0.1 that hands a secret to whoever connects."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.server.settimeout(30)
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        self.connections += 1
        conn.sendall(b"host-listener-secret")
        conn.close()

    def close(self) -> None:
        self.server.close()


@sandboxed
@pytest.mark.parametrize("attack", ["answer_key", "parent_environ", "socket", "database"])
def test_a_metric_cannot_reach_the_host(attack, monkeypatch):
    monkeypatch.setenv("PODIUM_HOST_SECRET", "host-environ-secret")
    other = competition_with_solution(rows=50)
    other_key = active_solution(other).file.path
    UserFactory(username="host-db-user-zq")
    listener = Listener()
    database = connection.settings_dict["NAME"]
    bodies = {
        "answer_key": f"    return open({other_key!r}).read()",
        "parent_environ": "    return open(f'/proc/{os.getppid()}/environ', 'rb').read()",
        "socket": (
            f"    s = socket.create_connection(('127.0.0.1', {listener.port}), timeout=3)\n"
            "    return s.recv(100)"
        ),
        "database": (
            f"    db = sqlite3.connect({str(database)!r})\n"
            "    return db.execute('select username, password from auth_user')"
            ".fetchall()"
        ),
    }
    try:
        competition = custom_competition(ESCAPE.format(body=bodies[attack]))
        sub = scored(competition)
    finally:
        listener.close()
    assert sub.status == Submission.Status.FAILED
    seen = sub.error_message + "\n" + sub.error_detail
    with open(other_key) as key:
        other_rows = key.read().splitlines()[1:]
    assert not any(row in seen.splitlines() for row in other_rows)
    assert "id,target,Usage" not in seen
    for secret in (
        "host-environ-secret",
        settings.SECRET_KEY,
        "DJANGO_SETTINGS_MODULE",
        "host-listener-secret",
        "host-db-user-zq",
        "pbkdf2",
        "md5$",
    ):
        assert secret not in seen, (attack, seen)
    assert listener.connections == 0
    if sub.error_code == "participant_visible_error":  # the attempt "worked" inside: on nothing
        assert attack == "parent_environ"  # the sandbox's own supervisor, built from nothing
        assert "loot:" in sub.error_message
    else:
        assert sub.error_message == "Submission Scoring Error"


@sandboxed
def test_a_metric_sees_only_its_own_competition_s_rows():
    source = textwrap.dedent("""
        import os

        def score(solution, submission, row_id_column_name):
            inputs = sorted(os.listdir("/sandbox/input"))
            assert inputs == ["solution_private.parquet", "solution_public.parquet", "spec.json",
                              "submission_private.parquet", "submission_public.parquet"], inputs
            assert "Usage" not in solution.columns
            return float(len(solution))
    """)
    competition = custom_competition(source, rows=60)
    competition_with_solution(rows=80)  # another one, whose key is nowhere to be seen
    sub = scored(competition)
    assert sub.status == Submission.Status.SCORED, sub.error_detail
    _, _, usage = competition.answer
    assert sub.public_score == (usage == "Public").sum()
    assert sub.private_score == (usage == "Private").sum()


@sandboxed
@pytest.mark.parametrize(
    ("forgery", "words"),
    [
        (
            "os.symlink('/etc/passwd', '/sandbox/output/result.json')",
            ["could not be read: the metric wrote no result", "Not copied out of the sandbox"],
        ),
        (
            "open('/sandbox/output/result.json', 'w').write('{\"public\": 1e999, \"private\": 1}')",
            ["could not be read: public and private must both be finite numbers"],
        ),
        (
            "open('/sandbox/output/result.json', 'w').write("
            '\'{"public": 1, "private": 1, "admin": true}\')',
            ["could not be read: expected the keys public and private"],
        ),
    ],
    ids=["link", "overflow", "extra-key"],
)
def test_a_forged_result_is_not_believed(forgery, words):
    competition = custom_competition(
        "import os\n\ndef score(solution, submission, row_id_column_name):\n"
        f"    os.makedirs('/sandbox/output', exist_ok=True)\n    {forgery}\n    os._exit(0)\n"
    )
    sub = scored(competition)
    assert sub.status == Submission.Status.FAILED and sub.public_score is None
    assert sub.error_message == "Submission Scoring Error"
    for word in words:
        assert word in sub.error_detail, sub.error_detail
    assert "root:x:0:0" not in sub.error_detail
