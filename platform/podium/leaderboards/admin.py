"""The boards as organizers see them: read-only, in board order, disqualified teams marked; and
the competitions' admin extended with the final results (the reveal, the private board's CSV).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.template.response import TemplateResponse

from podium.competitions.admin import CompetitionAdmin
from podium.competitions.admin_scope import OrganizerScopedAdmin
from podium.competitions.models import Competition
from podium.core.admin_readonly import ReadOnlyAdmin
from podium.core.display import score_text
from podium.core.errors import DomainError
from podium.core.exports import csv_response
from podium.leaderboards.models import LeaderboardEntry, PrivateEntry
from podium.leaderboards.reveal import leaderboard_reveal_confirmed
from podium.leaderboards.selectors import private_board_rows, private_board_visible

PRIVATE_BOARD_CSV_HEADER = [
    "rank",
    "move",
    "team",
    "members",
    "private_score",
    "public_rank",
    "public_score",
    "submission_id",
]


@admin.register(LeaderboardEntry)
class LeaderboardEntryAdmin(ReadOnlyAdmin, OrganizerScopedAdmin, admin.ModelAdmin):
    list_display = (
        "competition",
        "team",
        "score_display",
        "entries",
        "best_submitted_at",
        "last_submission_at",
        "disqualified",
    )
    list_display_links = ("team",)
    list_filter = (("competition", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("competition", "team")
    search_fields = ("team__name",)
    # Board order; ties go to the earlier best submission, as in rank_of.
    ordering = ("competition", "-sort_key", "best_submitted_at", "team_id")
    fields = (
        "competition",
        "team",
        "best_submission",
        "best_public_score",
        "best_submitted_at",
        "entries",
        "last_submission_at",
    )
    readonly_fields = fields

    @admin.display(description="best public score", ordering="-sort_key")
    def score_display(self, obj: LeaderboardEntry) -> str:
        return score_text(obj.best_public_score, obj.competition.score_display_precision)

    @admin.display(description="disqualified", boolean=True)
    def disqualified(self, obj: LeaderboardEntry) -> bool:
        return obj.team.disqualified_at is not None


@admin.register(PrivateEntry)
class PrivateEntryAdmin(ReadOnlyAdmin, OrganizerScopedAdmin, admin.ModelAdmin):
    """Rows are written by ``private_board_build`` only; organizers of the competition read them."""

    list_display = (
        "competition",
        "rank",
        "team",
        "private_display",
        "public_rank",
        "public_display",
        "submission",
        "built_at",
    )
    list_display_links = ("team",)
    list_filter = (("competition", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("competition", "team")
    search_fields = ("team__name",)
    ordering = ("competition", "rank")
    fields = (
        "competition",
        "team",
        "rank",
        "submission",
        "private_score",
        "submitted_at",
        "public_rank",
        "public_score",
        "built_at",
    )
    readonly_fields = fields

    @admin.display(description="private score", ordering="rank")
    def private_display(self, obj: PrivateEntry) -> str:
        return score_text(obj.private_score, obj.competition.score_display_precision)

    @admin.display(description="public score")
    def public_display(self, obj: PrivateEntry) -> str:
        return score_text(obj.public_score, obj.competition.score_display_precision)


class CompetitionResultsAdmin(CompetitionAdmin):
    """The competitions' admin with the final results: how and when the private board is
    revealed, the reveal itself, and the private board's CSV. A subclass registered in place of
    ``CompetitionAdmin``, so the competitions app needs nothing of the boards."""

    actions = [*CompetitionAdmin.actions, "reveal_private_board", "export_private_board_csv"]
    readonly_fields = (*CompetitionAdmin.readonly_fields, "private_revealed_at")
    fieldsets = [
        *CompetitionAdmin.fieldsets,
        (
            "Final results",
            {
                "fields": [
                    "auto_reveal_private",
                    "reveal_at",
                    "final_selection_fallback",
                    "private_revealed_at",
                ],
            },
        ),
    ]

    @admin.action(description="Reveal the private leaderboard", permissions=["change"])
    def reveal_private_board(self, request, queryset: QuerySet[Competition]):
        """An intermediate page first: the reveal cannot be undone, so each competition's slug
        is typed (``leaderboard_reveal_confirmed``, as on the dashboard's page)."""
        competitions = list(queryset)
        if request.POST.get("post") == "yes":
            for competition in competitions:
                typed = request.POST.get(f"confirm_{competition.pk}", "")
                try:
                    revealed = leaderboard_reveal_confirmed(
                        competition=competition, by=request.user, typed=typed
                    )
                except DomainError as exc:
                    message = f"{competition.title}: {exc.message}"
                    self.message_user(request, message, messages.ERROR)
                    continue
                if revealed:
                    message = f"The private leaderboard of {competition.title} is revealed."
                    self.message_user(request, message, messages.SUCCESS)
                else:
                    message = (
                        f"The private leaderboard of {competition.title} was already revealed."
                    )
                    self.message_user(request, message, messages.INFO)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reveal the private leaderboard",
            "opts": self.model._meta,
            "media": self.media,
            "competitions": competitions,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/competitions/competition/reveal_confirmation.html", context
        )

    @admin.action(description="Export private leaderboard as CSV", permissions=["view"])
    def export_private_board_csv(self, request, queryset: QuerySet[Competition]):
        if queryset.count() != 1:
            message = "Select exactly one competition to export its private leaderboard."
            self.message_user(request, message, messages.WARNING)
            return None
        competition = queryset.get()
        if not private_board_visible(competition=competition, viewer=request.user):
            message = f"Only the organizers of {competition.title} see its private leaderboard."
            self.message_user(request, message, messages.ERROR)
            return None
        rows = (
            (
                r.rank,
                r.move,
                r.team_name,
                ", ".join(r.members),
                r.private_score,
                r.public_rank,
                r.public_score,
                r.submission_id,
            )
            for r in private_board_rows(competition=competition, viewer=request.user)
        )
        filename = f"{competition.slug}-private-leaderboard.csv"
        return csv_response(PRIVATE_BOARD_CSV_HEADER, rows, filename)


admin.site.unregister(Competition)
admin.site.register(Competition, CompetitionResultsAdmin)
