"""Submissions: upload one (streamed to storage, size capped while it streams), list the team's,
see one, and the team's final selection."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from podium.api import fields
from podium.api.pagination import LazySequence
from podium.api.views.common import competition, my_team
from podium.competitions import selectors as competition_selectors
from podium.core.errors import NotFound
from podium.submissions import selectors as submission_selectors
from podium.submissions.error_codes import SubmissionRefusal
from podium.submissions.services import final_selection_set, submission_create


class SubmissionOutput(serializers.Serializer):
    """A submission as its team sees it: ``private_score`` is null until the private board is
    revealed (organizers see it always)."""

    id = serializers.IntegerField()
    competition = serializers.SlugField(source="competition_slug")
    team = serializers.CharField(source="team_name")
    submitted_by = serializers.CharField()
    description = serializers.CharField()
    file_name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["pending", "scoring", "scored", "failed"])
    is_late = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    scored_at = serializers.DateTimeField(allow_null=True)
    public_score = serializers.FloatField(allow_null=True)
    private_score = serializers.FloatField(allow_null=True)
    error_code = serializers.CharField(help_text="Empty unless failed")
    error_message = serializers.CharField(help_text="What is wrong with the file, in words")
    result_message = serializers.CharField(help_text="e.g. 'Your Best Entry! ...'")
    selected = serializers.BooleanField(help_text="One of the team's final selections")
    selected_automatically = serializers.BooleanField()
    selectable = serializers.BooleanField()


def _view_data(view, competition_slug: str) -> dict:
    return {**view.__dict__, "competition_slug": competition_slug}


def _not_found(submission_id: int) -> NotFound:
    return NotFound(SubmissionRefusal.NOT_FOUND, f"You have no submission with id {submission_id}.")


class SubmissionListApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = SubmissionOutput

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(
            allow_empty_file=True, help_text="The predictions: CSV, or one CSV in a .zip/.gz"
        )
        description = fields.Text(max_length=500, required=False, allow_blank=True, default="")

    def initial(self, request, *args, **kwargs):
        # Cap the upload at the competition's limit before anything reads the body: session
        # authentication's CSRF check reads the whole form (see core/uploads.py). The row is
        # kept for the handler, which asks whether the caller may see it.
        self.row = competition_selectors.competition_by_slug(kwargs.get("slug", ""))
        if self.row is not None:
            request._request.upload_max_bytes = self.row.submission_max_bytes
        super().initial(request, *args, **kwargs)

    @extend_schema(
        responses=SubmissionOutput(many=True),
        operation_id="submissions_list",
        summary="List your team's submissions",
    )
    def get(self, request, slug: str):
        """The caller's team's submissions, newest first."""
        found = competition(request, slug, row=self.row)
        team = my_team(request, found)
        views = LazySequence(
            lambda: submission_selectors.team_submission_count(team=team),
            lambda offset, limit: submission_selectors.team_submissions(
                team=team, viewer=request.user, offset=offset, limit=limit
            ),
        )
        page = self.paginate_queryset(views)
        data = [_view_data(v, found.slug) for v in page]
        return self.get_paginated_response(SubmissionOutput(data, many=True).data)

    @extend_schema(
        request={"multipart/form-data": InputSerializer},
        responses={201: SubmissionOutput},
        operation_id="submissions_create",
        summary="Upload a predictions file",
    )
    def post(self, request, slug: str):
        """Upload a predictions file. It is scored in the background: poll the submission (its
        ``status``) until it is ``scored`` or ``failed``."""
        found = competition(request, slug, row=self.row)
        # A non-member is refused before a large body is read.
        facts = submission_selectors.upload_facts(user=request.user, competition=found)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        submission = submission_create(
            user=request.user, competition=found, facts=facts, **data.validated_data
        )
        # Committed: nothing after this reads the database, so no failure of it can answer
        # an error that would make the client send the file again.
        view = submission_selectors.new_submission_view(submission)
        url = reverse("api:submission", kwargs={"submission_id": submission.pk}, request=request)
        return Response(
            SubmissionOutput(_view_data(view, found.slug)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": url},
        )


class SubmissionDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=SubmissionOutput,
        operation_id="submissions_get",
        summary="One submission and its scores",
    )
    def get(self, request, submission_id: int):
        """One submission of the caller's team (or of a competition they organize)."""
        submission = submission_selectors.submission_get(
            submission_id=submission_id, viewer=request.user
        )
        if submission is None:
            raise _not_found(submission_id)
        view = submission_selectors.submission_view(submission, viewer=request.user)
        return Response(SubmissionOutput(_view_data(view, submission.competition.slug)).data)


class FinalSelectionApi(APIView):
    """The submissions the team's private rank is decided by (Kaggle's "final submissions")."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        submission_ids = serializers.ListField(
            child=fields.Integer(min_value=1),
            max_length=100,
            allow_empty=True,
            help_text="Empty clears the selection (the fallback then applies)",
        )

    class OutputSerializer(serializers.Serializer):
        choosing = serializers.BooleanField(
            help_text="False when every team is ranked by its best private score (nothing to "
            "choose)"
        )
        limit = serializers.IntegerField()
        selected = serializers.ListField(child=serializers.IntegerField())
        automatic = serializers.ListField(child=serializers.IntegerField())
        open = serializers.BooleanField()
        closes_at = serializers.DateTimeField()

    def _state(self, team, found) -> Response:
        state = submission_selectors.final_selection_state(team=team, competition=found)
        return Response(
            self.OutputSerializer(
                {
                    **state.__dict__,
                    "selected": sorted(state.selected),
                    "automatic": sorted(state.automatic),
                }
            ).data
        )

    @extend_schema(
        responses=OutputSerializer,
        operation_id="final_selection_get",
        summary="Your team's final submissions",
    )
    def get(self, request, slug: str):
        found = competition(request, slug)
        return self._state(my_team(request, found), found)

    @extend_schema(
        request=InputSerializer,
        responses=OutputSerializer,
        operation_id="final_selection_set",
        summary="Select your team's final submissions",
    )
    def put(self, request, slug: str):
        found = competition(request, slug)
        team = my_team(request, found)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        final_selection_set(
            user=request.user, team=team, submission_ids=data.validated_data["submission_ids"]
        )
        return self._state(team, found)
