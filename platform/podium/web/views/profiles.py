"""A user's public profile (/users/<username>/: tier, site rank, medals; tabs for their
competitions, discussion posts and kernels) and the site ranking (/rankings/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from podium.accounts.profiles import profile_bio_set
from podium.core.errors import DomainError
from podium.progression import community
from podium.progression import selectors as progression
from podium.web.errors import shows_domain_errors

TABS = ("competitions", "discussion", "kernels")


@shows_domain_errors
def user_profile(request, username: str):
    profile = progression.user_profile(username=username)
    tab = request.GET.get("tab", "")
    tab = tab if tab in TABS else TABS[0]
    context = {"profile": profile, "tab": tab, "tabs": TABS}
    viewer, author = request.user, profile.user
    if tab == "competitions":
        context["results"] = progression.user_results(user=author, viewer=viewer)
    elif tab == "discussion":
        context["posts"] = community.author_posts(author=author, viewer=viewer, limit=20)
    else:
        context["kernels"] = community.author_kernels(author=author, viewer=viewer)
    return render(request, "web/profiles/profile.html", context)


def _page_number(text: str | None, pages: int) -> int:
    try:
        return min(max(int(text or 1), 1), max(pages, 1))
    except ValueError:
        return 1


def rankings(request):
    total = progression.ranked_users()
    size = progression.RANKING_PAGE_SIZE
    pages = max((total + size - 1) // size, 1)
    number = _page_number(request.GET.get("page"), pages)
    rows, _ = progression.ranking_page(page=number, size=size)
    context = {"rows": rows, "total": total, "number": number, "pages": pages}
    return render(request, "web/profiles/rankings.html", context)


@require_POST
@login_required
def bio_edit(request):
    """The account page's bio form: plain text, shown escaped on the public profile."""
    try:
        profile_bio_set(user=request.user, bio=request.POST.get("bio", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your bio is saved: it shows on your public profile.")
    return redirect(reverse("web:profile") + "#bio")
