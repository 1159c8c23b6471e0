"""The Discussion tab of a competition, the site forum (/discussion/), a topic's page, and a
team's private thread (from the Team tab).

Every form posts to a view that calls one service and comes back with its message (or its
refusal, word for word). Votes answer htmx with the vote button alone, a plain form POST with
a redirect to the post.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from podium.competitions import selectors as competition_selectors
from podium.core.errors import DomainError, NotFound
from podium.discussion import selectors, services
from podium.discussion.error_codes import DiscussionErrorCode
from podium.teams import selectors as team_selectors
from podium.web.errors import shows_domain_errors
from podium.web.views.common import competition_context


def _forum(request, slug: str | None) -> dict:
    """The page's frame: a competition's tab (its header and tabs), or the site forum."""
    if slug is None:
        return {"competition": None, "base_template": "web/base.html"}
    context = competition_context(request, slug, "discussion")
    context["base_template"] = "web/competition/base.html"
    return context


def _list_url(competition) -> str:
    if competition is None:
        return reverse("web:site_discussion")
    return reverse("web:discussion", args=[competition.slug])


def _topic_url(competition, topic_id: int) -> str:
    if competition is None:
        return reverse("web:site_topic", args=[topic_id])
    return reverse("web:topic", args=[competition.slug, topic_id])


def _page(request) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


def _topics(request, slug: str | None):
    context = _forum(request, slug)
    competition = context["competition"]
    form = {"title": "", "body": "", "kind": "discussion"}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("title", "body", "kind")}
        try:
            topic = _create(request, competition, form)
        except DomainError as exc:
            context["form_error"] = exc.message
        else:
            messages.success(request, "Your topic is posted.")
            return redirect(_topic_url(competition, topic.pk))
    context["page"] = selectors.topic_list(
        viewer=request.user,
        competition=competition,
        sort=request.GET.get("sort", "hot"),
        filter=request.GET.get("filter", "all"),
        query=request.GET.get("q", ""),
        page=_page(request),
    )
    context.update(
        form=form,
        sorts=selectors.SORTS,
        filters=selectors.FILTERS if competition else ("all", "announcements"),
        list_url=_list_url(competition),
        may_announce=_may_announce(request.user, competition),
        may_write_up=bool(competition and competition.private_is_revealed),
    )
    status = 400 if "form_error" in context else 200
    return render(request, "web/discussion/list.html", context, status=status)


def _may_announce(user, competition) -> bool:
    return competition is not None and competition_selectors.is_organizer(user, competition)


def _create(request, competition, form: dict):
    args = {"user": request.user, "title": form["title"], "body": form["body"]}
    if competition is not None and form["kind"] == "announcement":
        return services.announcement_create(competition=competition, **args)
    if competition is not None and form["kind"] == "writeup":
        return services.writeup_create(competition=competition, **args)
    return services.topic_create(competition=competition, **args)


@shows_domain_errors
def discussion(request, slug: str):
    return _topics(request, slug)


@shows_domain_errors
def site_discussion(request):
    return _topics(request, None)


def _topic_page(request, slug: str | None, topic_id: int):
    context = _forum(request, slug)
    competition = context["competition"]
    topic = selectors.topic_get(topic_id=topic_id, viewer=request.user, competition=competition)
    body = ""
    if request.method == "POST":
        body = request.POST.get("body", "")
        if not request.user.is_authenticated:
            return redirect(f"{reverse('web:login')}?next={request.path}")
        answers = None
        if request.POST.get("answers"):
            answers = selectors.reply_get(reply_id=_int(request.POST["answers"]), topic=topic)
        try:
            reply = services.reply_create(
                user=request.user, topic=topic, body=body, answers=answers
            )
        except DomainError as exc:
            context["form_error"] = exc.message
        else:
            return redirect(f"{_topic_url(competition, topic.pk)}#reply-{reply.pk}")
    context.update(
        detail=selectors.topic_page(topic=topic, viewer=request.user),
        body=body,
        list_url=_list_url(competition),
        topic_url=_topic_url(competition, topic.pk),
        editing=request.GET.get("edit", ""),
    )
    status = 400 if "form_error" in context else 200
    return render(request, "web/discussion/topic.html", context, status=status)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise NotFound(DiscussionErrorCode.REPLY_NOT_FOUND, "There is no such reply.") from None


@shows_domain_errors
def topic(request, slug: str, topic_id: int):
    return _topic_page(request, slug, topic_id)


@shows_domain_errors
def site_topic(request, topic_id: int):
    return _topic_page(request, None, topic_id)


# -- actions on a post: vote, report, edit, moderation --------------------------------------------

ACTIONS = {
    "vote": "Your vote is counted.",
    "unvote": "Your vote is withdrawn.",
    "report": "Thank you: the moderators will look at it.",
    "edit": "Your post is updated.",
    "pin": "The topic is pinned.",
    "unpin": "The topic is no longer pinned.",
    "lock": "The topic is locked.",
    "unlock": "The topic is open again.",
    "hide": "The post is hidden.",
    "unhide": "The post shows again.",
}


def _act(request, slug: str | None, topic_id: int, act: str, reply_id: int | None = None):
    if act not in ACTIONS:
        raise NotFound(DiscussionErrorCode.TOPIC_NOT_FOUND, f"There is nothing called {act!r}.")
    competition = _forum(request, slug)["competition"] if slug else None
    topic = selectors.topic_get(topic_id=topic_id, viewer=request.user, competition=competition)
    reply = selectors.reply_get(reply_id=reply_id, topic=topic) if reply_id else None
    post = {"reply": reply} if reply is not None else {"topic": topic}
    back = _topic_url(competition, topic.pk) + (f"#reply-{reply.pk}" if reply else "")
    user, data = request.user, request.POST
    try:
        if act in ("vote", "unvote"):
            cast = services.vote_cast if act == "vote" else services.vote_withdraw
            count = cast(user=user, **post)
            if request.headers.get("HX-Request"):
                base = request.path.rsplit(f"{act}/", 1)[0]
                context = {"count": count, "voted": act == "vote", "base": base, "pk": None}
                return render(request, "web/discussion/_vote.html", context)
        elif act == "report":
            services.post_report(user=user, reason=data.get("reason", ""), **post)
        elif act == "edit":
            title = data.get("title") if reply is None else None
            services.post_edit(user=user, body=data.get("body", ""), title=title, **post)
        elif act in ("pin", "unpin"):
            services.topic_pin(user=user, topic=topic, pinned=act == "pin")
        elif act in ("lock", "unlock"):
            services.topic_lock(user=user, topic=topic, locked=act == "lock")
        elif act == "hide":
            services.post_hide(user=user, **post)
        else:
            services.post_unhide(user=user, **post)
    except DomainError as exc:
        if request.headers.get("HX-Request"):
            context = {"error": exc}
            return render(request, "web/discussion/_refusal.html", context, status=exc.status)
        messages.error(request, exc.message)
    else:
        messages.success(request, ACTIONS[act])
    return redirect(back)


@require_POST
@login_required
@shows_domain_errors
def topic_action(request, slug: str, topic_id: int, act: str):
    return _act(request, slug, topic_id, act)


@require_POST
@login_required
@shows_domain_errors
def reply_action(request, slug: str, topic_id: int, reply_id: int, act: str):
    return _act(request, slug, topic_id, act, reply_id)


@require_POST
@login_required
@shows_domain_errors
def site_topic_action(request, topic_id: int, act: str):
    return _act(request, None, topic_id, act)


@require_POST
@login_required
@shows_domain_errors
def site_reply_action(request, topic_id: int, reply_id: int, act: str):
    return _act(request, None, topic_id, act, reply_id)


# -- the team's thread ----------------------------------------------------------------------------


@login_required
@shows_domain_errors
def team_thread(request, slug: str):
    context = competition_context(request, slug, "team")
    competition = context["competition"]
    team = team_selectors.require_team(user=request.user, competition=competition)
    body = ""
    if request.method == "POST":
        body = request.POST.get("body", "")
        try:
            reply = services.team_thread_post(user=request.user, team=team, body=body)
        except DomainError as exc:
            context["form_error"] = exc.message
        else:
            return redirect(f"{reverse('web:team_thread', args=[slug])}#reply-{reply.pk}")
    thread = selectors.team_thread(team=team, viewer=request.user)
    context.update(
        team=team,
        detail=selectors.topic_page(topic=thread, viewer=request.user) if thread else None,
        body=body,
    )
    status = 400 if "form_error" in context else 200
    return render(request, "web/discussion/team_thread.html", context, status=status)
