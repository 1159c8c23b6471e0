"""The Kernels tab, through Django's test client: the list each viewer may see, launching (the
service decides who may, and its refusal shows word for word), the run's page and its live log
fragment, cancelling, publishing, downloads; and never a private score."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from podium.kernels import selectors as kernel_selectors
from podium.kernels import services as kernel_services
from podium.kernels.error_codes import KernelFailure
from podium.kernels.models import KernelRun
from podium.kernels.services import kernel_settings_update
from podium.submissions.models import Submission
from tests.podium.factories import (
    body,
    competition_with_solution,
    organizer,
    participant,
    scored,
)

pytestmark = pytest.mark.django_db

COPY = b"import shutil\nshutil.copy('input/sample_submission.csv', 'output/submission.csv')\n"
NOT_ALLOWED = "Only the organizers run kernels in this competition."


def url(view: str, competition, **kwargs) -> str:
    return reverse(f"web:{view}", kwargs={"slug": competition.slug, **kwargs})


def run_url(view: str, run: KernelRun, **kwargs) -> str:
    return url(view, run.competition, run_id=run.pk, **kwargs)


@pytest.fixture
def competition():
    return competition_with_solution(title="Kernels Cup", score_display_precision=4)


@pytest.fixture
def host(competition):
    return organizer(competition, "host")


def launch(user, competition, **kwargs) -> KernelRun:
    kwargs.setdefault("script", ContentFile(COPY, name="k.py"))
    return kernel_services.kernel_launch(user=user, competition=competition, **kwargs)


def page(client, address: str, status: int = 200) -> str:
    response = client.get(address)
    assert response.status_code == status, (address, response.status_code)
    return response.content.decode()


# -- the tab and the list --------------------------------------------------------------------


def test_the_tab_is_on_every_competition_page_and_lists_what_the_viewer_may_see(
    client, competition, host
):
    hidden = launch(host, competition, title="draft baseline")
    shown = launch(host, competition, title="public baseline", publish=True)
    overview = page(client, url("overview", competition))
    assert url("kernels", competition) in overview and ">Kernels</a>" in overview

    anonymous = page(client, url("kernels", competition))
    assert "public baseline" in anonymous and "draft baseline" not in anonymous
    assert "Launch a kernel" not in anonymous

    alice = participant(competition, "alice")
    client.force_login(alice)
    listed = page(client, url("kernels", competition))
    assert "public baseline" in listed and "draft baseline" not in listed
    assert "Launch a kernel" not in listed and NOT_ALLOWED in listed

    client.force_login(host)
    everything = page(client, url("kernels", competition))
    assert "public baseline" in everything and "draft baseline" in everything
    assert "Launch a kernel" in everything and "breast_cancer_mlp" in everything
    assert run_url("kernel", hidden) in everything and run_url("kernel", shown) in everything


def test_the_list_shows_status_failure_duration_and_the_public_score_only(
    client, competition, host
):
    alice = participant(competition, "alice")
    submission = scored(alice, competition, 0.8123, 0.6789)
    run = launch(host, competition, title="scored one", publish=True)
    failed = launch(host, competition, title="broken one", publish=True)
    KernelRun.objects.filter(pk=run.pk).update(status="succeeded", submission=submission)
    kernel_services.kernel_mark_failed(
        run_id=failed.pk,
        worker=None,
        failure=KernelFailure.TIMEOUT,
        message="It ran past its 3600 s limit.",
    )
    for who in (None, alice, host):
        if who is not None:
            client.force_login(who)
        listed = page(client, url("kernels", competition))
        assert "0.8123" in listed and "status-succeeded" in listed
        assert "timeout" in listed and "status-failed" in listed
        detail = page(client, run_url("kernel", run))
        assert "0.8123" in detail and f"Submission #{submission.pk}" in detail
        for text in (listed, detail, page(client, run_url("kernel_log", run))):
            assert "0.6789" not in text and "0.679" not in text and "Private" not in text


# -- launching ---------------------------------------------------------------------------------


def test_an_organizer_launches_a_baseline_and_it_is_queued(
    client, competition, host, django_capture_on_commit_callbacks
):
    client.force_login(host)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            url("kernels", competition),
            {
                "title": "MLP",
                "baseline": "breast_cancer_mlp",
                "config": "",
                "publish": "on",
            },
        )
    run = KernelRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run_url("kernel", run)
    # the run_kernel task, sent once the row is committed (the rest: board cache bumps, as the
    # baseline team is made)
    tasks = [c for c in queued if c.__qualname__.startswith("enqueue_on_commit")]
    assert len(tasks) == 1
    assert run.status == "queued" and run.is_baseline and run.team.name == "Baseline"
    assert run.team.is_baseline and run.published and run.title == "MLP"
    assert run.config == kernel_selectors.baseline_config_text("breast_cancer_mlp")
    detail = client.get(response["Location"]).content.decode()
    assert f"Kernel run {run.pk} is queued" in detail and "status-queued" in detail
    assert run_url("kernel_cancel", run) in detail


def test_an_organizer_uploads_a_script(client, competition, host):
    client.force_login(host)
    response = client.post(
        url("kernels", competition),
        {
            "title": "",
            "baseline": "",
            "script": ContentFile(COPY, name="mine.py"),
        },
    )
    assert response.status_code == 302
    run = KernelRun.objects.get()
    assert run.source == "script" and run.script.read() == COPY and not run.published


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"baseline": ""}, "Choose a baseline or upload a script."),
        ({"baseline": "breast_cancer_mlp", "config": "name: x\nep: 1"}, "The config cannot run"),
    ],
)
def test_a_bad_launch_shows_the_service_s_message(client, competition, host, data, message):
    client.force_login(host)
    response = client.post(url("kernels", competition), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and 'class="form-error"' in text
    assert not KernelRun.objects.exists()


def test_participants_are_refused_unless_allowed_and_then_see_their_hours(client, competition):
    alice = participant(competition, "alice")
    client.force_login(alice)
    response = client.post(url("kernels", competition), {"baseline": "breast_cancer_mlp"})
    assert response.status_code == 400 and NOT_ALLOWED in response.content.decode()
    assert not KernelRun.objects.exists()

    kernel_settings_update(
        competition=competition, participants_may_run=True, team_gpu_hours=1, team_cpu_hours=2
    )
    listed = page(client, url("kernels", competition))
    assert "Launch a kernel" in listed and "of 2 CPU hours left" in listed
    assert "Publish it" not in listed  # the organizers publish
    response = client.post(
        url("kernels", competition), {"baseline": "breast_cancer_mlp", "publish": "on"}
    )
    run = KernelRun.objects.get()
    assert response.status_code == 302 and run.team.name == "alice" and not run.is_baseline
    assert not run.published
    assert run_url("kernel_publish", run) not in page(client, run_url("kernel", run))

    kernel_settings_update(
        competition=competition, participants_may_run=True, team_gpu_hours=1, team_cpu_hours=0
    )
    response = client.post(url("kernels", competition), {"baseline": "breast_cancer_mlp"})
    assert response.status_code == 400
    assert "Your team has used 0.00 of its 0 CPU hours" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in_to_launch(client, competition):
    response = client.post(url("kernels", competition), {"baseline": "breast_cancer_mlp"})
    assert response.status_code == 302 and reverse("web:login") in response["Location"]
    assert not KernelRun.objects.exists()


# -- the run's page: live log, cancel, publish, downloads ----------------------------------------


def test_the_log_fragment_returns_only_new_chunks_and_stops_polling_when_final(
    client, competition, host
):
    run = launch(host, competition)
    for text in ("epoch 1\n", "epoch 2\n", "<b>epoch 3</b>\n"):
        kernel_services.kernel_log_append(run_id=run.pk, attempt=1, text=text)
    client.force_login(host)
    detail = page(client, run_url("kernel", run))
    assert "epoch 1" in detail and "&lt;b&gt;epoch 3&lt;/b&gt;" in detail  # escaped
    poll = f"{run_url('kernel_log', run)}?after=3"
    assert f'hx-get="{poll}"' in detail and 'hx-trigger="every 2s"' in detail

    fragment = page(client, f"{run_url('kernel_log', run)}?after=2")
    assert "epoch 3" in fragment and "epoch 1" not in fragment and "epoch 2" not in fragment
    assert f'hx-get="{poll}"' in fragment
    assert 'id="kernel-summary"' in fragment and 'hx-swap-oob="true"' in fragment
    nothing_new = page(client, poll)
    assert "epoch" not in nothing_new and f'hx-get="{poll}"' in nothing_new
    assert "epoch 1" in page(client, f"{run_url('kernel_log', run)}?after=nonsense")

    kernel_services.kernel_log_append(run_id=run.pk, attempt=1, text="done\n")
    KernelRun.objects.filter(pk=run.pk).update(status="succeeded")
    final = page(client, poll)
    assert "done" in final and "hx-get" not in final and "hx-trigger" not in final
    assert "status-succeeded" in final  # the summary, swapped in out of band
    detail = page(client, run_url("kernel", run))
    assert "hx-trigger" not in detail and run_url("kernel_cancel", run) not in detail


def test_cancel_a_queued_run_and_a_finished_one_is_refused(client, competition, host):
    run = launch(host, competition)
    alice = participant(competition, "alice")
    client.force_login(alice)
    assert client.post(run_url("kernel_cancel", run)).status_code == 404  # not hers to see
    client.force_login(host)
    response = client.post(run_url("kernel_cancel", run), follow=True)
    run.refresh_from_db()
    assert run.status == "cancelled" and run.failure == "cancelled"
    assert "The run is cancelled." in response.content.decode()
    again = client.post(run_url("kernel_cancel", run), follow=True).content.decode()
    assert "This run has already cancelled." in again
    assert client.get(run_url("kernel_cancel", run)).status_code == 405


def test_a_participant_cancels_her_own_run_only(client, competition, host):
    kernel_settings_update(
        competition=competition, participants_may_run=True, team_gpu_hours=1, team_cpu_hours=2
    )
    alice = participant(competition, "alice")
    mine = launch(alice, competition)
    published = launch(host, competition, publish=True)
    client.force_login(alice)
    assert run_url("kernel_cancel", mine) in page(client, run_url("kernel", mine))
    assert run_url("kernel_cancel", published) not in page(client, run_url("kernel", published))
    refused = client.post(run_url("kernel_cancel", published), follow=True).content.decode()
    assert "Only its organizers or its author may change this kernel run." in refused
    client.post(run_url("kernel_cancel", mine))
    assert KernelRun.objects.get(pk=mine.pk).status == "cancelled"
    assert KernelRun.objects.get(pk=published.pk).status == "queued"


def test_downloads_show_to_participants_once_published(client, competition, host):
    run = launch(host, competition, baseline="breast_cancer_mlp", script=None)
    kernel_services.kernel_log_append(run_id=run.pk, attempt=1, text="training\n")
    run.output.save("submission.csv", ContentFile(b"id,target\n1,0.5\n"))
    alice = participant(competition, "alice")

    client.force_login(alice)
    for view in ("kernel", "kernel_log"):
        assert "no kernel run" in page(client, run_url(view, run), 404)
    for what in ("code", "config", "log", "output"):
        page(client, run_url("kernel_download", run, what=what), 404)
    assert client.post(run_url("kernel_publish", run)).status_code == 404  # not hers to see
    assert not KernelRun.objects.get(pk=run.pk).published

    client.force_login(host)
    detail = page(client, run_url("kernel", run))
    for what in ("code", "config", "log", "output"):
        assert run_url("kernel_download", run, what=what) in detail
    assert run_url("kernel_download", run, what="artifacts") not in detail  # it has none
    response = client.post(run_url("kernel_publish", run), {"published": "1"}, follow=True)
    assert "The run is published" in response.content.decode()

    client.force_login(alice)
    detail = page(client, run_url("kernel", run))
    assert run_url("kernel_publish", run) not in detail
    for what in ("code", "config", "log", "output"):
        assert run_url("kernel_download", run, what=what) in detail
    log = client.get(run_url("kernel_download", run, what="log"))
    assert log.status_code == 200 and log.content == b"training\n"
    assert 'filename="kernel-' in log["Content-Disposition"]
    config = client.get(run_url("kernel_download", run, what="config"))
    assert config.content.decode() == run.config
    assert body(client.get(run_url("kernel_download", run, what="output"))).startswith(b"id,")
    assert client.get(run_url("kernel_download", run, what="code")).content[:2] == b"PK"
    page(client, run_url("kernel_download", run, what="artifacts"), 404)
    page(client, run_url("kernel_download", run, what="solution"), 404)

    client.force_login(host)
    client.post(run_url("kernel_publish", run), {"published": "0"})
    client.force_login(alice)
    page(client, run_url("kernel_download", run, what="log"), 404)


def test_a_run_of_another_competition_is_not_found_here(client, competition, host):
    other = competition_with_solution()
    run = launch(organizer(other), other, publish=True)
    client.force_login(host)
    wrong = url("kernel", competition, run_id=run.pk)
    assert "no kernel run" in page(client, wrong, 404)


def test_no_answer_key_or_private_score_in_any_kernel_page(client, competition, host):
    alice = participant(competition, "alice")
    submission = scored(alice, competition, 0.7531, 0.6247)
    run = launch(host, competition, baseline="breast_cancer_mlp", script=None, publish=True)
    KernelRun.objects.filter(pk=run.pk).update(status="succeeded", submission=submission)
    kernel_services.kernel_log_append(run_id=run.pk, attempt=1, text="ok\n")
    answers = ["Usage", *(f"{i},{t},{u}" for i, t, u in zip(*competition.answer, strict=True))]
    assert Submission.objects.get(pk=submission.pk).private_score == 0.6247
    pages = [url("kernels", competition), run_url("kernel", run), run_url("kernel_log", run)]
    pages += [run_url("kernel_download", run, what=w) for w in ("code", "config", "log")]
    for who in (alice, host):
        client.force_login(who)
        for address in pages:
            response = client.get(address)
            assert response.status_code == 200, address
            text = (
                response.content.decode("utf-8", "replace")
                if not response.content.startswith(b"PK")
                else ""
            )
            assert not re.search(r"0\.62(47|5)", text), address
            assert not any(line in text for line in answers), address
