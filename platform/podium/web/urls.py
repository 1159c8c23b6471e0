from django.contrib.auth import views as auth_views
from django.urls import path

from podium.web.views import competition, home, submissions

app_name = "web"

tab = "competitions/<slug:slug>/"

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(tab, competition.overview, name="overview"),
    path(tab + "data/", competition.data, name="data"),
    path(tab + "data/<str:name>", competition.data_download, name="data_download"),
    path(tab + "evaluation/", competition.evaluation, name="evaluation"),
    path(tab + "rules/", competition.rules, name="rules"),
    path(tab + "join/", competition.join, name="join"),
    path(tab + "leaderboard/", competition.leaderboard, name="leaderboard"),
    path(tab + "submit/", submissions.submit, name="submit"),
    path(tab + "submissions/", submissions.my_submissions, name="my_submissions"),
    path(
        "submissions/<int:submission_id>/status", submissions.submission_status,
        name="submission_status",
    ),
]
