"""The kernels' API: an organizer launches a script, follows its log, downloads its output; a
participant sees it only once published."""

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from tests.podium.factories import body, downloaded, participant
from tests.podium.kernels.helpers import demo_competition

pytestmark = pytest.mark.django_db(transaction=True)

COPY = (
    b"import shutil\nprint('hello from the kernel')\n"
    b"shutil.copy('input/sample_submission.csv', 'output/submission.csv')\n"
)


@pytest.mark.usefixtures("sandbox_ready")
def test_launch_follow_download_and_publish(eager):
    competition, organizer = demo_competition("breast_cancer")
    api = APIClient()
    api.force_authenticate(organizer)
    made = api.post(
        f"/api/v1/competitions/{competition.slug}/kernels/",
        {"script": ContentFile(COPY, name="k.py"), "title": "copy"},
        format="multipart",
    )
    assert made.status_code == 201, made.content
    run_id = made.json()["id"]
    run = api.get(f"/api/v1/kernels/{run_id}/").json()
    assert run["status"] == "succeeded" and run["is_baseline"] and run["team"] == "Baseline"
    log = api.get(f"/api/v1/kernels/{run_id}/log/?after=0").json()
    assert log["finished"] and "hello from the kernel" in "".join(c["text"] for c in log["chunks"])
    after = log["next_after"]
    assert api.get(f"/api/v1/kernels/{run_id}/log/?after={after}").json()["chunks"] == []
    output = api.get(f"/api/v1/kernels/{run_id}/files/output")
    status, _, content = downloaded(output)
    assert status == 200 and content.startswith(b"id,malignant")
    assert body(api.get(f"/api/v1/kernels/{run_id}/files/code")) == COPY

    user = participant(competition)
    other = APIClient()
    other.force_authenticate(user)
    assert other.get(f"/api/v1/kernels/{run_id}/").status_code == 404
    refused = other.post(
        f"/api/v1/competitions/{competition.slug}/kernels/",
        {"baseline": "breast_cancer_mlp"},
        format="json",
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "kernel_not_allowed"
    assert api.post(f"/api/v1/kernels/{run_id}/cancel/").status_code == 409
    from podium.kernels.models import KernelRun

    KernelRun.objects.filter(pk=run_id).update(published=True)
    assert other.get(f"/api/v1/kernels/{run_id}/files/log").status_code == 200


def test_a_participant_s_launch_is_refused_in_the_one_error_shape():
    from podium.kernels.services import kernel_settings_update
    from podium.teams.selectors import team_for_user
    from podium.workflows.disqualification import team_disqualify
    from tests.podium.factories import CompetitionFactory, organizer

    competition = CompetitionFactory()
    kernel_settings_update(
        competition=competition,
        participants_may_run=True,
        team_gpu_hours=1,
        team_cpu_hours=1,
        max_wall_seconds=600,
    )
    user = participant(competition)
    api = APIClient()
    api.force_authenticate(user)
    address = f"/api/v1/competitions/{competition.slug}/kernels/"

    too_long = api.post(
        address, {"baseline": "breast_cancer_mlp", "wall_seconds": 3600}, format="json"
    )
    assert too_long.status_code == 400, too_long.content
    assert too_long.json()["error"] == {
        "code": "kernel_limit_too_high",
        "message": "You asked for 3600 s of wall-clock time; a run may ask for at most 600 s in "
        "this competition. Ask for 600 s or less.",
        "details": {"limit": "wall_seconds", "asked": 3600, "cap": 600},
    }
    made = api.post(
        address,
        {"baseline": "breast_cancer_mlp", "wall_seconds": 600, "memory_mb": 512},
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["wall_seconds"], body["memory_mb"], body["charged_seconds"]) == (600, 512, 0)

    second = api.post(address, {"baseline": "breast_cancer_mlp"}, format="json")
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "kernel_too_many_runs"
    assert second.json()["error"]["message"].startswith(
        "Your team has 1 kernel queued or running; this competition allows 1 at a time."
    )
    assert second.json()["error"]["details"] == {"limit": "concurrent_runs", "active": 1, "max": 1}

    team_disqualify(
        team=team_for_user(user=user, competition=competition),
        reason="Cheating",
        by=organizer(competition),
    )
    refused = api.post(address, {"baseline": "breast_cancer_mlp"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "kernel_team_disqualified"
