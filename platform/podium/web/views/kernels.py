"""The Kernels tab: the published kernels ("All", sorted by votes, recency or public score;
its organizers see every run) and the viewer's own ("Mine"), the launch form, a run's page with
its log following live (htmx polls a fragment of the chunks after the last one shown, until the
run is final), its votes, comments and copy's credit, cancelling, publishing, and the run's
downloads. Votes, comments and "Copy & edit" are ``kernel_community``'s views.

Who may see, launch, cancel or download what is the kernels app's to say (its selectors and
services); a refusal shows its message, word for word.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from podium.competitions import selectors as competition_selectors
from podium.core.errors import DomainError
from podium.core.files import download_response
from podium.kernels import selectors as kernel_selectors
from podium.kernels import services as kernel_services
from podium.kernels.models import KernelRun
from podium.web.errors import shows_domain_errors
from podium.web.forms import KernelLaunchForm
from podium.web.views.common import competition_context

OCTETS = "application/octet-stream"
LOG_CHUNKS = 500  # per poll; a page with more keeps polling at once


@shows_domain_errors
def kernels(request, slug: str):
    """GET: the list and the launch form. POST: launch (the service decides who may)."""
    context = competition_context(request, slug, "kernels")
    competition, user = context["competition"], request.user
    if request.method == "POST" and not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = KernelLaunchForm(
        request.POST or None,
        request.FILES or None,
        baselines=kernel_selectors.available_baselines(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = kernel_services.kernel_launch(
                user=user,
                competition=competition,
                baseline=data["baseline"],
                config=data["config"],
                script=data["script"],
                title=data["title"],
                publish=data["publish"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Kernel run {run.pk} is queued: its log shows here live.")
            return redirect("web:kernel", slug=slug, run_id=run.pk)
    organizer = kernel_selectors.is_organizer(user, competition)
    team = context["me"].team
    tab = request.GET.get("tab", "all")
    tab = tab if tab in kernel_selectors.TABS else "all"
    sort = request.GET.get("sort", "votes")
    sort = sort if sort in kernel_selectors.SORTS else "votes"
    context.update(
        form=form,
        organizer=organizer,
        may_launch=kernel_selectors.may_launch(user, competition),
        list_tab=tab,
        sort=sort,
        kernel_tab_choices=[("all", "All"), ("mine", "Mine")],
        kernel_sort_choices=[("votes", "Most votes"), ("recent", "Recent"), ("score", "Score")],
        cards=kernel_selectors.kernel_cards(
            competition=competition, viewer=user, tab=tab, sort=sort
        ),
        quota=None
        if organizer or team is None
        else kernel_selectors.team_quota(competition=competition, team=team),
    )
    status = 400 if form.errors else 200
    return render(request, "web/competition/kernels.html", context, status=status)


def _run(request, competition, run_id: int) -> KernelRun:
    return kernel_selectors.run_get(run_id=run_id, viewer=request.user, competition=competition)


def _summary(request, competition, run: KernelRun) -> dict:
    """What the run's summary shows (the page, and each poll of its log: the status changes)."""
    return {
        "run": run,
        "row": kernel_selectors.run_row(run=run),
        "downloads": kernel_selectors.run_downloads(run=run),
        "can_manage": kernel_selectors.can_manage(request.user, run),
        "organizer": kernel_selectors.is_organizer(request.user, competition),
    }


def _log(run: KernelRun, after: int) -> dict:
    # The status is read before the chunks: a run final by then has written all of its log.
    chunks = kernel_selectors.run_log(run=run, after=after, limit=LOG_CHUNKS)
    return {
        "chunks": chunks,
        "next_after": chunks[-1].seq if chunks else after,
        "polling": not run.finished or len(chunks) == LOG_CHUNKS,
    }


@shows_domain_errors
def kernel(request, slug: str, run_id: int):
    context = competition_context(request, slug, "kernels")
    competition = context["competition"]
    run = _run(request, competition, run_id)
    context.update(_summary(request, competition, run))
    context.update(_log(run, 0))
    user = request.user
    context.update(
        card=kernel_selectors.kernel_card(run=run, viewer=user),
        credit=kernel_selectors.copy_credit(run=run, viewer=user),
        comments=kernel_selectors.kernel_comments(run=run),
        may_vote=user.is_authenticated and run.published and run.created_by_id != user.pk,
    )
    return render(request, "web/competition/kernel.html", context)


@shows_domain_errors
def kernel_log(request, slug: str, run_id: int):
    """The log's chunks after ``?after=`` as HTML, and the run's summary (out of band); while
    the run is not final, the element that polls again for the chunks after these."""
    competition = competition_selectors.competition_get(slug=slug, user=request.user)
    run = _run(request, competition, run_id)
    try:
        after = max(0, min(int(request.GET.get("after", "0")), 2**31))
    except ValueError:
        after = 0
    context = {
        "competition": competition,
        "oob": True,
        **_summary(request, competition, run),
        **_log(run, after),
    }
    return render(request, "web/competition/_kernel_log.html", context)


def _do(request, slug: str, run_id: int, action: Callable[[KernelRun], str]):
    """One service call on the run; back to its page with what was done, or the refusal."""
    competition = competition_selectors.competition_get(slug=slug, user=request.user)
    run = _run(request, competition, run_id)
    try:
        messages.success(request, action(run))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("web:kernel", slug=slug, run_id=run_id)


@require_POST
@login_required
@shows_domain_errors
def cancel(request, slug: str, run_id: int):
    def action(run: KernelRun) -> str:
        done = kernel_services.kernel_cancel(user=request.user, run=run)
        if done.status == KernelRun.Status.CANCELLED:
            return "The run is cancelled."
        return "The run is being stopped: its worker kills it within a few seconds."

    return _do(request, slug, run_id, action)


@require_POST
@login_required
@shows_domain_errors
def publish(request, slug: str, run_id: int):
    published = request.POST.get("published", "1") == "1"

    def action(run: KernelRun) -> str:
        kernel_services.kernel_publish(user=request.user, run=run, published=published)
        if published:
            return "The run is published: participants see it and may download its files."
        return "The run is unpublished: only the organizers and its team see it."

    return _do(request, slug, run_id, action)


@shows_domain_errors
def download(request, slug: str, run_id: int, what: str):
    competition = competition_selectors.competition_get(slug=slug, user=request.user)
    run = _run(request, competition, run_id)
    stored = kernel_selectors.run_stored_file(run=run, what=what)
    if stored is not None:  # streamed from the disk, or a redirect to S3
        response = download_response(stored[1], filename=stored[0], content_type=OCTETS)
        response["X-Content-Type-Options"] = "nosniff"
        return response
    name, content = kernel_selectors.run_download(run=run, what=what)
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
