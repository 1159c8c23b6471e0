"""Kernels: launch one (a bundled baseline with its config, or an uploaded script), list and
see runs, follow the log while it runs, cancel, download code, config, log and output."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from podium.api import fields
from podium.api.views.common import competition
from podium.core.files import download_response
from podium.kernels import selectors as kernel_selectors
from podium.kernels.services import kernel_cancel, kernel_launch

STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"]


class KernelRunOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    competition = serializers.SlugField(source="competition.slug")
    title = serializers.CharField()
    source = serializers.ChoiceField(choices=["baseline", "script"])
    baseline = serializers.CharField()
    is_baseline = serializers.BooleanField(help_text="An organizers' baseline")
    team = serializers.CharField(source="team.name", allow_null=True, default=None)
    queue = serializers.CharField()
    status = serializers.ChoiceField(choices=STATUSES)
    failure = serializers.CharField(help_text="Why it failed: timeout, memory, exception, ...")
    error_message = serializers.CharField()
    error_detail = serializers.CharField(help_text="The traceback, when it raised")
    attempts = serializers.IntegerField()
    published = serializers.BooleanField()
    forked_from = serializers.IntegerField(
        source="forked_from_id", allow_null=True, help_text="The run it copies (Copy & edit)"
    )
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    duration_seconds = serializers.FloatField(allow_null=True)
    sandbox = serializers.CharField()
    submission_id = serializers.IntegerField(allow_null=True)
    wall_seconds = serializers.IntegerField(help_text="Its wall-clock limit")
    memory_mb = serializers.IntegerField(help_text="Its memory limit")
    output_mb = serializers.IntegerField(help_text="Its output-size limit")
    charged_seconds = serializers.FloatField(
        help_text="Compute charged to its team's hours so far (renewed at each heartbeat)"
    )


class KernelListApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = KernelRunOutput

    class InputSerializer(serializers.Serializer):
        baseline = fields.Text(
            required=False,
            allow_blank=True,
            default="",
            max_length=100,
            help_text="A bundled baseline, e.g. breast_cancer_mlp",
        )
        config = fields.Text(
            required=False,
            allow_blank=True,
            default="",
            max_length=100_000,
            help_text="Its YAML config (default: the bundled one)",
        )
        script = serializers.FileField(required=False, help_text="Or a Python script")
        title = fields.Text(required=False, allow_blank=True, default="", max_length=200)
        publish = fields.Boolean(required=False, default=False)
        wall_seconds = fields.Integer(
            required=False,
            min_value=1,
            help_text="Wall-clock limit (default and cap: the competition's)",
        )
        memory_mb = fields.Integer(required=False, min_value=1, help_text="Memory limit")
        output_mb = fields.Integer(required=False, min_value=1, help_text="Output-size limit")

    @extend_schema(
        responses=KernelRunOutput(many=True),
        operation_id="kernels_list",
        summary="List the kernel runs you may see",
    )
    def get(self, request, slug: str):
        """The runs the caller may see: all for its organizers; published ones and the caller's
        team's for participants."""
        found = competition(request, slug)
        runs = kernel_selectors.runs_for(competition=found, viewer=request.user)
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(KernelRunOutput(page, many=True).data)

    @extend_schema(
        request={"application/json": InputSerializer, "multipart/form-data": InputSerializer},
        responses={201: KernelRunOutput},
        operation_id="kernels_create",
        summary="Queue a kernel run",
    )
    def post(self, request, slug: str):
        """Queue a kernel. Organizers run for the Baseline team; participants only where the
        competition allows it, within their team's hours, runs at once and runs per UTC day,
        asking for no more time, memory or output than its caps (more is refused, 400
        ``kernel_limit_too_high``, naming the cap)."""
        found = competition(request, slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = kernel_launch(user=request.user, competition=found, **data.validated_data)
        return Response(KernelRunOutput(run).data, status=status.HTTP_201_CREATED)


def _run(request, run_id: int):
    return kernel_selectors.run_get(run_id=int(run_id), viewer=request.user)


class KernelDetailApi(APIView):
    @extend_schema(responses=KernelRunOutput, operation_id="kernels_get", summary="One kernel run")
    def get(self, request, run_id: int):
        return Response(KernelRunOutput(_run(request, run_id)).data)


class LogChunkOutput(serializers.Serializer):
    seq = serializers.IntegerField()
    text = serializers.CharField()


class KernelLogOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUSES)
    finished = serializers.BooleanField()
    chunks = LogChunkOutput(many=True)
    next_after = serializers.IntegerField(help_text="Ask again with ?after=this")


class KernelLogApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("after", int, description="The last seq already read")],
        responses=KernelLogOutput,
        operation_id="kernels_log",
        summary="A kernel run's log, from a position on",
    )
    def get(self, request, run_id: int):
        """The log's chunks after ``after``: poll this while the run is running."""
        run = _run(request, run_id)
        try:
            after = max(0, min(int(request.query_params.get("after", 0)), 2**31))
        except ValueError:
            after = 0
        chunks = kernel_selectors.run_log(run=run, after=after)
        return Response(
            KernelLogOutput(
                {
                    "status": run.status,
                    "finished": run.finished,
                    "chunks": chunks,
                    "next_after": chunks[-1].seq if chunks else after,
                }
            ).data
        )


class KernelCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=KernelRunOutput,
        operation_id="kernels_cancel",
        summary="Cancel a kernel run",
    )
    def post(self, request, run_id: int):
        return Response(
            KernelRunOutput(kernel_cancel(user=request.user, run=_run(request, run_id))).data
        )


class KernelDownloadApi(APIView):
    @extend_schema(
        responses={(200, "*/*"): OpenApiTypes.BINARY},
        operation_id="kernels_download",
        summary="Download a kernel run's code, config, log, output or artifacts",
    )
    def get(self, request, run_id: int, what: str):
        """One of ``code``, ``config``, ``log``, ``output`` (submission.csv), ``artifacts``."""
        run = _run(request, run_id)
        stored = kernel_selectors.run_stored_file(run=run, what=what)
        octets = "application/octet-stream"
        if stored is not None:  # streamed from the disk, or a redirect to S3
            return download_response(stored[1], filename=stored[0], content_type=octets)
        name, content = kernel_selectors.run_download(run=run, what=what)
        response = HttpResponse(content, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
