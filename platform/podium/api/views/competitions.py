"""Competitions: the list, one competition, its data files, joining and accepting its rules."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from podium.api.views.common import competition
from podium.competitions import selectors as competition_selectors
from podium.competitions.metrics import metric_label
from podium.competitions.services import rules_accept
from podium.core.files import download_response
from podium.submissions import selectors as submission_selectors
from podium.teams import selectors as team_selectors
from podium.teams.services import competition_join

STATES = ("active", "upcoming", "closed")
METRIC_ID_HELP = "The metric's id: a registry name (roc_auc, rmse, ...) or custom"
METRIC_NAME_HELP = "The metric's name as participants read it, e.g. ROC AUC"
METRIC_DESCRIPTION_HELP = "The metric in one line"


class CompetitionListApi(GenericAPIView):
    """The competitions the caller may see: what can be entered now first, then what is coming,
    then what is over."""

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=STATES, required=False, allow_blank=True)
        search = serializers.CharField(required=False, max_length=100, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        slug = serializers.SlugField()
        title = serializers.CharField()
        subtitle = serializers.CharField()
        metric = serializers.CharField(help_text=METRIC_ID_HELP)
        metric_name = serializers.CharField(help_text=METRIC_NAME_HELP)
        metric_description = serializers.CharField(help_text=METRIC_DESCRIPTION_HELP)
        state = serializers.ChoiceField(choices=["upcoming", "active", "closed", "revealed"])
        start_at = serializers.DateTimeField()
        end_at = serializers.DateTimeField()
        team_count = serializers.IntegerField()
        invite_only = serializers.BooleanField()

    serializer_class = OutputSerializer

    @extend_schema(
        parameters=[FilterSerializer],
        operation_id="competitions_list",
        summary="List the competitions you may see",
        responses=OutputSerializer(many=True),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        cards = competition_selectors.competition_cards(user=request.user, **filters.validated_data)
        page = self.paginate_queryset(cards)
        return self.get_paginated_response(self.OutputSerializer(page, many=True).data)


class ParticipationOutput(serializers.Serializer):
    """Where the caller stands in the competition."""

    joined = serializers.BooleanField()
    accepted_rules = serializers.BooleanField()
    is_organizer = serializers.BooleanField()
    team = serializers.CharField(allow_null=True)
    submissions_left_today = serializers.IntegerField(allow_null=True)
    submissions_used_today = serializers.IntegerField(allow_null=True)
    quota_resets_at = serializers.DateTimeField(allow_null=True)


class CompetitionDetailApi(APIView):
    class OutputSerializer(serializers.Serializer):
        slug = serializers.SlugField()
        title = serializers.CharField()
        subtitle = serializers.CharField()
        state = serializers.ChoiceField(choices=["upcoming", "active", "closed", "revealed"])
        metric = serializers.CharField(help_text=METRIC_ID_HELP)
        metric_name = serializers.SerializerMethodField(help_text=METRIC_NAME_HELP)
        metric_description = serializers.SerializerMethodField(help_text=METRIC_DESCRIPTION_HELP)
        greater_is_better = serializers.BooleanField()
        overview = serializers.CharField(help_text="Markdown")
        evaluation = serializers.CharField(help_text="Markdown")
        rules = serializers.CharField(help_text="Markdown: accept them to join")
        data_description = serializers.CharField(help_text="Markdown")
        start_at = serializers.DateTimeField()
        entry_deadline = serializers.DateTimeField(allow_null=True)
        team_merger_deadline = serializers.DateTimeField(allow_null=True)
        end_at = serializers.DateTimeField()
        private_revealed = serializers.BooleanField(source="private_is_revealed")
        daily_submission_limit = serializers.IntegerField()
        total_submission_limit = serializers.IntegerField(allow_null=True)
        failed_submissions_count = serializers.BooleanField()
        max_team_size = serializers.IntegerField()
        max_final_selections = serializers.IntegerField()
        submission_max_bytes = serializers.IntegerField()
        score_display_precision = serializers.IntegerField()
        team_count = serializers.SerializerMethodField()
        url = serializers.SerializerMethodField(help_text="The competition's page in the web UI")

        def get_metric_name(self, found) -> str:
            return metric_label(found).name

        def get_metric_description(self, found) -> str:
            return metric_label(found).description

        def get_team_count(self, found) -> int:
            return competition_selectors.team_count(found)

        def get_url(self, found) -> str:
            return self.context["request"].build_absolute_uri(f"/competitions/{found.slug}/")

    class ResponseSerializer(OutputSerializer):
        me = ParticipationOutput()

    @extend_schema(
        responses=ResponseSerializer,
        operation_id="competitions_get",
        summary="One competition, and where you stand in it",
    )
    def get(self, request, slug: str):
        found = competition(request, slug)
        me = team_selectors.participation(user=request.user, competition=found)
        quota = submission_selectors.quota(team=me.team, competition=found) if me.team else None
        body = dict(self.OutputSerializer(found, context={"request": request}).data)
        body["me"] = ParticipationOutput(
            {
                "joined": me.joined,
                "accepted_rules": me.accepted_rules,
                "is_organizer": me.is_organizer,
                "team": me.team.name if me.team else None,
                "submissions_left_today": quota.left_today if quota else None,
                "submissions_used_today": quota.used_today if quota else None,
                "quota_resets_at": quota.resets_at if quota else None,
            }
        ).data
        return Response(body)


class DataFileOutput(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    description = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    updated_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    def get_url(self, data_file) -> str:
        request = self.context["request"]
        return reverse(
            "api:data_file",
            kwargs={"slug": data_file.competition.slug, "name": data_file.name},
            request=request,
        )


class DataFileListApi(GenericAPIView):
    """The competition's files, with sizes and SHA-256 (a client skips what it already has).
    Anyone who can see the competition sees the list; downloading needs its rules accepted."""

    serializer_class = DataFileOutput

    @extend_schema(
        responses=DataFileOutput(many=True),
        operation_id="data_files_list",
        summary="List a competition's data files (sizes, SHA-256)",
    )
    def get(self, request, slug: str):
        found = competition(request, slug)
        files = competition_selectors.data_files(competition=found).select_related("competition")
        page = self.paginate_queryset(files)
        data = DataFileOutput(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)


class DataFileDownloadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={(200, "*/*"): OpenApiTypes.BINARY},
        operation_id="data_files_download",
        summary="Download one data file",
    )
    def get(self, request, slug: str, name: str):
        found = competition(request, slug)
        data_file = competition_selectors.data_file_for_download(
            user=request.user, competition=found, name=name
        )
        return download_response(
            data_file.file,
            filename=data_file.name,
            last_modified=data_file.updated_at,
            etag=data_file.sha256,
        )


class JoinApi(APIView):
    """Accept the rules and join in a team of one (idempotent: a member gets their team)."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        team_id = serializers.IntegerField(source="pk")
        team = serializers.CharField(source="name")

    @extend_schema(
        request=None,
        responses={201: OutputSerializer},
        operation_id="competitions_join",
        summary="Accept the rules and join (a team of one)",
    )
    def post(self, request, slug: str):
        team = competition_join(user=request.user, competition=competition(request, slug))
        return Response(self.OutputSerializer(team).data, status=status.HTTP_201_CREATED)


class RulesAcceptApi(APIView):
    """Accept the rules without joining yet (e.g. before accepting a team's invitation)."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        accepted_at = serializers.DateTimeField()

    @extend_schema(
        request=None,
        responses=OutputSerializer,
        operation_id="rules_accept",
        summary="Accept the rules without joining yet",
    )
    def post(self, request, slug: str):
        acceptance = rules_accept(user=request.user, competition=competition(request, slug))
        return Response(self.OutputSerializer(acceptance).data)
