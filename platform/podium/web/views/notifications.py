"""The notifications page (/notifications/), opening one (marks it read, then goes to its
page), "mark all read", and the email preferences page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from podium.notifications import selectors, services
from podium.notifications.models import DEFAULT_DELIVERY, Delivery, Kind
from podium.web.errors import shows_domain_errors

PAGE_SIZE = 25


@login_required
def notifications(request):
    found = selectors.notifications_of(user=request.user).select_related("actor")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "unread": selectors.unread_count(user=request.user)}
    return render(request, "web/notifications/list.html", context)


@login_required
@shows_domain_errors
def notification_open(request, notification_id: int):
    """A GET, so the link works as a link (new tab, middle click): it only marks the caller's
    own notification read, which a forged request cannot make worse."""
    found = services.notification_open(user=request.user, notification_id=notification_id)
    # A stored url is a path on this site; anything else goes back to the list.
    if found.url.startswith("/") and url_has_allowed_host_and_scheme(
        found.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(found.url)
    return redirect("web:notifications")


@require_POST
@login_required
def mark_all_read(request):
    marked = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"{marked} notification{'' if marked == 1 else 's'} marked read.")
    return redirect("web:notifications")


@login_required
@shows_domain_errors
def preferences(request):
    if request.method == "POST":
        chosen = {kind.value: request.POST.get(kind.value, "") for kind in Kind}
        services.preferences_set(user=request.user, choices={k: v for k, v in chosen.items() if v})
        messages.success(request, "Your notification settings are saved.")
        return redirect(reverse("web:notification_preferences"))
    current = selectors.preferences_of(user=request.user)
    rows = [
        {
            "kind": kind.value,
            "label": kind.label,
            "current": current[kind.value],
            "default": DEFAULT_DELIVERY[kind],
        }
        for kind in Kind
    ]
    context = {"rows": rows, "deliveries": Delivery.choices}
    return render(request, "web/notifications/preferences.html", context)
