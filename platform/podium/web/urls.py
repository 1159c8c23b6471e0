from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from podium.web.views import (
    account,
    competition,
    discussion,
    home,
    kernel_community,
    kernels,
    notifications,
    organizer,
    organizer_publish,
    profiles,
    submissions,
)
from podium.web.views import team as team_views

app_name = "web"

tab = "competitions/<slug:slug>/"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", account.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", account.signup, name="signup"),
    path("signup/resend/", account.signup_resend, name="signup_resend"),
    path(
        "password-reset/",
        account.PasswordResetView.as_view(
            template_name="web/account/password_reset_form.html",
            email_template_name="web/account/password_reset_email.txt",
            subject_template_name="web/account/password_reset_subject.txt",
            success_url=reverse_lazy("web:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="web/account/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="web/account/password_reset_confirm.html",
            success_url=reverse_lazy("web:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="web/account/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("profile/", account.profile, name="profile"),
    path("profile/tokens/", account.token_create, name="token_create"),
    path("profile/tokens/<int:token_id>/<str:action>/", account.token_change, name="token_change"),
    path("account/email/", account.email, name="email"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read-all/", notifications.mark_all_read, name="notifications_read_all"),
    path("notifications/preferences/", notifications.preferences, name="notification_preferences"),
    path(
        "notifications/<int:notification_id>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
    path("users/<str:username>/", profiles.user_profile, name="user_profile"),
    path("rankings/", profiles.rankings, name="rankings"),
    path("profile/bio/", profiles.bio_edit, name="profile_bio"),
    path("account/email/verify/<str:token>/", account.email_confirm, name="email_verify"),
    path(tab, competition.overview, name="overview"),
    path(tab + "data/", competition.data, name="data"),
    path(tab + "data/<str:name>", competition.data_download, name="data_download"),
    # not a <str:name>: a slash is in no file's name
    path(tab + "data/download-all/", competition.data_download_all, name="data_download_all"),
    path(tab + "evaluation/", competition.evaluation, name="evaluation"),
    path(tab + "rules/", competition.rules, name="rules"),
    path(tab + "join/", competition.join, name="join"),
    path(tab + "invite/<str:token>/", competition.invitation, name="invitation"),
    path(tab + "leaderboard/", competition.leaderboard, name="leaderboard"),
    path(tab + "leaderboard/private/", competition.leaderboard_private, name="leaderboard_private"),
    path(tab + "submit/", submissions.submit, name="submit"),
    path(tab + "submissions/", submissions.my_submissions, name="my_submissions"),
    path(
        tab + "submissions/<int:submission_id>/file",
        submissions.submission_file,
        name="submission_file",
    ),
    path(tab + "submissions/final/", submissions.final_selection, name="final_selection"),
    path(tab + "dashboard/", organizer.dashboard, name="dashboard"),
    path(tab + "dashboard/reveal/", organizer.reveal, name="dashboard_reveal"),
    path(tab + "publish/", organizer_publish.publish, name="publish"),
    path(tab + "kernels/", kernels.kernels, name="kernels"),
    path(tab + "kernels/<int:run_id>/", kernels.kernel, name="kernel"),
    path(tab + "kernels/<int:run_id>/log/", kernels.kernel_log, name="kernel_log"),
    path(tab + "kernels/<int:run_id>/cancel/", kernels.cancel, name="kernel_cancel"),
    path(tab + "kernels/<int:run_id>/publish/", kernels.publish, name="kernel_publish"),
    path(tab + "kernels/<int:run_id>/files/<str:what>", kernels.download, name="kernel_download"),
    path(tab + "kernels/<int:run_id>/vote/", kernel_community.vote, name="kernel_vote"),
    path(tab + "kernels/<int:run_id>/copy/", kernel_community.copy, name="kernel_copy"),
    path(
        tab + "kernels/<int:run_id>/comments/",
        kernel_community.comment_create,
        name="kernel_comments",
    ),
    path(
        tab + "kernels/<int:run_id>/comments/<int:comment_id>/",
        kernel_community.comment_edit,
        name="kernel_comment",
    ),
    path(tab + "team/", team_views.team, name="team"),
    path(tab + "team/rename/", team_views.rename, name="team_rename"),
    path(tab + "team/invite/", team_views.invite, name="team_invite"),
    path(tab + "team/leave/", team_views.leave, name="team_leave"),
    path(tab + "team/leader/", team_views.transfer, name="team_transfer"),
    path(tab + "team/join-requests/", team_views.join_request, name="team_join_request"),
    path(tab + "team/merge-requests/", team_views.merge_request, name="team_merge_request"),
    path(tab + "team/<str:kind>/<int:pk>/<str:answer>/", team_views.answer, name="team_answer"),
    path(tab + "team/thread/", discussion.team_thread, name="team_thread"),
    path(tab + "discussion/", discussion.discussion, name="discussion"),
    path(tab + "discussion/<int:topic_id>/", discussion.topic, name="topic"),
    path(tab + "discussion/<int:topic_id>/<str:act>/", discussion.topic_action, name="topic_act"),
    path(
        tab + "discussion/<int:topic_id>/replies/<int:reply_id>/<str:act>/",
        discussion.reply_action,
        name="reply_act",
    ),
    path("discussion/", discussion.site_discussion, name="site_discussion"),
    path("discussion/<int:topic_id>/", discussion.site_topic, name="site_topic"),
    path(
        "discussion/<int:topic_id>/<str:act>/",
        discussion.site_topic_action,
        name="site_topic_act",
    ),
    path(
        "discussion/<int:topic_id>/replies/<int:reply_id>/<str:act>/",
        discussion.site_reply_action,
        name="site_reply_act",
    ),
    path(
        "submissions/<int:submission_id>/status",
        submissions.submission_status,
        name="submission_status",
    ),
]
