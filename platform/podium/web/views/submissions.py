"""Submit, My Submissions (with each file, for the whole team to download), and the status
fragment that the page polls while scoring runs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from podium.competitions import selectors as competition_selectors
from podium.competitions.metrics import metric_label
from podium.core.errors import DomainError
from podium.core.files import download_response
from podium.core.timeutils import now
from podium.leaderboards import selectors as board_selectors
from podium.submissions import selectors as submission_selectors
from podium.submissions.services import final_selection_set, submission_create
from podium.teams import selectors as team_selectors
from podium.web import charts
from podium.web.errors import shows_domain_errors
from podium.web.forms import SubmissionForm
from podium.web.views.common import competition_context


@shows_domain_errors
def submit(request, slug: str):
    context = competition_context(request, slug, "submit")
    competition, me = context["competition"], context["me"]
    form = SubmissionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.user.is_authenticated and form.is_valid():
        try:
            submission_create(
                user=request.user,
                competition=competition,
                file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            # A problem inside the file is known only once it is scored: the list shows it.
            messages.success(  # scoring-note: My Submissions updates it once the row is final
                request, "Submission received. It is being scored now.", extra_tags="scoring-note"
            )
            target = reverse("web:my_submissions", kwargs={"slug": slug})
            if request.headers.get("X-Podium-Upload") == "1":  # the page's progress-bar upload
                return JsonResponse({"redirect": target})
            return redirect(target)
    if me.team is not None:
        context["quota"] = submission_selectors.quota(team=me.team, competition=competition)
    context["form"] = form
    return render(request, "web/competition/submit.html", context)


@login_required
@shows_domain_errors
def my_submissions(request, slug: str):
    context = competition_context(request, slug, "submissions")
    team = context["me"].team
    rows = submission_selectors.team_submissions(team=team, viewer=request.user) if team else []
    context["rows"] = rows
    context["show_private"] = submission_selectors.private_visible(
        viewer=request.user, competition=context["competition"]
    )
    if team is not None:
        context["final"] = submission_selectors.final_selection_state(
            team=team, competition=context["competition"]
        )
        context["counted"] = board_selectors.team_private_entry(team=team, viewer=request.user)
        competition = context["competition"]
        context["chart"] = charts.line_chart(
            [charts.Series(team.name, board_selectors.team_score_history(team), highlight=True)],
            title=f"{team.name}: best public score over time ({metric_label(competition).name})",
            until=min(now(), competition.end_at),
            legend=False,
            width=1040,
            height=220,
            empty_message="Your team's best public score shows here once a submission is scored.",
        )
    return render(request, "web/competition/submissions.html", context)


@require_POST
@login_required
@shows_domain_errors
def final_selection(request, slug: str):
    """The ticked boxes of My Submissions (none: clear the selection) go to the service."""
    competition = competition_selectors.competition_get(slug=slug, user=request.user)
    team = team_selectors.require_team(user=request.user, competition=competition)
    try:
        ids = [int(value) for value in request.POST.getlist("submission")]
    except ValueError:
        messages.error(request, "Choose your final submissions from the list.")
        return redirect("web:my_submissions", slug=slug)
    try:
        chosen = final_selection_set(user=request.user, team=team, submission_ids=ids)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if chosen:
            numbers = ", ".join(str(selection.submission_id) for selection in chosen)
            messages.success(request, f"Your final selection is saved: submission(s) {numbers}.")
        else:
            messages.success(
                request,
                "Your final selection is cleared: your best public submissions will be used.",
            )
    return redirect("web:my_submissions", slug=slug)


def submission_status(request, submission_id: int):
    """One row of My Submissions as HTML: the page swaps it in until the row is final."""
    submission = submission_selectors.submission_get(
        submission_id=submission_id, viewer=request.user
    )
    if submission is None:
        raise Http404("No such submission.")
    final = submission_selectors.final_selection_state(
        team=submission.team, competition=submission.competition
    )
    row = submission_selectors.submission_view(submission, viewer=request.user, selection=final)
    context = {
        "s": row,
        "competition": submission.competition,
        "final": final,
        "show_private": submission_selectors.private_visible(
            viewer=request.user, competition=submission.competition
        ),
    }
    return render(request, "web/competition/_submission_row.html", context)


@login_required
@shows_domain_errors
def submission_file(request, slug: str, submission_id: int):
    """A submission's file, for any member of its team (the predictions a team ensembles) and
    its organizers; another team's is a 404, as if it did not exist."""
    competition = competition_selectors.competition_get(slug=slug, user=request.user)
    submission = submission_selectors.submission_file_get(
        submission_id=submission_id, competition=competition, viewer=request.user
    )
    response = download_response(
        submission.file, filename=submission.original_name, content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
