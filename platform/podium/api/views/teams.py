"""The caller's team: members, invitations, join and merge requests, and answering them.

Each action calls the one service the web UI's Team tab calls, so refusals (team full, merge
over the submission cap, deadline passed...) carry the same codes and messages.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from podium.api import fields
from podium.api.views.common import competition, my_team
from podium.teams import selectors as team_selectors
from podium.teams import services as team_services
from podium.workflows import team_joins, team_merges


class MemberOutput(serializers.Serializer):
    username = serializers.CharField()
    is_leader = serializers.BooleanField()
    joined_at = serializers.DateTimeField()


class InvitationOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    team = serializers.CharField(source="team_name")
    invitee = serializers.CharField(source="invitee.username")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class JoinRequestOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    team = serializers.CharField(source="team_name")
    user = serializers.CharField(source="user.username")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class MergeRequestOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    from_team = serializers.CharField(source="from_team_name")
    to_team = serializers.CharField(source="to_team_name")
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class TeamOutput(serializers.Serializer):
    id = serializers.IntegerField(source="team.pk", allow_null=True)
    name = serializers.CharField(source="team.name", allow_null=True)
    is_leader = serializers.BooleanField()
    max_team_size = serializers.IntegerField()
    free_places = serializers.IntegerField()
    members = MemberOutput(many=True)
    invitations_to_me = InvitationOutput(many=True)
    join_requests_by_me = JoinRequestOutput(many=True)
    invitations_sent = InvitationOutput(many=True)
    join_requests_in = JoinRequestOutput(many=True)
    merge_requests_in = MergeRequestOutput(many=True)
    merge_requests_out = MergeRequestOutput(many=True)


def _team_page(request, found) -> Response:
    page = team_selectors.team_page(user=request.user, competition=found)
    return Response(TeamOutput(page).data)


class TeamApi(APIView):
    """The caller's team (``id``/``name`` null before joining) and everything pending that
    concerns them."""

    permission_classes = [IsAuthenticated]

    class RenameSerializer(serializers.Serializer):
        name = fields.Text(max_length=100)

    @extend_schema(
        responses=TeamOutput,
        operation_id="team_get",
        summary="Your team and what is pending for it",
    )
    def get(self, request, slug: str):
        return _team_page(request, competition(request, slug))

    @extend_schema(
        request=RenameSerializer,
        responses=TeamOutput,
        operation_id="team_rename",
        summary="Rename your team",
    )
    def patch(self, request, slug: str):
        found = competition(request, slug)
        data = self.RenameSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team_services.team_rename(
            user=request.user, team=my_team(request, found), name=data.validated_data["name"]
        )
        return _team_page(request, found)


class TeamLeaveApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=TeamOutput,
        operation_id="team_leave",
        summary="Leave your team for a team of one",
    )
    def post(self, request, slug: str):
        """Leave the team for a new team of one (refused where the rules forbid it)."""
        found = competition(request, slug)
        team_services.team_leave(user=request.user, team=my_team(request, found))
        return _team_page(request, found)


class TeamLeaderApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        username = fields.Text(max_length=150)

    @extend_schema(
        request=InputSerializer,
        responses=TeamOutput,
        operation_id="team_transfer",
        summary="Hand the team's leadership to another member",
    )
    def post(self, request, slug: str):
        """Hand the team's leadership to another member."""
        found = competition(request, slug)
        team = my_team(request, found)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new_leader = team_selectors.member_by_username(
            team=team, username=data.validated_data["username"]
        )
        team_services.leadership_transfer(user=request.user, team=team, new_leader=new_leader)
        return _team_page(request, found)


class InvitationCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        invitee = fields.Text(max_length=254, help_text="A username or email address")

    @extend_schema(
        request=InputSerializer,
        responses={201: InvitationOutput},
        operation_id="invitations_create",
        summary="Invite a user to your team",
    )
    def post(self, request, slug: str):
        found = competition(request, slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = team_services.invitation_create(
            user=request.user, team=my_team(request, found), invitee=data.validated_data["invitee"]
        )
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)


class TeamNameInput(serializers.Serializer):
    team = fields.Text(max_length=100, help_text="The other team's name")


class JoinRequestCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=TeamNameInput,
        responses={201: JoinRequestOutput},
        operation_id="join_requests_create",
        summary="Ask to join another team",
    )
    def post(self, request, slug: str):
        """Ask to join another team; its leader answers."""
        found = competition(request, slug)
        data = TeamNameInput(data=request.data)
        data.is_valid(raise_exception=True)
        target = team_selectors.team_by_name(competition=found, name=data.validated_data["team"])
        join_request = team_services.join_request_create(user=request.user, team=target)
        return Response(JoinRequestOutput(join_request).data, status=status.HTTP_201_CREATED)


class MergePreviewOutput(serializers.Serializer):
    team = serializers.CharField(source="team.name")
    into = serializers.CharField(source="into.name")
    allowed = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    members = serializers.IntegerField()
    max_members = serializers.IntegerField()
    submissions = serializers.IntegerField()
    max_submissions = serializers.IntegerField()
    days = serializers.IntegerField()


class MergeRequestCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=TeamNameInput,
        responses={201: MergeRequestOutput},
        operation_id="merge_requests_create",
        summary="Ask another team to merge with yours",
    )
    def post(self, request, slug: str):
        """Ask another team to merge with the caller's; that team remains (its leader answers)."""
        found = competition(request, slug)
        data = TeamNameInput(data=request.data)
        data.is_valid(raise_exception=True)
        into = team_selectors.team_by_name(competition=found, name=data.validated_data["team"])
        merge_request = team_merges.merge_request_create(
            user=request.user, team=my_team(request, found), into=into
        )
        return Response(MergeRequestOutput(merge_request).data, status=status.HTTP_201_CREATED)


class MergePreviewApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("team", str, required=True, description="The other team")],
        responses=MergePreviewOutput,
        operation_id="merge_preview",
        summary="Whether your team may merge into another now",
    )
    def get(self, request, slug: str):
        """Whether the caller's team may merge into ``team`` now, and every reason it may not."""
        found = competition(request, slug)
        data = TeamNameInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        into = team_selectors.team_by_name(competition=found, name=data.validated_data["team"])
        preview = team_merges.merge_preview(team=my_team(request, found), into=into)
        return Response(MergePreviewOutput(preview).data)


# -- answering: POST .../<kind>/<id>/<accept|decline|cancel>/ ---------------------------------


class AnswerApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        accept_rules = fields.Boolean(
            required=False,
            default=False,
            help_text="Accepting an invitation: accept the competition's rules too",
        )

    @extend_schema(
        request=InputSerializer,
        responses=TeamOutput,
        operation_id="requests_answer",
        summary="Accept, decline or cancel an invitation, join or merge request",
    )
    def post(self, request, slug: str, kind: str, pk: int, answer: str):
        """Accept, decline or cancel an invitation, join request or merge request; answers with
        the caller's team as it is afterwards."""
        found = competition(request, slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        team_joins.request_answer(
            user=request.user,
            competition=found,
            kind=kind,
            pk=pk,
            answer=answer,
            accept_rules=data.validated_data["accept_rules"],
        )
        return _team_page(request, found)
