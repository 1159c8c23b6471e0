"""Reports in the admin: the moderators of each forum see those of their posts (organizers:
their competitions' forums; superusers: every forum). Team threads' reports go to superusers
only: no organizer reads a team's thread. Hiding goes through ``services.post_hide``."""

from __future__ import annotations

from django.contrib import admin, messages

from podium.competitions.admin_scope import OrganizerScopedAdmin
from podium.core.admin_readonly import ReadOnlyAdmin
from podium.core.errors import DomainError
from podium.discussion import services
from podium.discussion.models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin, OrganizerScopedAdmin, admin.ModelAdmin):
    competition_lookup = "topic__competition"
    list_display = ("created_at", "post", "forum", "reporter", "reason", "hidden")
    list_select_related = ("topic__competition", "reply", "reporter")
    ordering = ("-created_at",)
    actions = ["hide_posts"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(topic__team__isnull=True)

    # Organizers see their forums' reports without a model permission of their group.
    def has_module_permission(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request, obj=None) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    @admin.display(description="Post")
    def post(self, report: Report) -> str:
        if report.reply_id:
            return f"Reply #{report.reply_id} in “{report.topic.title}”"
        return f"Topic “{report.topic.title}”"

    @admin.display(description="Forum")
    def forum(self, report: Report) -> str:
        return report.topic.competition.title if report.topic.competition_id else "Site forum"

    @admin.display(boolean=True, description="Hidden")
    def hidden(self, report: Report) -> bool:
        post = report.reply if report.reply_id else report.topic
        return post.hidden_at is not None

    @admin.action(description="Hide the reported posts")
    def hide_posts(self, request, queryset):
        done = 0
        for report in queryset.select_related("topic", "reply"):
            try:
                if report.reply_id:
                    services.post_hide(user=request.user, reply=report.reply)
                else:
                    services.post_hide(user=request.user, topic=report.topic)
                done += 1
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        self.message_user(request, f"{done} post(s) hidden.")
