"""Discussion: a forum's topics (a competition's, or the site forum), a topic with its replies,
replying, editing, votes, reports and moderation. Each calls the service the web pages call,
so refusals carry the same codes and messages. Reading is open to whoever may see the forum;
writing needs a signed-in caller."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from podium.api import fields, query
from podium.api.views.common import competition
from podium.core.error_codes import CommonErrorCode
from podium.core.errors import DomainError
from podium.discussion import selectors, services
from podium.discussion.urls import topic_url


class BadgesOutput(serializers.Serializer):
    tier = serializers.CharField(help_text="novice, contributor, expert, master, grandmaster")
    host = serializers.BooleanField(help_text="An organizer of the competition")
    public_rank = serializers.IntegerField(
        allow_null=True, help_text="The author's team's place on the PUBLIC board"
    )


class TopicRowOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField(help_text="A placeholder when hidden from the caller")
    kind = serializers.CharField(help_text="discussion, announcement or writeup")
    pinned = serializers.BooleanField()
    locked = serializers.BooleanField()
    hidden = serializers.BooleanField()
    author = serializers.CharField()
    badges = BadgesOutput()
    vote_count = serializers.IntegerField()
    reply_count = serializers.IntegerField()
    voted = serializers.BooleanField(help_text="Whether the caller voted for it")
    created_at = serializers.DateTimeField()
    last_activity_at = serializers.DateTimeField()
    rank = serializers.IntegerField(
        allow_null=True, help_text="A write-up's final private rank (after the reveal only)"
    )


class TopicListOutput(serializers.Serializer):
    results = TopicRowOutput(many=True, source="rows")
    page = serializers.IntegerField(source="number")
    pages = serializers.IntegerField()
    total = serializers.IntegerField()
    sort = serializers.CharField()
    filter = serializers.CharField()
    query = serializers.CharField()


class PostOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    author = serializers.CharField()
    badges = BadgesOutput()
    body = serializers.CharField(help_text="Markdown; empty when hidden from the caller")
    hidden = serializers.BooleanField()
    placeholder = serializers.BooleanField(help_text="Hidden from the caller by a moderator")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    vote_count = serializers.IntegerField()
    voted = serializers.BooleanField()
    answers = serializers.IntegerField(
        source="answers_pk", allow_null=True, help_text="The reply this one answers"
    )


class TopicOutput(serializers.Serializer):
    id = serializers.IntegerField(source="topic.pk")
    competition = serializers.SlugField(source="topic.competition.slug", allow_null=True)
    title = serializers.CharField()
    kind = serializers.CharField(source="topic.kind")
    pinned = serializers.BooleanField(source="topic.pinned")
    locked = serializers.BooleanField(source="topic.locked")
    url = serializers.SerializerMethodField()
    post = PostOutput()
    replies = PostOutput(many=True)
    may_reply = serializers.BooleanField()
    moderator = serializers.BooleanField()
    writeup_rank = serializers.IntegerField(allow_null=True)

    def get_url(self, page) -> str:
        return topic_url(page.topic)


# Blank text passes here so the service refuses it with its own code and message (as the web).
class TopicInput(serializers.Serializer):
    title = fields.Text(max_length=200, allow_blank=True, trim_whitespace=False)
    body = fields.Text(max_length=50_000, allow_blank=True, trim_whitespace=False)
    # Not a ChoiceField: its enum would clash with other "kind" enums in the schema.
    kind = fields.Text(
        required=False,
        allow_blank=True,  # "" (a form's empty field) is the default, as the schema says
        default="discussion",
        help_text="discussion (the default), announcement (organizers only) or writeup (your "
        "team's, after the reveal)",
    )

    def validate_kind(self, value: str) -> str:
        value = value or "discussion"
        if value not in ("discussion", "announcement", "writeup"):
            raise serializers.ValidationError("Choose discussion, announcement or writeup.")
        return value


class BodyInput(serializers.Serializer):
    body = fields.Text(max_length=50_000, allow_blank=True, trim_whitespace=False)


class ReplyInput(BodyInput):
    answers = fields.Integer(required=False, help_text="The id of the reply this one answers")


class EditInput(BodyInput):
    title = fields.Text(max_length=200, required=False, help_text="A topic's only")


class ReportInput(serializers.Serializer):
    reason = fields.Text(max_length=500, allow_blank=True, trim_whitespace=False)


class PostVoteOutput(serializers.Serializer):
    vote_count = serializers.IntegerField()
    voted = serializers.BooleanField()


class ModerationInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=["pin", "unpin", "lock", "unlock", "hide", "unhide"])


# Swagger's groups are the six of podium.api.schema.TAGS: the forums go with the competitions.
TAGS = ["competitions"]

LIST_PARAMETERS = [
    OpenApiParameter("sort", str, enum=list(selectors.SORTS), description="Default: hot"),
    OpenApiParameter("filter", str, enum=list(selectors.FILTERS), description="Default: all"),
    OpenApiParameter("q", str, description="Search topics and replies"),
    OpenApiParameter("page", int, description="From 1"),
]


def _list(request, found) -> Response:
    """Query parameters outside the schema are refused (400), not silently replaced."""
    sort = query.choice(request, "sort", selectors.SORTS, "hot")
    filter_ = query.choice(request, "filter", selectors.FILTERS, "all")
    try:  # any whole number: the selector clamps it to the pages there are
        page = int(request.query_params.get("page", "1"))
    except ValueError:
        raise DomainError(
            CommonErrorCode.MALFORMED_REQUEST,
            "page must be a whole number.",
            details={"field": "page"},
        ) from None
    listing = selectors.topic_list(
        viewer=request.user,
        competition=found,
        sort=sort,
        filter=filter_,
        query=request.query_params.get("q", ""),
        page=page,
    )
    return Response(TopicListOutput(listing).data)


def _create(request, found) -> Response:
    data = TopicInput(data=request.data)
    data.is_valid(raise_exception=True)
    kind = data.validated_data["kind"]
    args = {
        "user": request.user,
        "title": data.validated_data["title"],
        "body": data.validated_data["body"],
    }
    if found is not None and kind == "announcement":
        topic = services.announcement_create(competition=found, **args)
    elif found is not None and kind == "writeup":
        topic = services.writeup_create(competition=found, **args)
    else:
        topic = services.topic_create(competition=found, **args)
    return _detail(request, topic, status.HTTP_201_CREATED)


def _detail(request, topic, code=status.HTTP_200_OK) -> Response:
    return Response(TopicOutput(selectors.topic_page(topic=topic, viewer=request.user)).data, code)


class CompetitionTopicsApi(APIView):
    @extend_schema(
        parameters=LIST_PARAMETERS,
        responses=TopicListOutput,
        operation_id="discussion_topics_list",
        tags=TAGS,
        summary="A competition's forum: one page of topics",
    )
    def get(self, request, slug: str):
        return _list(request, competition(request, slug))

    @extend_schema(
        request=TopicInput,
        responses={201: TopicOutput},
        operation_id="discussion_topics_create",
        tags=TAGS,
        summary="Post a topic in a competition's forum",
    )
    def post(self, request, slug: str):
        return _create(request, competition(request, slug))


class SiteTopicsApi(APIView):
    @extend_schema(
        parameters=LIST_PARAMETERS,
        responses=TopicListOutput,
        operation_id="discussion_site_topics_list",
        tags=TAGS,
        summary="The site forum: one page of topics",
    )
    def get(self, request):
        return _list(request, None)

    @extend_schema(
        request=TopicInput,
        responses={201: TopicOutput},
        operation_id="discussion_site_topics_create",
        tags=TAGS,
        summary="Post a topic in the site forum",
    )
    def post(self, request):
        return _create(request, None)


class TopicApi(APIView):
    @extend_schema(
        responses=TopicOutput,
        operation_id="discussion_topic_get",
        tags=TAGS,
        summary="A topic with its replies",
    )
    def get(self, request, topic_id: int):
        return _detail(request, selectors.topic_find(topic_id=topic_id, viewer=request.user))

    @extend_schema(
        request=EditInput,
        responses=TopicOutput,
        operation_id="discussion_topic_edit",
        tags=TAGS,
        summary="Edit your topic",
    )
    def patch(self, request, topic_id: int):
        topic = selectors.topic_find(topic_id=topic_id, viewer=request.user)
        data = EditInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_edit(
            user=request.user,
            topic=topic,
            body=data.validated_data["body"],
            title=data.validated_data.get("title"),
        )
        return _detail(request, topic)


class ReplyCreateApi(APIView):
    @extend_schema(
        request=ReplyInput,
        responses={201: TopicOutput},
        operation_id="discussion_reply_create",
        tags=TAGS,
        summary="Reply to a topic",
    )
    def post(self, request, topic_id: int):
        topic = selectors.topic_find(topic_id=topic_id, viewer=request.user)
        data = ReplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        answers = None
        if data.validated_data.get("answers"):
            answers = selectors.reply_get(reply_id=data.validated_data["answers"], topic=topic)
        services.reply_create(
            user=request.user, topic=topic, body=data.validated_data["body"], answers=answers
        )
        return _detail(request, topic, status.HTTP_201_CREATED)


class ReplyApi(APIView):
    @extend_schema(
        request=BodyInput,
        responses=TopicOutput,
        operation_id="discussion_reply_edit",
        tags=TAGS,
        summary="Edit your reply",
    )
    def patch(self, request, reply_id: int):
        reply = selectors.reply_find(reply_id=reply_id, viewer=request.user)
        data = BodyInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_edit(user=request.user, reply=reply, body=data.validated_data["body"])
        return _detail(request, reply.topic)


def _post(request, kind: str, pk: int) -> dict:
    if kind == "replies":
        return {"reply": selectors.reply_find(reply_id=pk, viewer=request.user)}
    return {"topic": selectors.topic_find(topic_id=pk, viewer=request.user)}


POST_KIND = OpenApiParameter("post_type", str, OpenApiParameter.PATH, enum=["topics", "replies"])


class VoteApi(APIView):
    @extend_schema(
        parameters=[POST_KIND],
        request=None,
        responses=PostVoteOutput,
        operation_id="discussion_vote_cast",
        tags=TAGS,
        summary="Vote for a topic or a reply",
    )
    def post(self, request, post_type: str, pk: int):
        count = services.vote_cast(user=request.user, **_post(request, post_type, pk))
        return Response(PostVoteOutput({"vote_count": count, "voted": True}).data)

    @extend_schema(
        parameters=[POST_KIND],
        responses=PostVoteOutput,
        operation_id="discussion_vote_withdraw",
        tags=TAGS,
        summary="Withdraw your vote for a topic or a reply",
    )
    def delete(self, request, post_type: str, pk: int):
        count = services.vote_withdraw(user=request.user, **_post(request, post_type, pk))
        return Response(PostVoteOutput({"vote_count": count, "voted": False}).data)


class ReportApi(APIView):
    @extend_schema(
        parameters=[POST_KIND],
        request=ReportInput,
        responses={201: None},
        operation_id="discussion_report",
        tags=TAGS,
        summary="Report a topic or a reply to the moderators",
    )
    def post(self, request, post_type: str, pk: int):
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.post_report(
            user=request.user, reason=data.validated_data["reason"], **_post(request, post_type, pk)
        )
        return Response(status=status.HTTP_201_CREATED)


class ModerationApi(APIView):
    @extend_schema(
        parameters=[POST_KIND],
        request=ModerationInput,
        responses=TopicOutput,
        operation_id="discussion_moderate",
        tags=TAGS,
        summary="Pin, lock or hide (moderators)",
        description="pin/unpin/lock/unlock: topics only; hide/unhide: topics and replies.",
    )
    def post(self, request, post_type: str, pk: int):
        data = ModerationInput(data=request.data)
        data.is_valid(raise_exception=True)
        action = data.validated_data["action"]
        post = _post(request, post_type, pk)
        topic = post.get("topic") or post["reply"].topic
        if action in ("hide", "unhide"):
            hide = services.post_hide if action == "hide" else services.post_unhide
            hide(user=request.user, **post)
        elif "topic" not in post:
            raise DomainError(CommonErrorCode.MALFORMED_REQUEST, f"A reply cannot be {action}ed.")
        elif action in ("pin", "unpin"):
            services.topic_pin(user=request.user, topic=topic, pinned=action == "pin")
        else:
            services.topic_lock(user=request.user, topic=topic, locked=action == "lock")
        topic.refresh_from_db()
        return _detail(request, topic)
