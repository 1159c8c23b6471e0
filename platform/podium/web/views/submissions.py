"""Submit, My Submissions, and the status fragment that the page polls while scoring runs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from podium.core.errors import DomainError
from podium.submissions import selectors as submission_selectors
from podium.submissions.services import submission_create
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
                user=request.user, competition=competition, file=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            # A problem inside the file is known only once it is scored: the list shows it.
            messages.success(request, "Submission received. It is being scored now.")
            return redirect("web:my_submissions", slug=slug)
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
    return render(request, "web/competition/submissions.html", context)


def submission_status(request, submission_id: int):
    """One row of My Submissions as HTML: the page swaps it in until the row is final."""
    submission = submission_selectors.submission_get(
        submission_id=submission_id, viewer=request.user
    )
    if submission is None:
        raise Http404("No such submission.")
    row = submission_selectors.submission_view(submission, viewer=request.user)
    context = {
        "s": row, "competition": submission.competition,
        "show_private": submission_selectors.private_visible(
            viewer=request.user, competition=submission.competition
        ),
    }
    return render(request, "web/competition/_submission_row.html", context)
