"""/api/v1/...: the REST API; /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI, local files)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from podium.api.views import (
    account,
    competitions,
    discussion,
    kernel_community,
    kernels,
    leaderboards,
    notifications,
    profiles,
    submissions,
    teams,
)

app_name = "api"

c = "v1/competitions/<slug:slug>/"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Its script is served by ?script=, not inline: pages carry a Content-Security-Policy.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    # the caller
    path("v1/auth/token/", account.LoginApi.as_view(), name="login"),
    path("v1/me/", account.MeApi.as_view(), name="me"),
    path("v1/me/tokens/", account.TokenListApi.as_view(), name="tokens"),
    path("v1/me/tokens/<int:token_id>/", account.TokenDetailApi.as_view(), name="token"),
    # people
    path("v1/users/<str:username>/", profiles.UserProfileApi.as_view(), name="user_profile"),
    path("v1/rankings/", profiles.RankingApi.as_view(), name="rankings"),
    path(
        "v1/me/tokens/<int:token_id>/rotate/",
        account.TokenRotateApi.as_view(),
        name="token_rotate",
    ),
    # the caller's notifications
    path(
        "v1/me/notifications/",
        notifications.NotificationListApi.as_view(),
        name="notifications",
    ),
    path(
        "v1/me/notifications/unread-count/",
        notifications.UnreadCountApi.as_view(),
        name="notifications_unread",
    ),
    path(
        "v1/me/notifications/read-all/",
        notifications.ReadAllApi.as_view(),
        name="notifications_read_all",
    ),
    path(
        "v1/me/notifications/preferences/",
        notifications.PreferencesApi.as_view(),
        name="notification_preferences",
    ),
    path(
        "v1/me/notifications/<int:notification_id>/read/",
        notifications.NotificationReadApi.as_view(),
        name="notification_read",
    ),
    # competitions
    path("v1/competitions/", competitions.CompetitionListApi.as_view(), name="competitions"),
    path(c, competitions.CompetitionDetailApi.as_view(), name="competition"),
    path(c + "files/", competitions.DataFileListApi.as_view(), name="data_files"),
    path(c + "files/<str:name>", competitions.DataFileDownloadApi.as_view(), name="data_file"),
    path(c + "join/", competitions.JoinApi.as_view(), name="join"),
    path(c + "rules/accept/", competitions.RulesAcceptApi.as_view(), name="rules_accept"),
    # the caller's team
    path(c + "team/", teams.TeamApi.as_view(), name="team"),
    path(c + "team/leave/", teams.TeamLeaveApi.as_view(), name="team_leave"),
    path(c + "team/leader/", teams.TeamLeaderApi.as_view(), name="team_leader"),
    path(c + "invitations/", teams.InvitationCreateApi.as_view(), name="invitations"),
    path(c + "join-requests/", teams.JoinRequestCreateApi.as_view(), name="join_requests"),
    path(c + "merge-requests/", teams.MergeRequestCreateApi.as_view(), name="merge_requests"),
    path(c + "merge-preview/", teams.MergePreviewApi.as_view(), name="merge_preview"),
    re_path(
        r"^v1/competitions/(?P<slug>[-a-zA-Z0-9_]+)/(?P<kind>invitations|join-requests|merge-requests)"
        r"/(?P<pk>[0-9]+)/(?P<answer>accept|decline|cancel)/$",
        teams.AnswerApi.as_view(),
        name="answer",
    ),
    # submissions
    path(c + "submissions/", submissions.SubmissionListApi.as_view(), name="submissions"),
    path(
        "v1/submissions/<int:submission_id>/",
        submissions.SubmissionDetailApi.as_view(),
        name="submission",
    ),
    path(c + "final-selection/", submissions.FinalSelectionApi.as_view(), name="final_selection"),
    # leaderboards
    path(c + "leaderboard/", leaderboards.PublicBoardApi.as_view(), name="leaderboard"),
    path(
        c + "leaderboard/private/",
        leaderboards.PrivateBoardApi.as_view(),
        name="leaderboard_private",
    ),
    path(c + "leaderboard/me/", leaderboards.MyRowApi.as_view(), name="leaderboard_me"),
    # kernels
    path(c + "kernels/", kernels.KernelListApi.as_view(), name="kernels"),
    path(
        c + "kernels/published/",
        kernel_community.KernelPublishedListApi.as_view(),
        name="kernels_published",
    ),
    path(
        "v1/kernels/<int:run_id>/vote/",
        kernel_community.KernelVoteApi.as_view(),
        name="kernel_vote",
    ),
    path(
        "v1/kernels/<int:run_id>/comments/",
        kernel_community.KernelCommentListApi.as_view(),
        name="kernel_comments",
    ),
    path(
        "v1/kernels/<int:run_id>/comments/<int:comment_id>/",
        kernel_community.KernelCommentApi.as_view(),
        name="kernel_comment",
    ),
    path(
        "v1/kernels/<int:run_id>/copy/",
        kernel_community.KernelCopyApi.as_view(),
        name="kernel_copy",
    ),
    path("v1/kernels/<int:run_id>/", kernels.KernelDetailApi.as_view(), name="kernel"),
    path("v1/kernels/<int:run_id>/log/", kernels.KernelLogApi.as_view(), name="kernel_log"),
    path(
        "v1/kernels/<int:run_id>/cancel/",
        kernels.KernelCancelApi.as_view(),
        name="kernel_cancel",
    ),
    re_path(
        r"^v1/kernels/(?P<run_id>[0-9]+)/files/(?P<what>code|config|log|output|artifacts)$",
        kernels.KernelDownloadApi.as_view(),
        name="kernel_file",
    ),
    # discussion: a competition's forum, the site forum, topics, replies and what one does to them
    path(c + "discussion/", discussion.CompetitionTopicsApi.as_view(), name="discussion"),
    path("v1/discussion/", discussion.SiteTopicsApi.as_view(), name="site_discussion"),
    path("v1/discussion/topics/<int:topic_id>/", discussion.TopicApi.as_view(), name="topic"),
    path(
        "v1/discussion/topics/<int:topic_id>/replies/",
        discussion.ReplyCreateApi.as_view(),
        name="topic_replies",
    ),
    path("v1/discussion/replies/<int:reply_id>/", discussion.ReplyApi.as_view(), name="reply"),
    re_path(
        r"^v1/discussion/(?P<post_type>topics|replies)/(?P<pk>[0-9]+)/vote/$",
        discussion.VoteApi.as_view(),
        name="discussion_vote",
    ),
    re_path(
        r"^v1/discussion/(?P<post_type>topics|replies)/(?P<pk>[0-9]+)/report/$",
        discussion.ReportApi.as_view(),
        name="discussion_report",
    ),
    re_path(
        r"^v1/discussion/(?P<post_type>topics|replies)/(?P<pk>[0-9]+)/moderation/$",
        discussion.ModerationApi.as_view(),
        name="discussion_moderation",
    ),
]
