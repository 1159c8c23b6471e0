"""The boards: public (always), private (after the reveal; its organizers before), and where the
caller's team stands on them."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from podium.api.pagination import LazySequence
from podium.api.views.common import competition, my_team
from podium.leaderboards import cache as board_cache
from podium.leaderboards import selectors as board_selectors
from podium.leaderboards.cursor import cursor_decode, cursor_encode

# The query parameters a cached body may depend on; any other is answered uncached (a URL with
# junk parameters cannot fill the cache).
CACHED_PARAMETERS = {"page", "page_size", "cursor"}


class PublicRowOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    team_id = serializers.IntegerField()
    team = serializers.CharField(source="team_name")
    members = serializers.ListField(child=serializers.CharField())
    is_baseline = serializers.BooleanField()
    score = serializers.FloatField(help_text="The best public score")
    score_display = serializers.CharField(help_text="Rounded to the competition's precision")
    entries = serializers.IntegerField()
    last_submission_at = serializers.DateTimeField()
    rank_change = serializers.IntegerField(
        allow_null=True, help_text="Places gained (>0) or lost (<0) over 24 hours"
    )
    is_new = serializers.BooleanField(help_text="Entered the board in the last 24 hours")


class PrivateRowOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    team_id = serializers.IntegerField()
    team = serializers.CharField(source="team_name")
    members = serializers.ListField(child=serializers.CharField())
    is_baseline = serializers.BooleanField()
    prize_rank = serializers.IntegerField(
        allow_null=True,
        help_text="The place among the teams that can win a prize: null for a Baseline team "
        "(the organizers' kernels are on the board, never ranked for a prize)",
    )
    submission_id = serializers.IntegerField()
    private_score = serializers.FloatField()
    private_display = serializers.CharField()
    public_rank = serializers.IntegerField(allow_null=True)
    public_score = serializers.FloatField(allow_null=True)
    move = serializers.IntegerField(
        allow_null=True, help_text="Places gained (>0) or lost (<0) from the public board"
    )


class PublicBoardApi(GenericAPIView):
    serializer_class = PublicRowOutput

    @extend_schema(
        responses=PublicRowOutput(many=True),
        operation_id="leaderboard_public",
        summary="The public leaderboard",
        parameters=[
            OpenApiParameter(
                "cursor",
                str,
                description="Keyset paging, instead of ``page``: empty for the top of the board, "
                "then the ``next`` link's cursor (a deep page costs what the first does). A "
                "cursor that is not valid for this board: 400 ``invalid_board_cursor``.",
            )
        ],
    )
    def get(self, request, slug: str):
        """Read through the board cache (``leaderboards.cache``): the same for every caller, so
        the whole JSON body is cached per board version and URL (its links are absolute)."""
        found = competition(request, slug)
        if not set(request.query_params) <= CACHED_PARAMETERS:
            return Response(self._body(request, found))
        body = board_cache.cached_body(
            competition=found,
            url=request.build_absolute_uri(),
            render=lambda: JSONRenderer().render(self._body(request, found)),
        )
        return HttpResponse(body, content_type="application/json")

    def _body(self, request, found) -> dict:
        if "cursor" in request.query_params:
            return self._keyset(request, found)
        rows = LazySequence(
            lambda: board_cache.cached_board_size(competition=found),
            lambda offset, limit: board_cache.cached_public_board(
                competition=found, offset=offset, limit=limit
            ),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(PublicRowOutput(page, many=True).data).data

    def _keyset(self, request, found) -> dict:
        text = request.query_params.get("cursor", "")
        after = cursor_decode(text, found.pk) if text else None
        limit = self.paginator.get_page_size(request)
        rows, last = board_cache.cached_public_board_after(
            competition=found, after=after, limit=limit
        )
        url = request.build_absolute_uri()
        return {
            "count": board_cache.cached_board_size(competition=found),
            "next": None
            if last is None
            else replace_query_param(url, "cursor", cursor_encode(last, found.pk)),
            "previous": None,
            "results": PublicRowOutput(rows, many=True).data,
        }


class PrivateBoardApi(GenericAPIView):
    serializer_class = PrivateRowOutput

    @extend_schema(
        responses=PrivateRowOutput(many=True),
        operation_id="leaderboard_private",
        summary="The private leaderboard (after the reveal)",
    )
    def get(self, request, slug: str):
        """Refused (404, ``private_leaderboard_not_revealed``) until the private board is
        revealed; the message and ``details`` (``ended``, ``ended_at``, ``end_at``,
        ``reveal_at``, ``auto_reveal``) say when the competition ended and when, or by whom,
        the board will be revealed."""
        found = competition(request, slug)
        viewer = request.user
        total = board_selectors.private_board_size(competition=found, viewer=viewer)
        rows = LazySequence(
            lambda: total,
            lambda offset, limit: board_selectors.private_board(
                competition=found, viewer=viewer, offset=offset, limit=limit
            ),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(PrivateRowOutput(page, many=True).data)


class MyPublicOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    score_display = serializers.CharField()
    entries = serializers.IntegerField()
    last_submission_at = serializers.DateTimeField()


class MyRowApi(APIView):
    """The caller's team on each board: null where it has no row, or may not see it yet."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        team = serializers.CharField()
        board_size = serializers.IntegerField()
        public = MyPublicOutput(allow_null=True)
        private = PrivateRowOutput(allow_null=True)

    @extend_schema(
        responses=OutputSerializer,
        operation_id="leaderboard_me",
        summary="Your team's row on each leaderboard",
    )
    def get(self, request, slug: str):
        found = competition(request, slug)
        team = my_team(request, found)
        public = None
        entry = (
            None
            if team.disqualified_at
            else board_selectors.team_entry(competition=found, team=team)
        )
        if entry is not None:
            row, rank = entry
            precision = found.score_display_precision
            public = {
                "rank": rank,
                "score": row.best_public_score,
                "score_display": f"{row.best_public_score:.{precision}f}",
                "entries": row.entries,
                "last_submission_at": row.last_submission_at,
            }
        private = board_selectors.team_private_entry(team=team, viewer=request.user)
        return Response(
            self.OutputSerializer(
                {
                    "team": team.name,
                    "board_size": board_selectors.board_size(competition=found),
                    "public": public,
                    "private": private,
                }
            ).data
        )
