"""The organizer's view of submissions: read-only rows, private scores, rescoring, downloads.

Rows change only through services (rescore, fail); an organizer sees only the submissions of
competitions they organize (OrganizerScopedAdmin), which is what keeps private scores private.
"""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html

from podium.competitions.admin_scope import OrganizerScopedAdmin
from podium.core.display import EMPTY, badge, score_text
from podium.core.exports import zip_path, zip_response
from podium.core.files import download_response
from podium.submissions.models import Submission
from podium.submissions.services import submission_rescore, submissions_fail_stuck

STATUS_COLOURS = {
    Submission.Status.PENDING: "#6c757d",
    Submission.Status.SCORING: "#0d6efd",
    Submission.Status.SCORED: "#198754",
    Submission.Status.FAILED: "#dc3545",
}


def status_badge(status: str) -> str:
    return badge(status, STATUS_COLOURS.get(status, "#6c757d"))


def submission_zip_entries(submissions: QuerySet[Submission]) -> list:
    """``<team>/<id>-<original name>`` for each file, teams together."""
    ordered = submissions.select_related("team").order_by("team__name", "pk")
    return [(zip_path(s.team.name, f"{s.pk}-{s.original_name}"), s.file) for s in ordered]


@admin.register(Submission)
class SubmissionAdmin(OrganizerScopedAdmin, admin.ModelAdmin):
    list_display = (
        "id",
        "competition",
        "team",
        "submitted_by",
        "status_display",
        "public_score_display",
        "private_score_display",
        "is_late",
        "attempts",
        "created_at",
        "duration_display",
    )
    list_display_links = ("id",)
    list_filter = (
        "status",
        ("competition", admin.RelatedOnlyFieldListFilter),
        "is_late",
    )
    list_select_related = ("competition", "team", "submitted_by")
    search_fields = ("team__name", "submitted_by__username", "sha256")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    actions = ["rescore", "fail_stuck", "download_zip"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "competition",
                    "team",
                    "submitted_by",
                    "file_link",
                    "original_name",
                    "size_display",
                    "sha256",
                    "description",
                    "is_late",
                    "created_at",
                ],
            },
        ),
        (
            "Scoring",
            {
                "fields": [
                    "status_display",
                    "public_score_full",
                    "private_score_full",
                    "solution_version",
                    "attempts",
                    "lease_owner",
                    "lease_expires_at",
                    "queued_at",
                    "scored_at",
                    "duration_display",
                ],
            },
        ),
        (
            "Messages",
            {
                "fields": ["result_message", "error_code", "error_message", "error_detail_display"],
            },
        ),
    ]
    readonly_fields = [f for _, options in fieldsets for f in options["fields"]]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # participants submit; the admin never makes one

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The detail page is read-only (services write submissions); without an object this
        # is the permission the rescore and fail actions ask for.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Deleting one would drop its team's board row with it (best_submission cascades).
        # Superusers may, so that deleting a whole competition can cascade.
        return request.user.is_superuser

    # -- columns ------------------------------------------------------------------------------

    @admin.display(description="status", ordering="status")
    def status_display(self, obj: Submission) -> str:
        return status_badge(obj.status)

    @admin.display(description="public score", ordering="public_score")
    def public_score_display(self, obj: Submission) -> str:
        return score_text(obj.public_score, obj.competition.score_display_precision)

    @admin.display(description="private score", ordering="private_score")
    def private_score_display(self, obj: Submission) -> str:
        return score_text(obj.private_score, obj.competition.score_display_precision)

    @admin.display(description="public score (full precision)")
    def public_score_full(self, obj: Submission) -> str:
        return score_text(obj.public_score)

    @admin.display(description="private score (full precision)")
    def private_score_full(self, obj: Submission) -> str:
        return score_text(obj.private_score)

    @admin.display(description="duration", ordering="duration_ms")
    def duration_display(self, obj: Submission) -> str:
        return EMPTY if obj.duration_ms is None else f"{obj.duration_ms / 1000:.2f} s"

    @admin.display(description="size")
    def size_display(self, obj: Submission) -> str:
        return filesizeformat(obj.size)

    @admin.display(description="error detail (organizers only)")
    def error_detail_display(self, obj: Submission) -> str:
        if not obj.error_detail:
            return EMPTY
        detail = obj.error_detail
        try:  # a file's problems are stored as JSON: indent them for reading
            detail = json.dumps(json.loads(detail), indent=2, ensure_ascii=False)
        except ValueError:
            pass  # a traceback or a sentence
        return format_html('<pre style="white-space:pre-wrap;margin:0">{}</pre>', detail)

    @admin.display(description="file")
    def file_link(self, obj: Submission) -> str:
        url = reverse("admin:submissions_submission_file", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    # -- the file -----------------------------------------------------------------------------

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_file)
        return [
            path("<path:object_id>/file/", download, name="submissions_submission_file"),
            *super().get_urls(),
        ]

    def download_file(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        submission = self.get_object(request, object_id)  # 404 outside the user's competitions
        if not self.has_view_permission(request, submission):
            raise PermissionDenied
        return download_response(submission.file, filename=submission.original_name)

    # -- actions ------------------------------------------------------------------------------

    @admin.action(description="Rescore selected submissions", permissions=["change"])
    def rescore(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        queued, busy = [], []
        for pk in queryset.values_list("pk", flat=True):
            (queued if submission_rescore(submission_id=pk) else busy).append(pk)
        if queued:
            self.message_user(request, f"Queued {len(queued)} submission(s) for rescoring.")
        if busy:
            self.message_user(
                request,
                f"Skipped {len(busy)} submission(s) being scored right now (ids "
                f"{', '.join(map(str, busy))}); try again when their scoring ends.",
                messages.WARNING,
            )

    @admin.action(description="Fail selected stuck submissions", permissions=["change"])
    def fail_stuck(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        selected = list(queryset.values_list("pk", flat=True))
        failed = submissions_fail_stuck(submission_ids=selected, by=request.user.get_username())
        if failed:
            self.message_user(request, f"Failed {len(failed)} stuck submission(s).")
        skipped = len(selected) - len(failed)
        if skipped:
            self.message_user(
                request,
                f"Skipped {skipped} submission(s) that were not pending or scoring.",
                messages.WARNING,
            )

    @admin.action(description="Download files as zip", permissions=["view"])
    def download_zip(self, request: HttpRequest, queryset: QuerySet[Submission]):
        entries = submission_zip_entries(queryset)
        if not entries:  # Django calls an action even when none of the ids is in the queryset
            self.message_user(request, "No submissions selected.", messages.WARNING)
            return None
        return zip_response(entries, "submissions.zip")
