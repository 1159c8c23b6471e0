"""The operators' endpoints: liveness, readiness, metrics. Plain Django views (no session, no
DRF), cheap enough to be polled every few seconds."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from podium.ops import health, metrics
from podium.ops.access import metrics_allowed


@require_safe
@never_cache
def healthz(request):
    """The process is up and answers (for docker-compose and load balancers): no database, no
    cache, so a dependency's outage never has the web processes restarted."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request):
    """Whether Podium can do its work now: 200, or 503 naming the checks that failed."""
    answer = health.readiness()
    return JsonResponse(answer, status=200 if answer["status"] == health.OK else 503)


@require_safe
@never_cache
def metrics_view(request):
    if not metrics_allowed(request):
        return HttpResponse(
            "Metrics are shown to allowed addresses, or with the metrics token.\n",
            status=403,
            content_type="text/plain",
        )
    return HttpResponse(metrics.render(), content_type=metrics.CONTENT_TYPE)
