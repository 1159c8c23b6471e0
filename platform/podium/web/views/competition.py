"""The competition's tabs: Overview, Data, Evaluation, Rules (and joining), Leaderboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from podium.competitions import page_facts
from podium.competitions import selectors as competition_selectors
from podium.competitions.services import competition_invitation_accept
from podium.core.errors import DomainError
from podium.core.files import download_response
from podium.leaderboards import selectors as board_selectors
from podium.teams.services import competition_join
from podium.web import board_fragments
from podium.web.errors import shows_domain_errors
from podium.web.views.account import guards_links
from podium.web.views.common import competition_context
from podium.web.zip_stream import Member, zip_pieces


@shows_domain_errors
def overview(request, slug: str):
    context = competition_context(request, slug, "overview")
    return render(request, "web/competition/overview.html", context)


@shows_domain_errors
def evaluation(request, slug: str):
    context = competition_context(request, slug, "evaluation")
    return render(request, "web/competition/evaluation.html", context)


@shows_domain_errors
def rules(request, slug: str):
    context = competition_context(request, slug, "rules")
    return render(request, "web/competition/rules.html", context)


@shows_domain_errors
def data(request, slug: str):
    context = competition_context(request, slug, "data")
    files = list(competition_selectors.data_files(competition=context["competition"]))
    context["files"], context["files_size"] = files, sum(f.size for f in files)
    return render(request, "web/competition/data.html", context)


@shows_domain_errors
def data_download_all(request, slug: str):
    """Every data file of the competition in one zip, streamed as it is made; the checks of a
    single file's download (the competition visible, its rules accepted)."""
    competition = competition_selectors.competition_get(slug=slug, user=request.user)
    competition_selectors.require_rules_accepted(request.user, competition)
    members = [
        Member(f.name, f.file.storage, f.file.name, f.size, f.updated_at)
        for f in competition_selectors.data_files(competition=competition)
    ]
    response = StreamingHttpResponse(zip_pieces(members), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{competition.slug}-data.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@shows_domain_errors
def data_download(request, slug: str, name: str):
    competition = competition_selectors.competition_get(slug=slug, user=request.user)
    data_file = competition_selectors.data_file_for_download(
        user=request.user, competition=competition, name=name
    )
    return download_response(data_file.file, filename=data_file.name)


@require_POST
@login_required
@shows_domain_errors
def join(request, slug: str):
    competition = competition_selectors.competition_get(slug=slug, user=request.user)
    try:
        team = competition_join(user=request.user, competition=competition)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:rules", slug=slug)
    messages.success(
        request,
        f"Welcome to {competition.title}! You are in the team “{team.name}”. "
        "The data is on the Data tab.",
    )
    return redirect("web:data", slug=slug)


@login_required
@shows_domain_errors
@guards_links
def invitation(request, slug: str, token: str):
    """The invitation link: lets the signed-in user in, then shows the competition. A wrong or
    rotated token is the 404 of a competition that does not exist."""
    competition = competition_invitation_accept(user=request.user, slug=slug, token=token)
    messages.success(request, f"You are invited to {competition.title}. Read its rules to join.")
    return redirect("web:overview", slug=competition.slug)


def _page_number(request) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


@shows_domain_errors
def leaderboard(request, slug: str):
    context = competition_context(request, slug, "leaderboard", board_tab="public")
    competition = context["competition"]
    # The page's rows, split and chart come from the board cache, one entry for everyone; where
    # the viewer's team stands (``mine``) is read for this viewer only.
    parts = board_fragments.board_page_parts(competition=competition, page=_page_number(request))
    context["board"], context["split"] = parts.board, parts.split
    context["mine"] = board_selectors.board_position(
        competition=competition, team=context["me"].team
    )
    my_team = context["me"].team
    context["rows_html"] = board_fragments.rows_html(
        parts, my_team_id=my_team.pk if my_team else None
    )
    context["chart"] = board_fragments.chart_html(
        parts,
        competition=competition,
        my_team_id=context["mine"].team_id if context["mine"] else None,
    )
    return render(request, "web/competition/leaderboard.html", context)


@shows_domain_errors
def leaderboard_private(request, slug: str):
    """The private board: the competition's organizers, and after the reveal everyone (the
    selector refuses anyone else with its message)."""
    context = competition_context(request, slug, "leaderboard", board_tab="private")
    competition = context["competition"]
    context["split"] = page_facts.board_split(competition)
    if not board_selectors.private_board_visible(competition=competition, viewer=request.user):
        notice = board_selectors.reveal_notice(competition=competition)
        if not notice.ended:  # nothing to wait for yet: the refusal (404) says when
            board_selectors.private_board_page(competition=competition, viewer=request.user)
        # Ended, not revealed: a page in the board tabs that says what is true, and no row.
        context["notice"] = notice
        return render(request, "web/competition/leaderboard_private.html", context)
    context["board"] = board_selectors.private_board_page(
        competition=competition, viewer=request.user, page=_page_number(request)
    )
    return render(request, "web/competition/leaderboard_private.html", context)
