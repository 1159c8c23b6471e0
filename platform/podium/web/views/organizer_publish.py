"""The publish checklist of a draft, for its organizers: each item (met or not, what it means,
how to fix it) and the Publish button, which goes through ``lifecycle.competition_publish``
(the admin's Publish action does too). Anyone else gets the service's refusal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from podium.competitions import selectors as competition_selectors
from podium.competitions.checklist import publish_checklist
from podium.competitions.lifecycle import competition_publish
from podium.core.errors import DomainError
from podium.web.errors import shows_domain_errors
from podium.web.views.common import competition_context


@login_required
@shows_domain_errors
def publish(request, slug: str):
    context = competition_context(request, slug, "publish")
    competition = context["competition"]
    competition_selectors.require_organizer(
        user=request.user, competition=competition, to="publish it"
    )
    status = 200
    if request.method == "POST":
        try:
            competition_publish(competition=competition, by=request.user)
        except DomainError as exc:
            context["refusal"] = exc.message
            status = exc.status
        else:
            messages.success(request, f"{competition.title} is published: participants see it now.")
            return redirect("web:overview", slug=slug)
    is_draft = competition.status == competition.Status.DRAFT
    items = publish_checklist(competition=competition) if is_draft else []
    context.update(items=items, ready=all(item.ok for item in items), is_draft=is_draft)
    return render(request, "web/competition/publish.html", context, status=status)
