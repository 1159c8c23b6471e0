"""``python -m scoring``, run as an organizer would: in a subprocess, reading its output and its
exit code (0 ok, 2 submission or command line refused, 3 solution refused, 4 metric failed)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from scoring import list_metrics
from scoring.cli import main
from tests.scoring.factories import write

SOLUTION = "id,y,Usage\n1,1.0,Public\n2,2.0,Private\n3,3.0,Public\n4,4.0,Private\n5,9.0,Ignored\n"
SUBMISSION = "id,y\n4,4.5\n2,2.0\n5,0\n3,3.0\n1,2.0\n"  # rmse: public sqrt(1/2), private 0.25**.5


def cli(cwd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scoring", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def files(tmp_path):
    write(tmp_path / "solution.csv", SOLUTION)
    write(tmp_path / "submission.csv", SUBMISSION)
    return tmp_path


def test_metrics_text_and_json(tmp_path):
    text = cli(tmp_path, "metrics")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["metric", "direction", "kind", "description"]
    rows = {line.split()[0]: line.split()[1:3] for line in lines[1:]}
    assert rows["roc_auc"] == ["maximize", "binary_score"]
    assert rows["rmse"] == ["minimize", "continuous"]

    as_json = cli(tmp_path, "metrics", "--json")
    assert as_json.returncode == 0, as_json.stderr
    payload = json.loads(as_json.stdout)
    assert payload["ok"] is True
    names = [m["name"] for m in payload["metrics"]]
    assert names == sorted(names) == [m.name for m in list_metrics()]
    by_name = {m["name"]: m for m in payload["metrics"]}
    assert by_name["map_at_k"]["params"] == {"k": 5}
    assert by_name["log_loss"]["direction"] == "minimize"
    assert set(rows) == set(names)


def test_prepare_text_and_json(files):
    text = cli(files, "prepare", "solution.csv", "--metric", "rmse")
    assert text.returncode == 0, text.stderr
    assert "Solution OK for rmse (minimize)." in text.stdout
    assert "header a submission must have: id, y" in text.stdout
    assert "rows: 5 (public 2, private 2, ignored 1)" in text.stdout
    assert (files / "solution.csv.prepared" / "meta.json").is_file()

    as_json = cli(files, "prepare", "solution.csv", "--metric", "rmse", "--json")
    assert as_json.returncode == 0, as_json.stderr
    payload = json.loads(as_json.stdout)
    assert payload["ok"] is True
    assert payload["meta"]["rows"] == {"total": 5, "public": 2, "private": 2, "ignored": 1}
    assert payload["meta"]["id_type"] == "int"
    assert payload["prepared"].endswith("solution.csv.prepared")


def test_prepare_refused_exits_3(files):
    write(files / "bad.csv", "id,y,Usage\n1,1.0,Public\n2,2.0,Public\n")
    text = cli(files, "prepare", "bad.csv", "--metric", "rmse")
    assert text.returncode == 3
    assert "Solution refused:" in text.stderr
    assert "[solution_no_private_rows]" in text.stderr
    assert "Traceback" not in text.stderr
    as_json = cli(files, "prepare", "bad.csv", "--metric", "rmse", "--json")
    assert as_json.returncode == 3
    payload = json.loads(as_json.stdout)
    assert payload == {
        "ok": False,
        "error": {"code": "solution_no_private_rows", "message": payload["error"]["message"]},
    }


def test_score_text_and_json(files):
    text = cli(
        files,
        "score",
        "--solution",
        "solution.csv",
        "--submission",
        "submission.csv",
        "--metric",
        "rmse",
    )
    assert text.returncode == 0, text.stderr
    assert f"Public score:  {0.5**0.5:.5f} (2 rows)" in text.stdout
    assert "Private score: 0.35355 (2 rows)" in text.stdout
    assert "Ignored rows:  1" in text.stdout

    as_json = cli(
        files,
        "score",
        "--solution",
        "solution.csv",
        "--submission",
        "submission.csv",
        "--metric",
        "rmse",
        "--json",
        "--precision",
        "2",
    )
    assert as_json.returncode == 0, as_json.stderr
    payload = json.loads(as_json.stdout)
    assert payload["ok"] is True and payload["metric"] == "rmse"
    assert payload["score"]["public_score"] == pytest.approx(0.5**0.5)
    assert payload["score"]["private_score"] == pytest.approx(0.125**0.5)
    assert payload["score"]["public_rows"] == 2
    assert {"read_s", "validate_s", "metric_s"} <= set(payload["score"]["timings"])


def test_refused_submission_lists_every_problem_and_exits_2(files):
    write(files / "broken.csv", "id,y\n1,abc\n2,\n3,NaN\n9,1\n")
    text = cli(
        files,
        "score",
        "--solution",
        "solution.csv",
        "--submission",
        "broken.csv",
        "--metric",
        "rmse",
    )
    assert text.returncode == 2
    assert "Traceback" not in text.stderr
    assert text.stderr.startswith("Submission refused:")
    for code in (
        "row_count_mismatch",
        "ids_unknown",
        "ids_missing",
        "value_not_numeric",
        "value_missing",
        "value_not_finite",
    ):
        assert f"[{code}]" in text.stderr, text.stderr
    assert "line 2: 'abc'" in text.stderr

    as_json = cli(
        files,
        "score",
        "--solution",
        "solution.csv",
        "--submission",
        "broken.csv",
        "--metric",
        "rmse",
        "--json",
    )
    assert as_json.returncode == 2
    assert "Traceback" not in as_json.stderr
    error = json.loads(as_json.stdout)["error"]
    assert error["code"] == error["problems"][0]["code"]
    assert {p["code"] for p in error["problems"]} >= {"ids_unknown", "value_not_numeric"}


def test_custom_metric_file(files):
    write(
        files / "mae.py",
        textwrap.dedent('''
        """Mean absolute error."""
        def score(solution, submission, row_id_column_name, scale=1.0):
            return float((solution["y"] - submission["y"]).abs().mean() * scale)
    '''),
    )
    run = cli(
        files,
        "score",
        "--solution",
        "solution.csv",
        "--submission",
        "submission.csv",
        "--metric",
        "mae.py",
        "--lower-is-better",
        "--params",
        '{"scale": 2}',
    )
    assert run.returncode == 0, run.stderr
    assert "Public score:  1.00000 (2 rows)" in run.stdout  # (1 + 0) / 2 * 2
    assert "Private score: 0.50000 (2 rows)" in run.stdout  # (0 + 0.5) / 2 * 2
    assert "with mae (minimize)" in run.stdout


def test_a_kaggle_metric_file_importing_kaggle_metric_utilities(files):
    write(
        files / "kaggle_mae.py",
        textwrap.dedent("""
        import kaggle_metric_utilities

        def mae(solution, submission):
            if (submission["y"] < 0).any():
                raise ValueError("Predictions must not be negative")
            return float((solution["y"] - submission["y"]).abs().mean())

        def score(solution, submission, row_id_column_name):
            return kaggle_metric_utilities.safe_call_score(mae, solution, submission)
    """),
    )
    args = [
        "score",
        "--solution",
        "solution.csv",
        "--submission",
        "submission.csv",
        "--metric",
        "kaggle_mae.py",
        "--lower-is-better",
    ]
    run = cli(files, *args)
    assert run.returncode == 0, run.stderr
    assert "Public score:  0.50000 (2 rows)" in run.stdout
    write(files / "submission.csv", SUBMISSION.replace("4,4.5", "4,-1"))
    run = cli(files, *args)
    assert run.returncode == 4
    assert "Predictions must not be negative" in run.stderr  # participant-visible, as on Kaggle
    assert "participant_visible_error" in run.stderr


def test_crashing_custom_metric_exits_4_with_the_detail(files):
    write(
        files / "crash.py",
        textwrap.dedent("""
        def score(solution, submission, row_id_column_name):
            return 1 / (len(solution) - len(solution))
    """),
    )
    run = cli(
        files,
        "score",
        "--solution",
        "solution.csv",
        "--submission",
        "submission.csv",
        "--metric",
        "crash.py",
    )
    assert run.returncode == 4
    assert "Scoring failed:" in run.stderr
    assert "[scoring_error] Submission Scoring Error" in run.stderr
    assert "Detail (for the organizer):" in run.stderr
    assert "ZeroDivisionError" in run.stderr and "crash.py" in run.stderr
    assert run.stdout == ""


def test_participant_visible_error_from_the_cli(files):
    write(
        files / "pve.py",
        textwrap.dedent("""
        class ParticipantVisibleError(Exception):
            pass

        def score(solution, submission, row_id_column_name):
            raise ParticipantVisibleError("Scores must be below 4.")
    """),
    )
    run = cli(
        files,
        "score",
        "--solution",
        "solution.csv",
        "--submission",
        "submission.csv",
        "--metric",
        "pve.py",
        "--json",
    )
    assert run.returncode == 4
    error = json.loads(run.stdout)["error"]
    assert error["code"] == "participant_visible_error"
    assert error["message"] == "Scores must be below 4."


def test_bad_command_lines_exit_2_without_a_traceback(files):
    unknown = cli(
        files,
        "score",
        "--solution",
        "solution.csv",
        "--submission",
        "submission.csv",
        "--metric",
        "rmsee",
    )
    assert unknown.returncode == 2
    assert "[unknown_metric]" in unknown.stderr and "Did you mean 'rmse'?" in unknown.stderr
    write(files / "broken.py", "def score(:\n")
    bad_file = cli(files, "prepare", "solution.csv", "--metric", "broken.py")
    assert bad_file.returncode == 2
    assert "[metric_file_invalid]" in bad_file.stderr and "SyntaxError" in bad_file.stderr
    for run in (unknown, bad_file):
        assert "Traceback" not in run.stderr, run.stderr


# The same entry point in-process, for the cheaper corners of the command line.


@pytest.mark.parametrize(
    "extra, code",
    [
        (["--params", "{not json"], "bad_input"),
        (["--max-mb", "0.00001"], "file_too_large"),
        (["--submission", "nope.csv"], "bad_input"),
    ],
    ids=["params_not_json", "size_cap", "missing_submission"],
)
def test_main_refusals_in_process(files, capsys, monkeypatch, extra, code):
    monkeypatch.chdir(files)
    argv = [
        "score",
        "--solution",
        "solution.csv",
        "--submission",
        "submission.csv",
        "--metric",
        "rmse",
        "--json",
        *extra,
    ]
    assert main(argv) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == code
