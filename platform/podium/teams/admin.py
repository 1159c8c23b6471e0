"""The organizer's view of teams: members, counts, and a team's submission files."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from podium.competitions.admin_scope import OrganizerScopedAdmin, OrganizerScopedQueryset
from podium.core.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from podium.core.errors import DomainError
from podium.core.exports import zip_path, zip_response
from podium.teams import selectors
from podium.teams.models import Membership, Team

# The admin is the top layer: disqualifying takes a team off the boards (leaderboards).
from podium.workflows.disqualification import (
    REASON_CODES,
    REASON_MAX_LENGTH,
    team_disqualify,
    team_reinstate,
)


class DisqualifiedFilter(admin.SimpleListFilter):
    title = "disqualified"
    parameter_name = "disqualified"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in {"yes", "no"}:
            return queryset.filter(disqualified_at__isnull=self.value() == "no")
        return queryset


class MembershipInline(ReadOnlyInline, OrganizerScopedQueryset, admin.TabularInline):
    model = Membership
    fields = ("user", "created_at")
    readonly_fields = fields
    ordering = ("created_at",)
    extra = 0
    verbose_name = "member"


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin, OrganizerScopedAdmin, admin.ModelAdmin):
    """Read-only: teams are made by joining and merging (services), not in the admin."""

    inlines = [MembershipInline]
    list_display = (
        "name",
        "competition",
        "leader",
        "member_count_display",
        "submission_count_display",
        "is_baseline",
        "disqualified",
    )
    list_filter = (
        ("competition", admin.RelatedOnlyFieldListFilter),
        "is_baseline",
        DisqualifiedFilter,
    )
    list_select_related = ("competition", "leader")
    search_fields = ("name", "memberships__user__username")
    ordering = ("competition", "name")
    fields = (
        "name",
        "competition",
        "leader",
        "is_baseline",
        "disqualified_at",
        "disqualification_reason",
        "created_at",
    )
    readonly_fields = fields
    actions = ["download_submission_files", "disqualify_teams", "reinstate_teams"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return selectors.with_counts(super().get_queryset(request))

    @admin.display(description="members", ordering="member_count")
    def member_count_display(self, obj: Team) -> int:
        return obj.member_count

    @admin.display(description="submissions", ordering="submission_count")
    def submission_count_display(self, obj: Team) -> int:
        return obj.submission_count

    @admin.display(description="disqualified", boolean=True, ordering="disqualified_at")
    def disqualified(self, obj: Team) -> bool:
        return obj.disqualified_at is not None

    @admin.action(description="Download the team's submission files (zip)", permissions=["view"])
    def download_submission_files(self, request: HttpRequest, queryset: QuerySet[Team]):
        # Through the reverse relation: the teams app does not import submissions (layering).
        entries = [
            (zip_path(team.name, f"{s.pk}-{s.original_name}"), s.file)
            for team in queryset.order_by("name").prefetch_related("submissions")
            for s in sorted(team.submissions.all(), key=lambda s: s.pk)
        ]
        if not entries:
            self.message_user(request, "The selected teams have no submissions.", messages.WARNING)
            return None
        return zip_response(entries, "team-submissions.zip")

    # -- disqualification ------------------------------------------------------------------

    def has_disqualify_permission(self, request: HttpRequest) -> bool:
        # Organizers; the service refuses teams of competitions the user does not organize.
        return request.user.has_perm("teams.change_team")

    @admin.action(description="Disqualify selected teams…", permissions=["disqualify"])
    def disqualify_teams(self, request: HttpRequest, queryset: QuerySet[Team]):
        """A confirmation page with the reason; posted back, each team is disqualified."""
        teams = list(queryset.select_related("competition").order_by("competition", "name"))
        reason, error = request.POST.get("reason", ""), ""
        if request.POST.get("post") == "yes":
            done = []
            for team in teams:
                try:
                    team_disqualify(team=team, reason=reason, by=request.user)
                except DomainError as exc:
                    if exc.code in REASON_CODES:  # checked before any write: nothing was done
                        error = exc.message
                        break
                    self.message_user(request, f"{team.name}: {exc.message}", messages.ERROR)
                else:
                    done.append(team.name)
            if not error:
                if done:
                    self.message_user(
                        request,
                        f"Disqualified {len(done)} team(s): {', '.join(done)}.",
                        messages.SUCCESS,
                    )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Disqualify teams",
            "opts": self.model._meta,
            "media": self.media,
            "teams": teams,
            "reason": reason,
            "error": error,
            "reason_max_length": REASON_MAX_LENGTH,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/teams/team/disqualify_confirmation.html", context)

    @admin.action(description="Reinstate selected disqualified teams", permissions=["disqualify"])
    def reinstate_teams(self, request: HttpRequest, queryset: QuerySet[Team]):
        done = []
        for team in queryset.select_related("competition").order_by("competition", "name"):
            try:
                team_reinstate(team=team, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{team.name}: {exc.message}", messages.ERROR)
            else:
                done.append(team.name)
        if done:
            message = f"Reinstated {len(done)} team(s): {', '.join(done)}."
            self.message_user(request, message, messages.SUCCESS)
