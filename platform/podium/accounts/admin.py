"""The users' and groups' admin: only a superuser changes who may do what.

Django's own UserAdmin and GroupAdmin, registered again so that a staff user who holds the
permission to change users (no group of Podium's has it; only a superuser could give it) still
cannot make anyone an organizer, staff or a superuser: those fields are read-only to them, and
staff and superuser accounts (their passwords included) are out of their reach. Groups, and the
permissions they carry, are changed by superusers only. The organizer role itself is given by
``accounts.services.organizer_grant``, which refuses anyone but a superuser.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

PERMISSION_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


def _beyond_reach(request, obj) -> bool:
    """A staff or superuser account, seen by someone who is not a superuser."""
    return obj is not None and (obj.is_staff or obj.is_superuser) and not request.user.is_superuser


class PodiumUserAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else (*fields, *PERMISSION_FIELDS)

    def has_change_permission(self, request, obj=None) -> bool:
        return not _beyond_reach(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _beyond_reach(request, obj) and super().has_delete_permission(request, obj)


class PodiumGroupAdmin(GroupAdmin):
    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


for model, model_admin in ((get_user_model(), PodiumUserAdmin), (Group, PodiumGroupAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
