"""Kernels as a community, the pages' half: voting (from the list or a run's page), comments
on a run's page (create, and edit by their author), and "Copy & edit" (a form prefilled with
the source's config or script, launched in the caller's name).

The kernels app decides who may do what (``kernels.services``: votes, comments, copies); a
refusal shows its message, word for word. Plain forms and redirects: no script needed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from podium.competitions import selectors as competition_selectors
from podium.core.errors import DomainError
from podium.kernels import selectors as kernel_selectors
from podium.kernels import services as kernel_services
from podium.kernels.models import KernelRun
from podium.web.errors import shows_domain_errors
from podium.web.views.common import competition_context

SCRIPT_EDIT_MAX_CHARS = 1024 * 1024


def _run(request, slug: str, run_id: int) -> KernelRun:
    competition = competition_selectors.competition_get(slug=slug, user=request.user)
    return kernel_selectors.run_get(run_id=run_id, viewer=request.user, competition=competition)


def _back(request, run: KernelRun):
    """Where the form came from (the list or the run's page), if it is on this site."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("web:kernel", slug=run.competition.slug, run_id=run.pk)


@require_POST
@login_required
@shows_domain_errors
def vote(request, slug: str, run_id: int):
    """``vote=1`` votes, ``vote=0`` withdraws the vote."""
    run = _run(request, slug, run_id)
    try:
        if request.POST.get("vote", "1") == "0":
            kernel_services.kernel_unvote(user=request.user, run=run)
        else:
            kernel_services.kernel_vote(user=request.user, run=run)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, run)


@require_POST
@login_required
@shows_domain_errors
def comment_create(request, slug: str, run_id: int):
    run = _run(request, slug, run_id)
    try:
        comment = kernel_services.kernel_comment_create(
            user=request.user, run=run, body=request.POST.get("body", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("web:kernel", args=[slug, run.pk]) + "#comments")
    return redirect(reverse("web:kernel", args=[slug, run.pk]) + f"#comment-{comment.pk}")


@require_POST
@login_required
@shows_domain_errors
def comment_edit(request, slug: str, run_id: int, comment_id: int):
    run = _run(request, slug, run_id)
    comment = kernel_selectors.comment_get(comment_id=comment_id, viewer=request.user)
    if comment is None or comment.run_id != run.pk:
        raise Http404("There is no such comment.")
    try:
        kernel_services.kernel_comment_edit(
            user=request.user, comment=comment, body=request.POST.get("body", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your comment is saved.")
    return redirect(reverse("web:kernel", args=[slug, run.pk]) + f"#comment-{comment.pk}")


def _script_text(run: KernelRun) -> str | None:
    """An uploaded script's text for the form (None: not text, or too long to edit here)."""
    if run.source != KernelRun.Source.SCRIPT or not run.script:
        return None
    with run.script.open("rb") as stored:
        code = stored.read(SCRIPT_EDIT_MAX_CHARS + 1)
    if len(code) > SCRIPT_EDIT_MAX_CHARS:
        return None
    try:
        return code.decode()
    except UnicodeDecodeError:
        return None


@login_required
@shows_domain_errors
def copy(request, slug: str, run_id: int):
    """GET: the form, prefilled with the source's title and its config or script. POST: the
    new run (the launch rules and quotas apply), then its page."""
    context = competition_context(request, slug, "kernels")
    source = kernel_selectors.run_get(
        run_id=run_id, viewer=request.user, competition=context["competition"]
    )
    baseline = source.source == KernelRun.Source.BASELINE
    script = None if baseline else _script_text(source)
    # A textarea sends CRLF line ends: the copy keeps the source's LF ones.
    values = {
        "title": request.POST.get("title", source.title),
        "config": request.POST.get("config", source.config).replace("\r\n", "\n"),
        "script": request.POST.get("script", script or "").replace("\r\n", "\n"),
    }
    error = ""
    if request.method == "POST":
        try:
            run = kernel_services.kernel_copy(
                user=request.user,
                source=source,
                title=values["title"],
                config=values["config"] if baseline else None,
                script_text=values["script"] if not baseline and script is not None else None,
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"Kernel run {run.pk} is queued: a copy of “{source.title}”.")
            return redirect("web:kernel", slug=slug, run_id=run.pk)
    context.update(
        source=source,
        baseline=baseline,
        script_editable=script is not None,
        values=values,
        error=error,
        may_launch=kernel_selectors.may_launch(request.user, context["competition"]),
    )
    return render(
        request, "web/competition/kernel_copy.html", context, status=400 if error else 200
    )
