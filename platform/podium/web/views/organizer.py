"""The organizer dashboard of a competition: how its submissions go, what fails, what is stuck,
the rescoring, and the button that reveals the private leaderboard. Its organizers only (and
superusers): anyone else gets the service's refusal."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from podium.competitions import selectors as competition_selectors
from podium.core.errors import DomainError
from podium.core.timeutils import now
from podium.leaderboards import selectors as board_selectors
from podium.leaderboards.reveal import leaderboard_reveal_confirmed
from podium.submissions import selectors as submission_selectors
from podium.web import charts
from podium.web.errors import shows_domain_errors
from podium.web.views.common import competition_context

DAYS = 30  # the submissions-per-day chart's span


@login_required
@shows_domain_errors
def dashboard(request, slug: str):
    context = competition_context(request, slug, "dashboard")
    competition = context["competition"]
    competition_selectors.require_organizer(
        user=request.user, competition=competition, to="see its dashboard"
    )
    moment = now()
    last = min(moment, max(competition.end_at, competition.start_at)).date()
    if moment.date() > last:  # over: the chart shows the end and a week after it
        last = min(moment.date(), last + timedelta(days=7))
    first = max(competition.start_at.date(), last - timedelta(days=DAYS - 1))
    per_day = submission_selectors.submissions_per_day(
        competition=competition, since=datetime.combine(first, time.min, tzinfo=UTC)
    )
    precision = competition.score_display_precision
    context.update(
        counts=submission_selectors.status_counts(competition=competition),
        teams=board_selectors.board_size(competition=competition),
        failures=submission_selectors.failures_by_error_code(competition=competition),
        stuck=submission_selectors.stuck_submissions(competition=competition, moment=moment),
        rescore=submission_selectors.rescore_progress(competition),
        per_day_chart=charts.bar_chart(
            charts.daily_bars(per_day, first=first, last=max(first, last)),
            title="Submissions per day (UTC): scored or waiting, and failed on top",
            empty_message="No submissions yet.",
            width=520,
            height=240,
        ),
        distribution_chart=charts.histogram(
            submission_selectors.public_scores(competition=competition),
            title=f"Public scores of all scored submissions ({competition.metric})",
            width=520,
            height=240,
        ),
        can_reveal=competition.private_revealed_at is None and moment >= competition.end_at,
        precision=precision,
    )
    return render(request, "web/competition/dashboard.html", context)


@login_required
@shows_domain_errors
def reveal(request, slug: str):
    """The reveal's confirmation page (GET), and the reveal (POST): irreversible, so the
    organizer types the competition's slug (``leaderboard_reveal_confirmed``); a wrong text, or
    the service's refusal (before the end, scoring still running), shows again on the page."""
    context = competition_context(request, slug, "dashboard")
    competition = context["competition"]
    competition_selectors.require_organizer(
        user=request.user, competition=competition, to="reveal its private leaderboard"
    )
    if competition.private_revealed_at is not None:
        messages.success(request, "The private leaderboard was already revealed.")
        return redirect("web:leaderboard_private", slug=slug)
    status = 200
    if request.method == "POST":
        try:
            leaderboard_reveal_confirmed(
                competition=competition, by=request.user, typed=request.POST.get("confirm", "")
            )
        except DomainError as exc:
            context["refusal"] = exc.message
            status = exc.status
        else:
            messages.success(request, "The private leaderboard is revealed: everyone sees it now.")
            return redirect("web:leaderboard_private", slug=slug)
    context.update(
        teams=board_selectors.board_size(competition=competition),
        can_reveal=now() >= competition.end_at,
        typed=request.POST.get("confirm", ""),
    )
    return render(request, "web/competition/reveal_confirm.html", context, status=status)
