"""The competition admin: creating with an answer key, data files, the board export, and who
sees which competition."""

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import scoring
from podium.competitions.models import Competition, DataFile, SolutionVersion
from podium.competitions.selectors import is_organizer
from podium.core.timeutils import now
from podium.leaderboards.models import LeaderboardEntry
from podium.teams.models import Team
from tests.podium.adminforms import form_data, split_datetime
from tests.podium.factories import (
    UserFactory,
    binary_answer_key,
    competition_with_solution,
    csv_bytes,
    organizer,
    participant,
    predictions_file,
    submit,
    superuser,
)

ADD_URL = reverse("admin:competitions_competition_add")
LIST_URL = reverse("admin:competitions_competition_changelist")


def change_url(competition):
    return reverse("admin:competitions_competition_change", args=[competition.pk])


def solution_upload(rows: int = 60, content: bytes | None = None) -> SimpleUploadedFile:
    if content is None:
        ids, target, usage = binary_answer_key(rows)
        content = csv_bytes(["id", "target", "Usage"], [ids, target, usage])
    return SimpleUploadedFile("solution.csv", content, content_type="text/csv")


def new_competition_data(client, **overrides) -> dict:
    """The add form as rendered, filled in with a valid new competition."""
    data = form_data(client.get(ADD_URL))
    data.update(title="Titanic", slug="titanic", metric="roc_auc", metric_params="{}")
    data.update(split_datetime("start_at", now() - timedelta(days=1)))
    data.update(split_datetime("end_at", now() + timedelta(days=30)))
    data.update(overrides)
    return data


@pytest.fixture
def admin_client_(client, db):
    client.force_login(superuser())
    return client


# -- creating, with the answer key checked before anything is stored --------------------------


def test_creating_with_a_valid_answer_key_makes_version_1_prepared(admin_client_):
    data = new_competition_data(admin_client_, solution_file=solution_upload())
    response = admin_client_.post(ADD_URL, data, follow=True)
    assert response.status_code == 200
    competition = Competition.objects.get(slug="titanic")
    version = SolutionVersion.objects.get(competition=competition)
    assert version.number == 1
    assert version.rows["total"] == 60 and version.columns == ["id", "target"]
    assert scoring.load_solution(version.file.path).meta["metric"] == "roc_auc"  # prepared
    assert "Answer key v1 is active" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,target\n1,0\n2,1\n", "The solution needs a &#x27;Usage&#x27; column"),
        (
            b"id,target,Usage\n1,0,Public\n1,1,Private\n2,0,Public\n3,1,Private\n",
            "1 id(s) appear more than once: 1.",
        ),
    ],
    ids=["usage-missing", "duplicate-ids"],
)
def test_an_invalid_answer_key_is_shown_on_the_form_and_nothing_is_created(
    admin_client_, content, message, settings
):
    data = new_competition_data(admin_client_, solution_file=solution_upload(content=content))
    response = admin_client_.post(ADD_URL, data)
    assert response.status_code == 200  # the form again, not a redirect
    assert message in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert response.context["adminform"].form.errors["solution_file"]
    assert not Competition.objects.exists() and not SolutionVersion.objects.exists()
    assert not settings.SOLUTIONS_ROOT.exists() or not any(settings.SOLUTIONS_ROOT.rglob("*.csv"))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"metric_params": '{"k": 3}'}, "metric_params", "does not take k"),
        ({"metric_params": "[1, 2]"}, "metric_params", "must be a JSON object"),
        ({"metric": "custom"}, "custom_metric_file", "needs its .py file"),
        ({"metric": "no_such_metric"}, "metric", "Select a valid choice"),
    ],
)
def test_metric_settings_are_checked(admin_client_, overrides, field, message):
    response = admin_client_.post(ADD_URL, new_competition_data(admin_client_, **overrides))
    assert response.status_code == 200
    assert any(message in e for e in response.context["adminform"].form.errors[field])
    assert not Competition.objects.exists()


def test_a_metric_parameter_the_metric_takes_is_accepted(admin_client_):
    data = new_competition_data(admin_client_, metric="map_at_k", metric_params='{"k": 3}')
    assert admin_client_.post(ADD_URL, data).status_code == 302
    assert Competition.objects.get().metric_params == {"k": 3}


# Custom metrics (tried in the sandbox before they are saved): test_admin_metric.py.


