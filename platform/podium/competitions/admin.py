"""The organizer's admin of competitions: settings, data files, answer keys, board export."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import path

from podium.competitions import selectors
from podium.competitions.admin_forms import DataFileForm
from podium.competitions.admin_organizers import CompetitionAdminForm
from podium.competitions.admin_scope import OrganizerScopedAdmin, OrganizerScopedQueryset
from podium.competitions.admin_user_search import (
    SEARCHED_FIELDS,
    URL_NAME,
    UserSearchWidget,
    user_search_view,
)
from podium.competitions.lifecycle import competition_archive, competition_publish
from podium.competitions.models import Competition, DataFile, SolutionVersion
from podium.competitions.services import (
    answer_key_upload,
    competition_invitation_rotate,
    competition_organizer_add,
    competition_organizers_set,
    data_file_refresh,
    rescore_start,
)
from podium.core.admin_readonly import ReadOnlyInline
from podium.core.display import EMPTY, short_hash
from podium.core.errors import DomainError
from podium.core.exports import csv_response
from podium.core.queue import COMPUTE_AWARDS, enqueue_on_commit

# The admin is the top layer: the board export reads the leaderboards app, the rescoring's
# progress the submissions app.
from podium.leaderboards.selectors import public_board_rows
from podium.submissions.selectors import rescore_progress, status_counts

BOARD_CSV_HEADER = ["rank", "team", "members", "score", "entries", "last_submission"]


class DataFileInline(OrganizerScopedQueryset, admin.TabularInline):
    model = DataFile
    form = DataFileForm
    fields = ("file", "kind", "name", "description", "size_display", "sha256_display")
    # Filled from the stored file by data_file_refresh, never typed in.
    readonly_fields = ("size_display", "sha256_display")
    extra = 0

    @admin.display(description="size")
    def size_display(self, obj: DataFile) -> str:
        return filesizeformat(obj.size) if obj.pk else EMPTY

    @admin.display(description="sha256")
    def sha256_display(self, obj: DataFile) -> str:
        return short_hash(obj.sha256)


class SolutionVersionInline(ReadOnlyInline, OrganizerScopedQueryset, admin.TabularInline):
    """Answer keys are added through the competition form's upload, never edited."""

    model = SolutionVersion
    fields = ("number", "rows_display", "columns_display", "note", "created_at", "created_by")
    readonly_fields = fields
    ordering = ("-number",)
    extra = 0
    verbose_name = "answer key version"
    verbose_name_plural = "answer key versions (the newest is active)"

    @admin.display(description="rows")
    def rows_display(self, obj: SolutionVersion) -> str:
        rows = obj.rows or {}
        return (
            f"{rows.get('total', 0)}: {rows.get('public', 0)} public, "
            f"{rows.get('private', 0)} private, {rows.get('ignored', 0)} ignored"
        )

    @admin.display(description="submission header")
    def columns_display(self, obj: SolutionVersion) -> str:
        return ", ".join(obj.columns or [])


