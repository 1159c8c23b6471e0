"""One function per method the kaggle CLI calls: parse the request's fields, call the Podium
selector or service that the REST API calls for the same operation, render the kaggle shape.

Each takes ``(request, user, body)``; ``user`` may be anonymous where Podium lets a visitor see
the same thing (the competitions, their file lists, the public board).
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile

from django.http import FileResponse, HttpResponseRedirect
from django.urls import reverse

from podium.competitions import selectors as competition_selectors
from podium.core.errors import DomainError, NotFound
from podium.core.exports import safe_cell
from podium.core.uploads import UploadTooLarge, upload_cap
from podium.kaggle_compat import upload_tokens
from podium.kaggle_compat.auth import key_owner, require_user
from podium.kaggle_compat.protocol import (
    compact,
    date,
    flag,
    integer,
    next_page_token,
    ok,
    paging,
    score,
    text,
)
from podium.leaderboards import cache as board_cache
from podium.leaderboards import selectors as board_selectors
from podium.submissions import selectors as submission_selectors
from podium.submissions.error_codes import SubmissionRefusal
from podium.submissions.services import submission_create
from podium.teams import selectors as team_selectors
from scoring.error_codes import SubmissionErrorCode as FileErrorCode

COMPETITIONS = "competitions.CompetitionApiService"
OAUTH = "security.OAuthService"

# SubmissionStatus of kagglesdk, by Podium's status
STATUS = {"pending": "PENDING", "scoring": "PENDING", "scored": "COMPLETE", "failed": "ERROR"}


def _competition(request, user, body):
    slug = text(body, "competitionName", required=True, max_length=100)
    return competition_selectors.competition_get(slug=slug, user=user)


def _absolute(request, route: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"kaggle:{route}", kwargs=kwargs))


# -- competitions ---------------------------------------------------------------------------------


def _user_rank(found, team) -> int | None:
    """The caller's team's rank on the public board; None (the CLI shows 0) off the board."""
    if found is None or team is None:
        return None
    position = board_selectors.board_position(competition=found, team=team)
    return position.rank if position else None


def list_competitions(request, user, body):
    """``kaggle competitions list [-s SEARCH]``: the competitions the caller may see, in the
    home page's order (``competition_cards``). Of the columns the CLI prints (ref, deadline,
    category, reward, teamCount, userHasEntered, userRank) Podium has no reward: it is left
    out, and the CLI prints it empty."""
    cards = competition_selectors.competition_cards(user=user, search=text(body, "search"))
    offset, limit = paging(body)
    page = cards[offset : offset + limit]
    by_slug = {c.slug: c for c in competition_selectors.competition_list(user=user)}
    competitions = []
    for card in page:
        found = by_slug.get(card.slug)
        team = (
            team_selectors.team_for_user(user=user, competition=found)
            if found is not None
            else None
        )
        competitions.append(
            compact(
                {
                    "id": found.pk if found else None,
                    "ref": card.slug,
                    "title": card.title,
                    "url": request.build_absolute_uri(f"/competitions/{card.slug}/"),
                    "description": card.subtitle,
                    "category": card.state,
                    "deadline": date(card.end_at),
                    "enabledDate": date(card.start_at),
                    "teamCount": card.team_count,
                    "userHasEntered": team is not None,
                    "userRank": _user_rank(found, team),
                    "evaluationMetric": card.metric_name or card.metric,
                    "maxDailySubmissions": found.daily_submission_limit if found else None,
                    "maxTeamSize": found.max_team_size if found else None,
                    "newEntrantDeadline": date(found.entry_deadline) if found else None,
                    "mergerDeadline": date(found.team_merger_deadline) if found else None,
                }
            )
        )
    return ok(
        {
            "competitions": competitions,
            "nextPageToken": next_page_token(offset, limit, len(cards)),
        }
    )


def get_submission_limits(request, user, body):
    """The line ``kaggle competitions submit`` prints: how many submissions are left today."""
    found = _competition(request, require_user(user), body)
    team = team_selectors.team_for_user(user=user, competition=found)
    if team is None:
        return ok({"numToday": 0, "numTotal": 0, "numAllowedNow": 0, "limitedByTotal": False})
    quota = submission_selectors.quota(team=team, competition=found)
    by_total = quota.total_limit is not None and (
        quota.total_limit - quota.used_total < quota.daily_limit - quota.used_today
    )
    return ok(
        {
            "numToday": quota.used_today,
            "numTotal": quota.used_total,
            "numAllowedNow": quota.left_today,
            "limitedByTotal": by_total,
        }
    )


# -- data files -----------------------------------------------------------------------------------


def list_data_files(request, user, body):
    """``kaggle competitions files``: anyone who can see the competition sees its list."""
    found = _competition(request, user, body)
    files = list(competition_selectors.data_files(competition=found).order_by("name"))
    offset, limit = paging(body)
    return ok(
        {
            "files": [
                compact(
                    {
                        "ref": f.name,
                        "name": f.name,
                        "description": f.description,
                        "totalBytes": f.size,
                        "creationDate": date(f.updated_at),
                        "url": _absolute(request, "data_file", slug=found.slug, name=f.name),
                    }
                )
                for f in files[offset : offset + limit]
            ],
            "nextPageToken": next_page_token(offset, limit, len(files)),
        }
    )


def download_data_file(request, user, body):
    """``kaggle competitions download -f NAME``: a redirect to the file (its URL ends in its
    name, which the client saves it under); the rules must be accepted."""
    found = _competition(request, require_user(user), body)
    name = text(body, "fileName", required=True, max_length=255)
    data_file = competition_selectors.data_file_for_download(
        user=user, competition=found, name=name
    )
    return HttpResponseRedirect(
        reverse("kaggle:data_file", kwargs={"slug": found.slug, "name": data_file.name})
    )


def download_data_files(request, user, body):
    """``kaggle competitions download``: a redirect to a zip of every file (saved as
    ``<competition>.zip``); the rules must be accepted."""
    found = _competition(request, require_user(user), body)
    competition_selectors.require_rules_accepted(user, found)
    return HttpResponseRedirect(reverse("kaggle:data_archive", kwargs={"slug": found.slug}))


# -- submissions ----------------------------------------------------------------------------------


def start_submission_upload(request, user, body):
    """Step 1 of ``kaggle competitions submit``: a single-use URL to PUT the file to. A
    non-member is refused here, before the upload (as the REST API does)."""
    found = _competition(request, require_user(user), body)
    team_selectors.require_team(user=user, competition=found)
    declared = integer(body, "contentLength")
    if declared == 0:  # refused here: the client sends an empty body without a Content-Length,
        # its PUT fails and it prints only "Could not submit to competition"
        raise DomainError(FileErrorCode.FILE_EMPTY, "The file is empty.")
    request.upload_max_bytes = found.submission_max_bytes
    if declared > upload_cap(request):
        raise UploadTooLarge(upload_cap(request))
    token = upload_tokens.issue(
        user=user,
        competition=found,
        file_name=text(body, "fileName", max_length=1000),
        declared_size=declared,
    )
    return ok({"token": token, "createUrl": _absolute(request, "upload", token=token)})


def create_submission(request, user, body):
    """Step 3 of ``kaggle competitions submit``: the uploaded file becomes a submission through
    ``submission_create`` (rules, limits, membership, storage, queued scoring)."""
    found = _competition(request, require_user(user), body)
    description = text(body, "submissionDescription", max_length=2000)
    upload = upload_tokens.claim(
        token=text(body, "blobFileTokens", required=True, max_length=200),
        user=user,
        competition=found,
    )
    with upload_tokens.uploaded_file(upload) as file:
        submission = submission_create(
            user=user, competition=found, file=file, description=description
        )
    return ok({"message": f"Successfully submitted to {found.title}", "ref": submission.pk})


def _submission(request, view, competition) -> dict:
    precision = competition.score_display_precision
    return compact(
        {
            "ref": view.id,
            "totalBytes": view.size,
            "date": date(view.created_at),
            "description": view.description,
            "errorDescription": view.error_message or None,
            "fileName": view.original_name,
            "publicScore": score(view.public_score, precision),
            "privateScore": score(view.private_score, precision),  # None until the reveal
            "status": STATUS.get(view.status, "PENDING"),
            "submittedBy": view.submitted_by,
            "teamName": view.team_name,
            "url": request.build_absolute_uri(f"/competitions/{competition.slug}/submissions/"),
        }
    )


def get_submission(request, user, body):
    """``kaggle competitions submit --wait`` polls this: one of the caller's team's."""
    ref = integer(body, "ref")
    submission = submission_selectors.submission_get(submission_id=ref, viewer=require_user(user))
    if submission is None:
        raise NotFound(SubmissionRefusal.NOT_FOUND, f"You have no submission with id {ref}.")
    view = submission_selectors.submission_view(submission, viewer=user)
    return ok(_submission(request, view, submission.competition))


def list_submissions(request, user, body):
    """``kaggle competitions submissions``: the team's, newest first; a private score only
    after the reveal (``submission_view``)."""
    found = _competition(request, require_user(user), body)
    team = team_selectors.require_team(user=user, competition=found)
    offset, limit = paging(body)
    views = submission_selectors.team_submissions(
        team=team, viewer=user, offset=offset, limit=limit
    )
    total = submission_selectors.team_submission_count(team=team)
    return ok(
        {
            "submissions": [_submission(request, v, found) for v in views],
            "nextPageToken": next_page_token(offset, limit, total),
        }
    )


# -- the leaderboard ------------------------------------------------------------------------------


def get_leaderboard(request, user, body):
    """``kaggle competitions leaderboard --show``: the public board (``overridePublic``: the
    private one, which Podium shows only after the reveal)."""
    found = _competition(request, user, body)
    offset, limit = paging(body)
    if flag(body, "overridePublic"):
        total = board_selectors.private_board_size(competition=found, viewer=user)
        rows = board_selectors.private_board(
            competition=found, viewer=user, offset=offset, limit=limit
        )
        entries = [
            {"teamId": r.team_id, "teamName": r.team_name, "score": r.private_display} for r in rows
        ]
    else:
        total = board_cache.cached_board_size(competition=found)
        rows = board_cache.cached_public_board(competition=found, offset=offset, limit=limit)
        entries = [
            {
                "teamId": r.team_id,
                "teamName": r.team_name,
                "score": r.score_display,
                "submissionDate": date(r.last_submission_at),
            }
            for r in rows
        ]
    return ok({"submissions": entries, "nextPageToken": next_page_token(offset, limit, total)})


LEADERBOARD_HEADER = [
    "Rank",
    "TeamId",
    "TeamName",
    "LastSubmissionDate",
    "Score",
    "SubmissionCount",
    "TeamMemberUserNames",
]


def download_leaderboard(request, user, body):
    """``kaggle competitions leaderboard --download``: the whole public board as a CSV in a zip
    (the client saves the response itself as ``<competition>.zip``)."""
    found = _competition(request, user, body)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(f"{found.slug}-publicleaderboard.csv", "w") as member:
            out = io.TextIOWrapper(member, encoding="utf-8", newline="")
            writer = csv.writer(out)
            writer.writerow(LEADERBOARD_HEADER)
            for row in board_selectors.public_board_rows(competition=found):
                writer.writerow(
                    [
                        safe_cell(v)
                        for v in (
                            row.rank,
                            row.team_id,
                            row.team_name,
                            date(row.last_submission_at),
                            row.score_display,
                            row.entries,
                            " ".join(row.members),
                        )
                    ]
                )
            out.flush()
            out.detach()
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=f"{found.slug}.zip", content_type="application/zip"
    )


# -- the token check of KAGGLE_API_TOKEN -------------------------------------------------------


def introspect_token(request, user, body):
    """Whose key is this (the CLI asks before it uses ``KAGGLE_API_TOKEN``)."""
    owner = key_owner(request, text(body, "token", max_length=200))  # guesses are limited
    if owner is None:
        return ok({"active": False})
    return ok({"active": True, "username": owner.get_username(), "userId": owner.pk})


METHODS = {
    f"{COMPETITIONS}/ListCompetitions": list_competitions,
    f"{COMPETITIONS}/GetSubmissionLimits": get_submission_limits,
    f"{COMPETITIONS}/ListDataFiles": list_data_files,
    f"{COMPETITIONS}/DownloadDataFile": download_data_file,
    f"{COMPETITIONS}/DownloadDataFiles": download_data_files,
    f"{COMPETITIONS}/StartSubmissionUpload": start_submission_upload,
    f"{COMPETITIONS}/CreateSubmission": create_submission,
    f"{COMPETITIONS}/GetSubmission": get_submission,
    f"{COMPETITIONS}/ListSubmissions": list_submissions,
    f"{COMPETITIONS}/GetLeaderboard": get_leaderboard,
    f"{COMPETITIONS}/DownloadLeaderboard": download_leaderboard,
    f"{OAUTH}/IntrospectToken": introspect_token,
}
