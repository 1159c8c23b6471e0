"""The competition form's people fields (organizers, invited users): a search, not a list.

A select listing every account would hand each organizer the whole user directory. The fields
use the admin's own autocomplete widget (select2, served by Django itself), pointed at
``user_search_view``, which answers only what ``selectors.user_search`` finds for the typed text;
the rendered form carries only the users already chosen.
"""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from podium.competitions import selectors

URL_NAME = "competitions_competition_user_search"
# field name -> whether it chooses co-hosts (the organizer role rule applies)
SEARCHED_FIELDS = {"organizers": True, "invited_users": False}


class UserSearchWidget(AutocompleteSelectMultiple):
    def get_url(self) -> str:
        return reverse(f"{self.admin_site.name}:{URL_NAME}")


def label(user) -> str:
    name = user.get_full_name()
    return f"{user.get_username()} ({name})" if name else user.get_username()


def user_search_view(model_admin, request: HttpRequest) -> JsonResponse:
    """select2's protocol: ?term=&page=&field_name= -> {results: [{id, text}], pagination}."""
    if not (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)):
        raise PermissionDenied
    field = request.GET.get("field_name", "")
    if field not in SEARCHED_FIELDS:
        choices = ", ".join(SEARCHED_FIELDS)
        return JsonResponse({"error": f"field_name must be one of: {choices}."}, status=400)
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        return JsonResponse({"error": "page must be a whole number."}, status=400)
    users, more = selectors.user_search(
        term=request.GET.get("term", ""),
        co_hosts=SEARCHED_FIELDS[field],
        by=request.user,
        page=page,
    )
    return JsonResponse(
        {
            "results": [{"id": str(user.pk), "text": label(user)} for user in users],
            "pagination": {"more": more},
        }
    )
