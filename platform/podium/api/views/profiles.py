"""Users' public profiles (tier, site rank, medals, final results) and the site ranking."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from podium.api.pagination import LazySequence
from podium.progression import selectors as progression


class MedalsOutput(serializers.Serializer):
    gold = serializers.IntegerField()
    silver = serializers.IntegerField()
    bronze = serializers.IntegerField()


class ResultOutput(serializers.Serializer):
    competition = serializers.SlugField(source="competition.slug")
    competition_title = serializers.CharField(source="competition.title")
    team = serializers.CharField(source="team_name")
    rank = serializers.IntegerField(help_text="The team's place on the private leaderboard")
    teams = serializers.IntegerField(help_text="Teams counted (no Baseline, no disqualified)")
    teammates = serializers.IntegerField()
    medal = serializers.ChoiceField(
        choices=["gold", "silver", "bronze"], allow_null=True, source="medal_name"
    )
    points = serializers.FloatField(help_text="Ranking points at the deadline, before decay")
    deadline = serializers.DateTimeField()


class UserProfileApi(APIView):
    """A user's public profile: what /users/<username>/ shows."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        bio = serializers.CharField()
        tier = serializers.CharField(help_text="novice, contributor, expert, master, grandmaster")
        joined_at = serializers.DateTimeField()
        last_seen_at = serializers.DateTimeField(allow_null=True)
        rank = serializers.IntegerField(allow_null=True, help_text="Site rank; null: no points")
        ranked_users = serializers.IntegerField(help_text="Users with ranking points")
        points = serializers.FloatField()
        medals = MedalsOutput()
        discussion_medals = MedalsOutput()
        kernel_medals = MedalsOutput()
        competitions = serializers.IntegerField()
        solo_competitions = serializers.IntegerField()
        team_competitions = serializers.IntegerField()
        results = ResultOutput(many=True)

    @extend_schema(
        operation_id="user_profile",
        tags=["leaderboards"],  # a profile is its owner's results on the boards
        summary="A user's profile, medals and final results",
        responses=OutputSerializer,
    )
    def get(self, request, username: str):
        profile = progression.user_profile(username=username)
        standing = profile.standing

        def count(name: str) -> int:
            return getattr(standing, name) if standing else 0

        def medals(prefix: str = "") -> dict:
            return {m: count(f"{prefix}{m}") for m in ("gold", "silver", "bronze")}

        results = progression.user_results(user=profile.user, viewer=request.user)
        for result in results:
            result.medal_name = result.get_medal_display().lower() if result.medal else None
        rank = profile.site_rank
        body = {
            "username": profile.user.get_username(),
            "bio": profile.bio,
            "tier": profile.tier,
            "joined_at": profile.joined_at,
            "last_seen_at": profile.last_seen_at,
            "rank": rank.rank if rank else None,
            "ranked_users": rank.of if rank else progression.ranked_users(),
            "points": standing.points if standing else 0.0,
            "medals": medals(),
            "discussion_medals": medals("discussion_"),
            "kernel_medals": medals("kernel_"),
            "competitions": count("competitions"),
            "solo_competitions": count("solo_competitions"),
            "team_competitions": count("team_competitions"),
            "results": results,
        }
        return Response(self.OutputSerializer(body).data)


class RankingApi(GenericAPIView):
    """The site ranking: users with ranking points, most first."""

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        rank = serializers.IntegerField()
        username = serializers.CharField()
        tier = serializers.CharField()
        points = serializers.FloatField()
        gold = serializers.IntegerField()
        silver = serializers.IntegerField()
        bronze = serializers.IntegerField()
        competitions = serializers.IntegerField()

    serializer_class = OutputSerializer

    @extend_schema(
        operation_id="rankings",
        tags=["leaderboards"],  # the site's leaderboard of users
        summary="The site ranking",
        responses=OutputSerializer(many=True),
    )
    def get(self, request):
        rows = LazySequence(progression.ranked_users, progression.ranking_rows)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.OutputSerializer(page, many=True).data)
