"""Admin pages for rows that services write (boards, teams, memberships, answer-key versions):
shown to the organizers they are scoped to, never added or changed in the admin."""

from __future__ import annotations


class ReadOnlyAdmin:
    """Put before ``admin.ModelAdmin``. Deleting is for superusers only: Django asks this before
    cascading a competition's deletion, which would otherwise be refused."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


class ReadOnlyInline:
    """Put before ``admin.TabularInline``: the rows are listed, never added, changed or deleted."""

    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