def test_data_file_inline_fills_name_size_and_sha256(admin_client_):
    content = b"id,target\n1,0.5\n2,0.5\n"
    data = new_competition_data(
        admin_client_,
        **{
            "data_files-TOTAL_FORMS": "1",
            "data_files-0-file": SimpleUploadedFile("sample_submission.csv", content),
            "data_files-0-kind": "sample_submission",
            "data_files-0-name": "",
        },
    )
    assert admin_client_.post(ADD_URL, data).status_code == 302
    data_file = DataFile.objects.get()
    assert data_file.name == "sample_submission.csv"
    assert data_file.size == len(content)
    assert data_file.sha256 == hashlib.sha256(content).hexdigest()


def test_an_answer_key_that_does_not_match_a_new_sample_is_not_stored(admin_client_):
    # The sample comes in the same save, so only the real store (after it) can compare them.
    data = new_competition_data(
        admin_client_,
        solution_file=solution_upload(),
        **{
            "data_files-TOTAL_FORMS": "1",
            "data_files-0-file": SimpleUploadedFile("sample.csv", b"id,prediction\n1,0.5\n"),
            "data_files-0-kind": "sample_submission",
        },
    )
    response = admin_client_.post(ADD_URL, data, follow=True)
    assert "The answer key was not stored" in response.content.decode()
    assert Competition.objects.exists() and not SolutionVersion.objects.exists()


def test_a_new_answer_key_on_the_change_form_becomes_v2(admin_client_):
    competition = competition_with_solution(rows=60)
    data = form_data(admin_client_.get(change_url(competition)), solution_file=solution_upload())
    assert admin_client_.post(change_url(competition), data).status_code == 302
    assert list(competition.solution_versions.values_list("number", flat=True)) == [2, 1]