@admin.register(Competition)
class CompetitionAdmin(OrganizerScopedAdmin, admin.ModelAdmin):
    competition_lookup = ""
    form = CompetitionAdminForm
    inlines = [DataFileInline, SolutionVersionInline]
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = [
        ("Basics", {"fields": ["title", "slug", "status", "subtitle", "organizers"]}),
        (
            "Pages (Markdown)",
            {
                "fields": ["overview", "evaluation", "rules", "data_description"],
                "classes": ["collapse"],
            },
        ),
        (
            "Metric",
            {
                "fields": [
                    "metric",
                    "metric_params",
                    "custom_metric_file",
                    "custom_metric_higher_is_better",
                    "metric_display_name",
                    "metric_description",
                    "rescore_submissions",
                ],
            },
        ),
        ("Answer key", {"fields": ["solution_file", "rescore_display"]}),
        (
            "Schedule (UTC)",
            {
                "fields": ["start_at", "entry_deadline", "team_merger_deadline", "end_at"],
            },
        ),
        (
            "Rules",
            {
                "fields": [
                    "daily_submission_limit",
                    "failed_submissions_count",
                    "daily_invalid_submission_limit",
                    "total_submission_limit",
                    "max_team_size",
                    "max_final_selections",
                    "score_display_precision",
                    "submission_max_bytes",
                    "prediction_max_abs",
                    "awards_medals",
                ],
            },
        ),
        (
            "Access",
            {
                "fields": [
                    "visibility",
                    "invitation_link",
                    "rotate_invitation_link",
                    "invited_users",
                    "allowed_email_domains",
                ]
            },
        ),
    ]
    # The status changes only through the Publish and Archive actions (the checklist's service).
    readonly_fields = ("rescore_display", "status")
    list_display = (
        "title",
        "status",
        "state_display",
        "metric",
        "start_at",
        "end_at",
        "team_count_display",
        "submission_count_display",
        "solution_display",
        "rescore_list_display",
    )
    list_filter = ("status", "visibility")
    search_fields = ("title", "slug", "subtitle")
    ordering = ("-start_at",)
    date_hierarchy = "start_at"
    actions = ["publish_competitions", "archive_competitions", "export_public_board_csv"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Competition]:
        return selectors.with_counts(super().get_queryset(request))

    def get_urls(self):
        search = path(
            "user-search/",
            self.admin_site.admin_view(lambda request: user_search_view(self, request)),
            name=URL_NAME,
        )
        return [search, *super().get_urls()]

    def formfield_for_manytomany(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name in SEARCHED_FIELDS:  # a search, never a list of every account
            kwargs["widget"] = UserSearchWidget(db_field, self.admin_site)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Competition | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and self._scored_submissions(obj):
            return fieldsets
        # A new competition has no link yet (nor anything to rescore).
        hidden = {"rescore_submissions"}
        if obj is None:
            hidden |= {"invitation_link", "rotate_invitation_link", "rescore_display"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
        ]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_url = request.build_absolute_uri("/")  # a class made for this request
        form.user = request.user
        form.scored_submissions = self._scored_submissions(obj) if obj is not None else 0
        form.organizers_chosen_by = request.user
        return form

    @staticmethod
    def _scored_submissions(obj: Competition) -> int:
        return status_counts(competition=obj)["scored"]

    @admin.display(description="rescoring")
    def rescore_display(self, obj: Competition) -> str:
        progress = rescore_progress(obj) if obj.pk else None
        if progress is None:
            return "Not rescored (a new answer key rescores every submission)."
        return progress.text

    @admin.display(description="rescoring")
    def rescore_list_display(self, obj: Competition) -> str:
        if obj.solution_rescore_requested_at is None:
            return EMPTY
        if obj.solution_rescore_finished_at is not None:
            return f"v{obj.solution_number}: done"
        progress = rescore_progress(obj)
        return progress.text if progress else EMPTY

    @admin.display(description="state")
    def state_display(self, obj: Competition) -> str:
        return obj.state

    @admin.display(description="teams", ordering="team_count")
    def team_count_display(self, obj: Competition) -> int:
        return obj.team_count

    @admin.display(description="submissions", ordering="submission_count")
    def submission_count_display(self, obj: Competition) -> int:
        return obj.submission_count

    @admin.display(description="answer key", ordering="solution_number")
    def solution_display(self, obj: Competition) -> str:
        return f"v{obj.solution_number}" if obj.solution_number else EMPTY

    def save_formset(self, request, form, formset, change) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is DataFile:
            replaced = [obj for obj, changed in formset.changed_objects if "file" in changed]
            for data_file in [*formset.new_objects, *replaced]:
                data_file_refresh(data_file=data_file)

    def save_related(self, request, form, formsets, change) -> None:
        # After the m2m save, which would otherwise overwrite the organizers we add here, and
        # after the data files, so a new answer key is checked against a new sample submission.
        super().save_related(request, form, formsets, change)
        competition = form.instance
        if not request.user.is_superuser:
            competition_organizer_add(competition=competition, user=request.user)
        self._save_access(request, form, competition)
        rescoring = self._save_answer_key(request, form, competition)
        self._save_metric(request, form, competition, rescoring)
        if change and "awards_medals" in form.changed_data and competition.private_revealed_at:
            # Revealed already: its medals and points are awarded (or taken back) now.
            enqueue_on_commit(COMPUTE_AWARDS, competition.pk)

    def _save_answer_key(self, request: HttpRequest, form, competition: Competition) -> bool:
        """A new answer key, stored and rescoring every submission; True when it rescores."""
        upload = form.cleaned_data.get("solution_file")
        if not upload:
            return False
        try:
            upload = answer_key_upload(competition=competition, file=upload, by=request.user)
        except DomainError as exc:
            message = f"The answer key was not stored: {exc.message}"
            self.message_user(request, message, messages.ERROR)
            return False
        version, rows = upload.version, upload.version.rows
        self.message_user(
            request,
            f"Answer key v{version.number} is active: {rows['public']} public, "
            f"{rows['private']} private and {rows['ignored']} ignored rows.",
            messages.SUCCESS,
        )
        if upload.rescore_refused is not None:
            message = f"The submissions are not being rescored: {upload.rescore_refused.message}"
            self.message_user(request, message, messages.ERROR)
            return False
        if not upload.rescoring:
            return False
        self.message_user(
            request,
            f"Rescoring all {upload.rescoring:,} submissions with v{version.number} in the "
            "background; the progress shows on this page and in the list.",
            messages.SUCCESS,
        )
        return True

    def _save_metric(
        self, request: HttpRequest, form, competition: Competition, rescoring: bool
    ) -> None:
        """What the custom metric scored in the sandbox's dry run, and a changed metric's
        rescoring: started when asked for, else a warning (a new answer key rescores anyway)."""
        if form.dry_run is not None:
            self.message_user(request, form.dry_run.message, messages.SUCCESS)
        if not form.metric_changed or rescoring:
            return
        scored = self._scored_submissions(competition)
        if not scored:
            return
        version = selectors.active_solution(competition)
        if not form.cleaned_data.get("rescore_submissions"):
            self.message_user(
                request,
                f"The metric changed, but the {scored:,} scored submissions keep the scores of "
                "the old one: tick 'Rescore all ... scored submissions with the new metric' and "
                "save again to rescore them.",
                messages.WARNING,
            )
            return
        try:
            rescore_start(competition=competition, version=version, by=request.user, restart=True)
        except DomainError as exc:
            message = f"The submissions are not being rescored: {exc.message}"
            self.message_user(request, message, messages.ERROR)
            return
        self.message_user(
            request,
            f"Rescoring all {selectors.submission_count(competition):,} submissions with the "
            "new metric in the background; the progress shows on this page and in the list.",
            messages.SUCCESS,
        )

    def _save_access(self, request: HttpRequest, form, competition: Competition) -> None:
        """The co-hosts (any organizer may change them, choosing among existing organizers;
        only a superuser makes someone an organizer) and the invitation link's rotation."""
        try:
            if "organizers" in form.cleaned_data:
                competition_organizers_set(
                    competition=competition,
                    users=form.cleaned_data["organizers"],
                    by=request.user,
                )
            if form.cleaned_data.get("rotate_invitation_link"):
                competition_invitation_rotate(competition=competition, by=request.user)
                self.message_user(
                    request,
                    "The invitation link was rotated: the old link no longer works.",
                    messages.SUCCESS,
                )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    @admin.action(description="Export public leaderboard as CSV", permissions=["view"])
    def export_public_board_csv(self, request, queryset: QuerySet[Competition]):
        if queryset.count() != 1:
            message = "Select exactly one competition to export its leaderboard."
            self.message_user(request, message, messages.WARNING)
            return None
        competition = queryset.get()
        rows = (
            (r.rank, r.team_name, ", ".join(r.members), r.score, r.entries, r.last_submission_at)
            for r in public_board_rows(competition=competition)
        )
        return csv_response(BOARD_CSV_HEADER, rows, f"{competition.slug}-public-leaderboard.csv")

    @admin.action(description="Publish (after the publish checklist)", permissions=["change"])
    def publish_competitions(self, request, queryset: QuerySet[Competition]) -> None:
        """Through ``lifecycle.competition_publish``, as the organizer's Publish page: a refusal
        lists every unmet item."""
        self._each(request, queryset, competition_publish, "is published: participants see it.")

    @admin.action(description="Archive (read-only, off the lists)", permissions=["change"])
    def archive_competitions(self, request, queryset: QuerySet[Competition]) -> None:
        self._each(request, queryset, competition_archive, "is archived.")

    def _each(self, request, queryset, service, done: str) -> None:
        for competition in queryset:
            try:
                service(competition=competition, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{competition.title}: {exc.message}", messages.ERROR)
                continue
            self.message_user(request, f"{competition.title} {done}", messages.SUCCESS)
