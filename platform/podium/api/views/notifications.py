"""The caller's notifications (/api/v1/me/notifications/...): the list, the unread count,
marking read, and how each kind is delivered (email at once, the daily digest, the app only)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from podium.api import query
from podium.notifications import selectors, services
from podium.notifications.models import DEFAULT_DELIVERY, Delivery, Kind

TAGS = ["account"]  # the caller's own, beside their API keys (Swagger's groups)


class NotificationOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField()
    url = serializers.CharField(help_text="A path on this site; empty when there is none.")
    actor = serializers.CharField(
        source="actor.username", allow_null=True, default=None, help_text="Who did it, if anyone."
    )
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class UnreadOutput(serializers.Serializer):
    unread = serializers.IntegerField(
        help_text=f"Unread notifications, counted up to {selectors.UNREAD_CAP}."
    )


class MarkedOutput(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many were marked read.")


class PreferenceOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    label = serializers.CharField()
    delivery = serializers.ChoiceField(choices=Delivery.choices)
    default = serializers.CharField(help_text="The delivery this kind has until you choose.")


def _preferences(user) -> list[dict]:
    current = selectors.preferences_of(user=user)
    return [
        {
            "kind": kind.value,
            "label": kind.label,
            "delivery": current[kind.value],
            "default": DEFAULT_DELIVERY[kind],
        }
        for kind in Kind
    ]


class NotificationListApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = NotificationOutput

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only the unread ones.")
        ],
        responses=NotificationOutput(many=True),
        operation_id="notifications_list",
        tags=TAGS,
        summary="Your notifications, newest first",
    )
    def get(self, request):
        unread = query.flag(request, "unread")
        found = selectors.notifications_of(user=request.user, unread_only=unread)
        page = self.paginate_queryset(found.select_related("actor"))
        return self.get_paginated_response(NotificationOutput(page, many=True).data)


class UnreadCountApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=UnreadOutput,
        operation_id="notifications_unread_count",
        tags=TAGS,
        summary="How many of your notifications are unread",
    )
    def get(self, request):
        return Response({"unread": selectors.unread_count(user=request.user)})


class NotificationReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=NotificationOutput,
        operation_id="notifications_mark_read",
        tags=TAGS,
        summary="Mark one notification read",
    )
    def post(self, request, notification_id: int):
        found = services.notification_open(user=request.user, notification_id=notification_id)
        return Response(NotificationOutput(found).data)


class ReadAllApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=MarkedOutput,
        operation_id="notifications_mark_all_read",
        tags=TAGS,
        summary="Mark all your notifications read",
    )
    def post(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})


class PreferencesApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        preferences = serializers.DictField(
            child=serializers.CharField(),
            allow_empty=False,
            help_text='Kind to delivery, e.g. {"reply": "email"}; kinds left out keep theirs.',
        )

    @extend_schema(
        responses=PreferenceOutput(many=True),
        operation_id="notification_preferences_get",
        tags=TAGS,
        summary="How each kind of notification reaches you",
    )
    def get(self, request):
        return Response(PreferenceOutput(_preferences(request.user), many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses=PreferenceOutput(many=True),
        operation_id="notification_preferences_set",
        tags=TAGS,
        summary="Choose how some kinds of notification reach you",
    )
    def patch(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.preferences_set(user=request.user, choices=data.validated_data["preferences"])
        return Response(PreferenceOutput(_preferences(request.user), many=True).data)
