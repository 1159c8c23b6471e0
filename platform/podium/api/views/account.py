"""The caller's account and API keys; trading a password for a key (`podium login`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from podium.accounts import selectors as account_selectors
from podium.accounts import services as account_services
from podium.accounts.error_codes import AccountErrorCode
from podium.accounts.guards import sign_in
from podium.api import fields
from podium.api.throttling import Login, PerAddress
from podium.core.addresses import client_address
from podium.core.errors import DomainError


class TokenOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key's first characters, to tell keys apart.")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class NewTokenOutput(serializers.Serializer):
    token = TokenOutput()
    key = serializers.CharField(help_text="Shown this once: store it now.")


def _new_token(token, key) -> Response:
    body = NewTokenOutput({"token": token, "key": key}).data
    return Response(body, status=status.HTTP_201_CREATED)


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="pk")
        username = serializers.CharField()
        email = serializers.EmailField()
        first_name = serializers.CharField()
        last_name = serializers.CharField()
        date_joined = serializers.DateTimeField()

    @extend_schema(responses=OutputSerializer, operation_id="me_get", summary="Who you are")
    def get(self, request):
        return Response(self.OutputSerializer(request.user).data)


class TokenListApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = TokenOutput

    class InputSerializer(serializers.Serializer):
        name = fields.Text(max_length=100, required=False, allow_blank=True, default="")

    @extend_schema(
        responses=TokenOutput(many=True), operation_id="tokens_list", summary="List your API keys"
    )
    def get(self, request):
        page = self.paginate_queryset(account_selectors.api_tokens(user=request.user))
        return self.get_paginated_response(TokenOutput(page, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: NewTokenOutput},
        operation_id="tokens_create",
        summary="Create an API key",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = account_services.api_token_create(user=request.user, **data.validated_data)
        return _new_token(*created)


class TokenRotateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={201: NewTokenOutput},
        operation_id="tokens_rotate",
        summary="Rotate an API key (a new key, the old one revoked)",
    )
    def post(self, request, token_id: int):
        return _new_token(*account_services.api_token_rotate(user=request.user, token_id=token_id))


class TokenDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, operation_id="tokens_revoke", summary="Revoke an API key")
    def delete(self, request, token_id: int):
        account_services.api_token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginApi(APIView):
    """A username and password for a new API key (what `podium login` does). Throttled per
    address; failed passwords limited per address and per account (``accounts.guards``); the
    same refusal whether the user exists or not."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [Login, PerAddress]

    class InputSerializer(serializers.Serializer):
        username = fields.Text(max_length=150)
        password = fields.Text(max_length=4096, trim_whitespace=False)
        name = fields.Text(max_length=100, required=False, allow_blank=True, default="")

    @extend_schema(
        request=InputSerializer,
        responses={201: NewTokenOutput},
        auth=[],
        operation_id="login",
        summary="Sign in with a username and password for a new API key",
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = sign_in(
            request=request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
            address=client_address(request),
        )
        if user is None:
            raise DomainError(
                AccountErrorCode.CREDENTIALS_INVALID,
                "That username and password do not match an account.",
                status=401,
            )
        return _new_token(
            *account_services.api_token_create(user=user, name=data.validated_data["name"])
        )
