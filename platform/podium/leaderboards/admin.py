"""The public board as organizers see it: read-only, in board order, disqualified teams marked."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from podium.competitions.admin_scope import OrganizerScopedAdmin
from podium.core.display import score_text
from podium.leaderboards.models import LeaderboardEntry


@admin.register(LeaderboardEntry)
class LeaderboardEntryAdmin(OrganizerScopedAdmin, admin.ModelAdmin):
    list_display = (
        "competition", "team", "score_display", "entries", "best_submitted_at",
        "last_submission_at", "disqualified",
    )
    list_display_links = ("team",)
    list_filter = (("competition", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("competition", "team")
    search_fields = ("team__name",)
    # Board order; ties go to the earlier best submission, as in rank_of.
    ordering = ("competition", "-sort_key", "best_submitted_at", "team_id")
    fields = (
        "competition", "team", "best_submission", "best_public_score", "best_submitted_at",
        "entries", "last_submission_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Django asks this before cascading a competition's deletion: superusers may.
        return request.user.is_superuser

    @admin.display(description="best public score", ordering="-sort_key")
    def score_display(self, obj: LeaderboardEntry) -> str:
        return score_text(obj.best_public_score, obj.competition.score_display_precision)

    @admin.display(description="disqualified", boolean=True)
    def disqualified(self, obj: LeaderboardEntry) -> bool:
        return obj.team.disqualified_at is not None
