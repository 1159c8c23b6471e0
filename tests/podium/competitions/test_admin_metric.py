"""Saving a competition's metric in the admin: a custom metric (superusers only) is tried in the
sandbox before it is saved (refused with its traceback, or saved with the scores it gave), and a
changed metric offers to rescore the scored submissions.

The dry-run tests use the real sandbox and skip, saying why, where it cannot start."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from podium.competitions.models import Competition
from podium.competitions.selectors import active_solution
from podium.competitions.services import competition_create
from podium.core import sandbox
from podium.core.errors import PermissionDenied
from podium.core.timeutils import now
from podium.submissions.models import Submission
from tests.podium.adminforms import form_data
from tests.podium.competitions.test_admin import ADD_URL, change_url, solution_upload
from tests.podium.competitions.test_admin import new_competition_data as admin_form_data
from tests.podium.competitions.test_metric_sandbox import ROC_AUC
from tests.podium.factories import (
    competition_with_solution,
    organizer,
    participant,
    predictions_file,
    submit,
    superuser,
)

pytestmark = pytest.mark.django_db(transaction=True)
sandboxed = pytest.mark.usefixtures("sandbox_ready")

CRASHING = (
    "def score(solution, submission, row_id_column_name):\n"
    "    raise ZeroDivisionError('the organizer divided by zero')\n"
)


def metric_upload(source: str, name: str = "metric.py") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, source.encode())


# What a custom metric needs besides its file: the name and line participants read.
CUSTOM_NAMES = {
    "metric_display_name": "Organizer ROC AUC",
    "metric_description": "Area under the ROC curve, computed by the organizers' file",
}


def new_competition_data(client, **overrides) -> dict:
    """The add form filled in with a valid new competition whose metric is custom."""
    return admin_form_data(client, **{"metric": "custom", **CUSTOM_NAMES, **overrides})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def file_errors(response) -> list[str]:
    return response.context["adminform"].form.errors.get("custom_metric_file", [])


@pytest.fixture
def admin_client_(client, db):
    client.force_login(superuser())
    return client


@pytest.fixture
def no_sandbox(monkeypatch):
    """Fails the test if anything starts the sandbox."""
    monkeypatch.setattr(sandbox, "run", lambda *a, **k: pytest.fail("the sandbox was started"))


# -- the dry run ----------------------------------------------------------------------------------


@sandboxed
def test_a_crashing_metric_is_refused_with_its_traceback(admin_client_):
    data = new_competition_data(
        admin_client_, custom_metric_file=metric_upload(CRASHING), solution_file=solution_upload()
    )
    response = admin_client_.post(ADD_URL, data)
    assert response.status_code == 200  # the form again
    (error,) = file_errors(response)
    assert "The metric failed on a perfect submission (the answer key), in the sandbox" in error
    assert "Traceback (most recent call last)" in error
    assert "ZeroDivisionError: the organizer divided by zero" in error
    assert not Competition.objects.exists()


@sandboxed
@pytest.mark.parametrize(
    ("source", "words"),
    [
        (
            "def score(solution, submission, row_id_column_name)\n    return 1\n",
            ["could not be loaded", "SyntaxError"],
        ),
        (
            "def metric(solution, submission, row_id_column_name):\n    return 1\n",
            ["must define a function named &#x27;score&#x27;"],
        ),
        (
            "def score(solution, submission, row_id_column_name):\n    return 'high'\n",
            ["not a single number"],
        ),
        (
            "def score(solution, submission, row_id_column_name):\n    return float('nan')\n",
            ["not a finite number"],
        ),
    ],
    ids=["syntax-error", "no-score", "string", "nan"],
)
def test_a_metric_that_cannot_score_is_refused(admin_client_, source, words):
    data = new_competition_data(
        admin_client_, custom_metric_file=metric_upload(source), solution_file=solution_upload()
    )
    (error,) = file_errors(admin_client_.post(ADD_URL, data))
    for word in words:
        assert word in error


@sandboxed
def test_without_an_answer_key_the_file_is_loaded_in_the_sandbox(admin_client_):
    broken = new_competition_data(admin_client_, custom_metric_file=metric_upload("def score(:\n"))
    (error,) = file_errors(admin_client_.post(ADD_URL, broken))
    assert "The metric failed when loaded, in the sandbox" in error and "SyntaxError" in error
    data = new_competition_data(admin_client_, custom_metric_file=metric_upload(ROC_AUC))
    response = admin_client_.post(ADD_URL, data, follow=True)
    assert Competition.objects.get().custom_metric_file
    assert any("There is no answer key yet" in m for m in messages_of(response))


@sandboxed
def test_a_good_metric_is_saved_and_the_organizer_sees_both_scores(admin_client_):
    competition = competition_with_solution(rows=60)  # with a sample submission of 0.5s
    page = admin_client_.get(change_url(competition))
    data = form_data(
        page, metric="custom", custom_metric_file=metric_upload(ROC_AUC), **CUSTOM_NAMES
    )
    response = admin_client_.post(change_url(competition), data, follow=True)
    competition.refresh_from_db()
    assert competition.metric == "custom" and competition.custom_metric_file
    (tried,) = [m for m in messages_of(response) if "ran in the sandbox" in m]
    assert "A perfect submission (the answer key): public 1, private 1" in tried
    assert "the sample submission: public 0.5, private 0.5" in tried
    # Saved again with nothing of the metric changed: not tried again.
    again = admin_client_.post(
        change_url(competition), form_data(admin_client_.get(change_url(competition))), follow=True
    )
    assert not any("ran in the sandbox" in m for m in messages_of(again))


@sandboxed
def test_a_custom_metric_and_its_answer_key_are_stored_and_its_stored_file_tried_again(
    admin_client_,
):
    code = "def score(solution, submission, row_id_column_name, **kwargs):\n    return 1.0\n"
    data = new_competition_data(
        admin_client_, solution_file=solution_upload(), custom_metric_file=metric_upload(code)
    )
    assert admin_client_.post(ADD_URL, data).status_code == 302
    competition = Competition.objects.get()
    assert competition.custom_metric_file and competition.solution_versions.count() == 1
    page = admin_client_.get(change_url(competition))
    assert f"<code>{competition.custom_metric_file.name}</code>" in page.content.decode()  # no URL
    # New parameters, no new file: the stored file is tried with them, in the sandbox.
    data = form_data(page, metric_params='{"w": 2}')
    response = admin_client_.post(change_url(competition), data, follow=True)
    assert any("public 1, private 1" in m for m in messages_of(response))
    competition.refresh_from_db()
    assert competition.metric_params == {"w": 2}


@sandboxed
def test_a_parameter_the_metric_does_not_take_shows_in_the_dry_run(admin_client_):
    data = new_competition_data(
        admin_client_,
        custom_metric_file=metric_upload(ROC_AUC),
        solution_file=solution_upload(),
        metric_params='{"threshold": 0.5}',
    )
    (error,) = file_errors(admin_client_.post(ADD_URL, data))
    assert "unexpected keyword argument &#x27;threshold&#x27;" in error


@sandboxed
def test_the_sample_submission_refused_by_the_metric_is_a_note_not_a_refusal(admin_client_):
    competition = competition_with_solution(rows=60)
    picky = ROC_AUC.replace(
        "    del solution[row_id_column_name]\n",
        "    if submission['target'].nunique() == 1:\n"
        "        raise ParticipantVisibleError('All predictions are the same')\n"
        "    del solution[row_id_column_name]\n",
        1,
    )
    data = form_data(
        admin_client_.get(change_url(competition)),
        metric="custom",
        **CUSTOM_NAMES,
        custom_metric_file=metric_upload(picky),
    )
    response = admin_client_.post(change_url(competition), data, follow=True)
    (tried,) = [m for m in messages_of(response) if "ran in the sandbox" in m]
    assert "public 1, private 1" in tried
    assert (
        "The metric refused the sample submission as it would a participant's: "
        "All predictions are the same" in tried
    )


# -- only a superuser enables a custom metric ------------------------------------------------------


def test_an_organizer_may_not_choose_the_custom_metric_nor_upload_a_file(client, no_sandbox):
    competition = competition_with_solution(rows=60)
    client.force_login(organizer(competition))
    page = client.get(change_url(competition))
    response = client.post(
        change_url(competition),
        form_data(page, metric="custom", custom_metric_file=metric_upload(ROC_AUC)),
    )
    errors = response.context["adminform"].form.errors
    assert "Only a superuser may choose the custom metric" in errors["metric"][0]
    assert "Only a superuser may choose the custom metric" in errors["custom_metric_file"][0]
    competition.refresh_from_db()
    assert competition.metric == "roc_auc" and not competition.custom_metric_file


def test_an_organizer_may_edit_a_competition_whose_custom_metric_a_superuser_set(
    client, no_sandbox
):
    competition = competition_with_solution(
        rows=60,
        metric="custom",
        custom_metric_file=ContentFile(ROC_AUC.encode(), "metric.py"),
        **CUSTOM_NAMES,
    )
    client.force_login(organizer(competition))
    data = form_data(client.get(change_url(competition)), subtitle="Now with a subtitle")
    assert client.post(change_url(competition), data).status_code == 302
    competition.refresh_from_db()
    assert competition.subtitle == "Now with a subtitle" and competition.metric == "custom"
    # ...but not replace its file.
    data = form_data(
        client.get(change_url(competition)),
        custom_metric_file=metric_upload("def score(a, b, c):\n    return 1.0\n"),
    )
    response = client.post(change_url(competition), data)
    assert "Only a superuser" in response.context["adminform"].form.errors["custom_metric_file"][0]


def test_the_service_refuses_a_custom_metric_unless_a_superuser_creates_it(db):
    fields = {
        "title": "T",
        "slug": "t",
        "metric": "custom",
        "start_at": now(),
        "end_at": now() + timedelta(days=1),
        "custom_metric_file": ContentFile(b"def score(a, b, c): return 1", "m.py"),
    }
    for who in (None, organizer()):
        with pytest.raises(PermissionDenied) as info:
            competition_create(created_by=who, **fields)
        assert info.value.code == "custom_metric_not_allowed"
    assert competition_create(created_by=superuser(), **fields).metric == "custom"


# -- a changed metric offers a rescore -------------------------------------------------------------


def scored_submissions(competition, n: int = 3) -> list[Submission]:
    subs = [
        submit(
            participant(competition), competition, predictions_file(competition, 0.1 * i, seed=i)
        )
        for i in range(n)
    ]
    for sub in subs:
        sub.refresh_from_db()
        assert sub.status == Submission.Status.SCORED
    return subs


def test_the_form_offers_to_rescore_the_scored_submissions(admin_client_, eager):
    competition = competition_with_solution(rows=60)
    assert "rescore_submissions" not in admin_client_.get(change_url(competition)).content.decode()
    scored_submissions(competition)
    page = admin_client_.get(change_url(competition)).content.decode()
    assert "Rescore all 3 scored submissions with the new metric" in page


def test_changing_the_metric_without_rescoring_warns(admin_client_, eager):
    competition = competition_with_solution(rows=60)
    subs = scored_submissions(competition)
    data = form_data(admin_client_.get(change_url(competition)), metric="average_precision")
    response = admin_client_.post(change_url(competition), data, follow=True)
    assert any("keep the scores of the old one" in m for m in messages_of(response))
    assert active_solution(competition).rescore_requested_at is None
    for sub in subs:
        before = sub.public_score
        sub.refresh_from_db()
        assert sub.public_score == before


def test_changing_the_metric_and_ticking_rescore_rescores_with_the_new_metric(admin_client_, eager):
    competition = competition_with_solution(rows=60)
    subs = scored_submissions(competition)
    data = form_data(
        admin_client_.get(change_url(competition)),
        metric="average_precision",
        rescore_submissions="on",
    )
    response = admin_client_.post(change_url(competition), data, follow=True)
    assert any(
        "Rescoring all 3 submissions with the new metric" in m for m in messages_of(response)
    )
    assert active_solution(competition).rescore_requested_at is not None
    import scoring
    from podium.competitions.answer_keys import prepared_solution

    competition.refresh_from_db()
    solution = prepared_solution(active_solution(competition))
    for sub in subs:
        sub.refresh_from_db()
        assert sub.status == Submission.Status.SCORED
        expected = scoring.score_submission(solution, sub.file.path, metric="average_precision")
        assert sub.public_score == pytest.approx(expected.public_score)
    assert (
        "Rescoring with v1" in admin_client_.get(change_url(competition)).content.decode()
        or "Rescored with v1" in admin_client_.get(change_url(competition)).content.decode()
    )


@sandboxed
def test_a_new_custom_metric_rescores_through_the_sandbox(admin_client_, eager):
    competition = competition_with_solution(rows=60)
    subs = scored_submissions(competition, n=2)
    constant = "def score(solution, submission, row_id_column_name):\n    return 0.25\n"
    data = form_data(
        admin_client_.get(change_url(competition)),
        metric="custom",
        **CUSTOM_NAMES,
        custom_metric_file=metric_upload(constant),
        rescore_submissions="on",
    )
    assert admin_client_.post(change_url(competition), data).status_code == 302
    for sub in subs:
        sub.refresh_from_db()
        assert (sub.status, sub.public_score, sub.private_score) == ("scored", 0.25, 0.25)


# -- what participants read: a custom metric's name and line ---------------------------------------


def test_a_custom_metric_needs_the_name_and_line_participants_read(admin_client_, no_sandbox):
    data = new_competition_data(
        admin_client_,
        custom_metric_file=metric_upload(ROC_AUC),
        metric_display_name="",
        metric_description=" ",
    )
    response = admin_client_.post(ADD_URL, data)
    errors = response.context["adminform"].form.errors
    assert "A custom metric needs this" in errors["metric_display_name"][0]
    assert "A custom metric needs this" in errors["metric_description"][0]
    assert not Competition.objects.exists()


def test_a_built_in_metric_needs_no_name(admin_client_):
    data = admin_form_data(admin_client_, metric="rmse", solution_file=solution_upload())
    assert admin_client_.post(ADD_URL, data).status_code == 302
    assert Competition.objects.get().metric_display_name == ""