def test_changing_the_metric_checks_the_active_answer_key(admin_client_):
    competition = competition_with_solution(rows=60)  # binary targets
    data = form_data(admin_client_.get(change_url(competition)), metric="dice")
    response = admin_client_.post(change_url(competition), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["metric"]
    assert "The active answer key (v1) does not suit this metric" in errors[0]
    competition.refresh_from_db()
    assert competition.metric == "roc_auc"


# -- the public board as CSV --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_board_export_is_in_rank_order_and_defeats_formula_injection(client, eager):
    competition = competition_with_solution()
    for quality, name in [(0.2, "=cmd|' /C calc'!A0"), (0.9, "-minus"), (0.5, "plain")]:
        user = participant(competition)
        Team.objects.filter(memberships__user=user).update(name=name)
        submit(user, competition, file=predictions_file(competition, quality=quality))
    client.force_login(organizer(competition))
    response = client.post(
        LIST_URL, {"action": "export_public_board_csv", "_selected_action": [competition.pk]}
    )
    assert response["Content-Type"].startswith("text/csv")
    assert f"{competition.slug}-public-leaderboard.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["rank", "team", "members", "score", "entries", "last_submission"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert [r[1] for r in rows[1:]] == ["'-minus", "plain", "'=cmd|' /C calc'!A0"]
    best = LeaderboardEntry.objects.get(team__name="-minus").best_public_score
    assert float(rows[1][3]) == best and rows[1][3] == repr(best)  # full precision, a number
    assert rows[1][4] == "1"


def test_board_export_wants_exactly_one_competition(admin_client_):
    a, b = competition_with_solution(rows=20), competition_with_solution(rows=20)
    response = admin_client_.post(
        LIST_URL,
        {"action": "export_public_board_csv", "_selected_action": [a.pk, b.pk]},
        follow=True,
    )
    assert "Select exactly one competition" in response.content.decode()


# -- who sees what --------------------------------------------------------------------------------


def test_organizer_sees_their_competition_with_counts(client, db):
    competition = competition_with_solution(rows=20)
    participant(competition)
    client.force_login(organizer(competition))
    response = client.get(LIST_URL)
    assert list(response.context["cl"].result_list) == [competition]
    row = response.context["cl"].result_list[0]
    assert (row.team_count, row.submission_count, row.solution_number) == (1, 0, 1)
    assert client.get(change_url(competition)).status_code == 200


def test_organizer_of_another_competition_cannot_see_this_one(client, db):
    competition = competition_with_solution(rows=20)
    other = competition_with_solution(rows=20)
    client.force_login(organizer(other))
    assert list(client.get(LIST_URL).context["cl"].result_list) == [other]
    assert client.get(change_url(competition)).status_code == 404
    response = client.post(
        LIST_URL, {"action": "export_public_board_csv", "_selected_action": [competition.pk]}
    )
    assert not response.get("Content-Disposition")  # nothing selected that they may see


def test_an_organizer_who_adds_a_competition_organizes_it(client, db):
    user = organizer()
    client.force_login(user)
    response = client.post(ADD_URL, new_competition_data(client, solution_file=solution_upload()))
    assert response.status_code == 302
    competition = Competition.objects.get(slug="titanic")
    assert list(competition.organizers.all()) == [user]
    assert competition.solution_versions.get().created_by == user
    assert client.get(change_url(competition)).status_code == 200


def test_a_participant_is_sent_to_the_login_page(client, db):
    competition = competition_with_solution(rows=20)
    client.force_login(participant(competition))
    for url in (LIST_URL, change_url(competition), ADD_URL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_only_listed_organizers_and_superusers_are_organizers(db):
    competition = competition_with_solution(rows=20)
    staff = UserFactory(is_staff=True)
    assert not is_organizer(staff, competition)
    assert is_organizer(organizer(competition), competition)
    assert is_organizer(superuser(), competition)


@pytest.mark.django_db(transaction=True)
def test_deleting_a_competition_with_submissions(client, eager):
    competition = competition_with_solution(rows=40)
    submit(participant(competition), competition)
    url = reverse("admin:competitions_competition_delete", args=[competition.pk])
    client.force_login(organizer(competition))
    assert "Cannot delete competition" in client.get(url).content.decode()  # it has submissions
    client.force_login(superuser())
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Competition.objects.exists()


# -- co-hosts: only a superuser makes someone an organizer ----------------------------------------


def organizers_error(response) -> list[str]:
    return response.context["adminform"].form.errors.get("organizers", [])


def test_an_organizer_cannot_make_a_plain_user_a_co_host(client, db):
    competition = competition_with_solution(rows=20)
    host = organizer(competition)
    plain = UserFactory(username="plain")
    client.force_login(host)
    page = client.get(change_url(competition))
    assert "only a superuser can make someone an organizer" in page.content.decode()
    data = form_data(page, organizers=[str(host.pk), str(plain.pk)])
    response = client.post(change_url(competition), data)
    assert response.status_code == 200  # the form again, with the refusal on the field
    assert organizers_error(response) == [
        "Not organizers: plain. Only a superuser can make someone an organizer; choose "
        "co-hosts among the existing organizers."
    ]
    assert list(competition.organizers.all()) == [host]
    plain.refresh_from_db()
    assert not plain.is_staff and not plain.groups.exists()


def test_an_organizer_cannot_create_a_competition_with_a_plain_co_host(client, db):
    host = organizer()
    plain = UserFactory(username="plain")
    client.force_login(host)
    data = new_competition_data(client, organizers=[str(plain.pk)])
    response = client.post(ADD_URL, data)
    assert response.status_code == 200 and organizers_error(response)
    assert not Competition.objects.exists()


def test_a_co_host_adds_an_existing_organizer_who_sees_that_competition_only(client, db):
    mine, theirs, other = (competition_with_solution(rows=20) for _ in range(3))
    host = organizer(mine)
    other.organizers.add(host)
    guest = organizer(theirs)
    permissions = set(guest.get_all_permissions())
    client.force_login(host)
    data = form_data(client.get(change_url(mine)), organizers=[str(host.pk), str(guest.pk)])
    assert client.post(change_url(mine), data).status_code == 302
    assert set(mine.organizers.all()) == {host, guest}

    guest = type(guest).objects.get(pk=guest.pk)  # no cached permissions
    assert set(guest.get_all_permissions()) == permissions and not guest.is_superuser
    client.force_login(guest)
    assert set(client.get(LIST_URL).context["cl"].result_list) == {mine, theirs}
    assert client.get(change_url(mine)).status_code == 200
    assert client.get(change_url(other)).status_code == 404


def test_a_superuser_makes_a_plain_user_a_co_host_and_an_organizer(admin_client_):
    competition = competition_with_solution(rows=20)
    plain = UserFactory()
    page = admin_client_.get(change_url(competition))
    assert "only a superuser can make someone an organizer" not in page.content.decode()
    data = form_data(page, organizers=[str(plain.pk)])
    assert admin_client_.post(change_url(competition), data).status_code == 302
    plain.refresh_from_db()
    assert plain.is_staff and plain.groups.filter(name="Organizers").exists()
    admin_client_.force_login(plain)
    assert admin_client_.get(change_url(competition)).status_code == 200
