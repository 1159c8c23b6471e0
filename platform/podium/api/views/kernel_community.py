"""Kernels as a community: the published list (sorted by votes, recency or public score; the
caller's own with ``mine``), votes, comments, and "Copy & edit". In Swagger's "kernels" group
(``tags``: this module is not named ``kernels``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from podium.api import fields, query
from podium.api.views.common import competition
from podium.api.views.kernels import KernelRunOutput, _run
from podium.core.errors import NotFound
from podium.kernels import selectors as kernel_selectors
from podium.kernels import services as kernel_services
from podium.kernels.error_codes import KernelRefusal


class KernelCardOutput(serializers.Serializer):
    id = serializers.IntegerField(source="run.pk")
    title = serializers.CharField(source="run.title")
    author = serializers.CharField(help_text="Who launched it")
    team = serializers.CharField(source="run.team.name", allow_null=True, default=None)
    is_baseline = serializers.BooleanField(source="run.is_baseline")
    source = serializers.ChoiceField(source="run.source", choices=["baseline", "script"])
    baseline = serializers.CharField(source="run.baseline")
    status = serializers.CharField(source="run.status")
    published = serializers.BooleanField(source="run.published")
    ran_at = serializers.DateTimeField(help_text="When it started (or was queued)")
    forked_from = serializers.IntegerField(source="run.forked_from_id", allow_null=True)
    vote_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    voted = serializers.BooleanField(help_text="Whether the caller voted for it")
    public_score = serializers.FloatField(
        allow_null=True,
        help_text="Its submission's public score, where the public board shows it (never a "
        "private score)",
    )


class KernelPublishedListApi(GenericAPIView):
    serializer_class = KernelCardOutput

    @extend_schema(
        tags=["kernels"],
        parameters=[
            OpenApiParameter(
                "sort", str, enum=list(kernel_selectors.SORTS), description="Default: votes"
            ),
            OpenApiParameter(
                "mine", bool, description="The caller's own runs and their team's (any state)"
            ),
        ],
        responses=KernelCardOutput(many=True),
        operation_id="kernels_published",
        summary="The published kernels, with votes and comments",
    )
    def get(self, request, slug: str):
        """The Kernels tab's list: published kernels (every run for its organizers), or the
        caller's own with ``mine=true``; sorted by ``votes`` (then the newest), ``recent`` or
        ``score`` (best public score first, in the metric's direction)."""
        found = competition(request, slug)
        sort = query.choice(request, "sort", kernel_selectors.SORTS, "votes")
        mine = query.flag(request, "mine")
        runs = kernel_selectors.kernel_list(
            competition=found, viewer=request.user, tab="mine" if mine else "all", sort=sort
        )
        page = self.paginate_queryset(runs)
        cards = [kernel_selectors.kernel_card_of(run) for run in page]
        return self.get_paginated_response(KernelCardOutput(cards, many=True).data)


class VoteOutput(serializers.Serializer):
    vote_count = serializers.IntegerField()
    voted = serializers.BooleanField()


class KernelVoteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["kernels"],
        request=None,
        responses=VoteOutput,
        operation_id="kernels_vote",
        summary="Vote for a published kernel",
    )
    def post(self, request, run_id: int):
        """One vote per user (voting again changes nothing); never on one's own kernel (403
        ``kernel_own_vote``) or an unpublished one (409 ``kernel_not_published``)."""
        count = kernel_services.kernel_vote(user=request.user, run=_run(request, run_id))
        return Response(VoteOutput({"vote_count": count, "voted": True}).data)

    @extend_schema(
        tags=["kernels"],
        request=None,
        responses=VoteOutput,
        operation_id="kernels_unvote",
        summary="Withdraw your vote",
    )
    def delete(self, request, run_id: int):
        count = kernel_services.kernel_unvote(user=request.user, run=_run(request, run_id))
        return Response(VoteOutput({"vote_count": count, "voted": False}).data)


class CommentOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kernel = serializers.IntegerField(source="run_id")
    author = serializers.CharField(source="author.username")
    body = serializers.CharField(help_text="Markdown, as written (pages show it sanitized)")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True, help_text="Set once edited")


class CommentInput(serializers.Serializer):
    # The service trims and refuses an empty body (kernel_comment_empty), as on the pages.
    body = fields.Text(
        max_length=20_000, allow_blank=True, trim_whitespace=False, help_text="Markdown"
    )


class KernelCommentListApi(GenericAPIView):
    serializer_class = CommentOutput

    @extend_schema(
        tags=["kernels"],
        responses=CommentOutput(many=True),
        operation_id="kernels_comments",
        summary="A kernel's comments, oldest first",
    )
    def get(self, request, run_id: int):
        comments = kernel_selectors.kernel_comments(run=_run(request, run_id))
        page = self.paginate_queryset(comments)
        return self.get_paginated_response(CommentOutput(page, many=True).data)

    @extend_schema(
        tags=["kernels"],
        request=CommentInput,
        responses={201: CommentOutput},
        operation_id="kernels_comment_create",
        summary="Comment on a published kernel",
    )
    def post(self, request, run_id: int):
        """Its author is notified."""
        if not request.user.is_authenticated:
            self.permission_denied(request)
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = kernel_services.kernel_comment_create(
            user=request.user, run=_run(request, run_id), body=data.validated_data["body"]
        )
        return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)


class KernelCommentApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["kernels"],
        request=CommentInput,
        responses=CommentOutput,
        operation_id="kernels_comment_edit",
        summary="Edit your comment",
    )
    def patch(self, request, run_id: int, comment_id: int):
        """Its author only (403 ``kernel_comment_not_yours``); marked edited."""
        run = _run(request, run_id)
        comment = kernel_selectors.comment_get(comment_id=int(comment_id), viewer=request.user)
        if comment is None or comment.run_id != run.pk:
            raise NotFound(KernelRefusal.COMMENT_NOT_FOUND, f"There is no comment {comment_id}.")
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        edited = kernel_services.kernel_comment_edit(
            user=request.user, comment=comment, body=data.validated_data["body"]
        )
        return Response(CommentOutput(edited).data)


class CopyInput(serializers.Serializer):
    title = fields.Text(required=False, allow_blank=True, default="", max_length=200)
    config = fields.Text(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=100_000,
        help_text="A baseline's edited YAML config",
    )
    script = fields.Text(
        required=False,
        trim_whitespace=False,
        max_length=1024 * 1024,
        help_text="A script's edited Python code",
    )


class KernelCopyApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["kernels"],
        request=CopyInput,
        responses={201: KernelRunOutput},
        operation_id="kernels_copy",
        summary="Copy & edit: a new run of a kernel's code and config in your name",
    )
    def post(self, request, run_id: int):
        """The launch rules and your team's quotas apply; the new run credits its source
        (``forked_from``). Without ``config`` or ``script``, the source's are used."""
        data = CopyInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        run = kernel_services.kernel_copy(
            user=request.user,
            source=_run(request, run_id),
            title=values["title"],
            config=values.get("config"),
            script_text=values.get("script"),
        )
        return Response(KernelRunOutput(run).data, status=status.HTTP_201_CREATED)
