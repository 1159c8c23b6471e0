"""Who sees what in the admin: organizers see only the competitions they organize.

Every organizer-facing ModelAdmin and inline mixes this in, so private scores, answer keys and
teams of one competition never show to an organizer of another. Superusers see everything.
"""

from __future__ import annotations

from django.http import Http404

from podium.competitions import selectors
from podium.competitions.models import Competition


class OrganizerScopedQueryset:
    """Rows limited to the competitions the user organizes (all of them for a superuser)."""

    # The lookup from the admin's model to its competition; "" on Competition itself.
    competition_lookup = "competition"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        organized = selectors.competitions_organized(user=request.user).values("pk")
        if not self.competition_lookup:
            return qs.filter(pk__in=organized)
        return qs.filter(**{f"{self.competition_lookup}__in": organized})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Competition and not request.user.is_superuser:
            kwargs["queryset"] = selectors.competitions_organized(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OrganizerScopedAdmin(OrganizerScopedQueryset):
    """For ModelAdmins: a row outside the user's competitions is a 404 on every page."""

    def get_object(self, request, object_id, from_field=None):
        # Django redirects to the index for a row outside the queryset; a 404 says no more
        # about another competition than about a row that does not exist.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such object.")
        return obj
