"""The kernels' API: an organizer launches a script, follows its log, downloads its output; a
participant sees it only once published."""

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from tests.podium.factories import participant
from tests.podium.kernels.helpers import demo_competition

pytestmark = pytest.mark.django_db(transaction=True)

COPY = b"import shutil\nprint('hello from the kernel')\n" \
       b"shutil.copy('input/sample_submission.csv', 'output/submission.csv')\n"


def test_launch_follow_download_and_publish(eager):
    competition, organizer = demo_competition("breast_cancer")
    api = APIClient()
    api.force_authenticate(organizer)
    made = api.post(f"/api/v1/competitions/{competition.slug}/kernels/",
                    {"script": ContentFile(COPY, name="k.py"), "title": "copy"},
                    format="multipart")
    assert made.status_code == 201, made.content
    run_id = made.json()["id"]
    run = api.get(f"/api/v1/kernels/{run_id}/").json()
    assert run["status"] == "succeeded" and run["is_baseline"] and run["team"] == "Baseline"
    log = api.get(f"/api/v1/kernels/{run_id}/log/?after=0").json()
    assert log["finished"] and "hello from the kernel" in "".join(c["text"] for c in log["chunks"])
    after = log["next_after"]
    assert api.get(f"/api/v1/kernels/{run_id}/log/?after={after}").json()["chunks"] == []
    output = api.get(f"/api/v1/kernels/{run_id}/files/output")
    assert output.status_code == 200 and output.content.startswith(b"id,malignant")
    assert api.get(f"/api/v1/kernels/{run_id}/files/code").content == COPY

    user = participant(competition)
    other = APIClient()
    other.force_authenticate(user)
    assert other.get(f"/api/v1/kernels/{run_id}/").status_code == 404
    refused = other.post(f"/api/v1/competitions/{competition.slug}/kernels/",
                         {"baseline": "breast_cancer_mlp"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "kernel_not_allowed"
    assert api.post(f"/api/v1/kernels/{run_id}/cancel/").status_code == 409
    from podium.kernels.models import KernelRun

    KernelRun.objects.filter(pk=run_id).update(published=True)
    assert other.get(f"/api/v1/kernels/{run_id}/files/log").status_code == 200
