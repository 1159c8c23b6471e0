"""The competition form's organizers field: whom the signed-in user may choose as co-hosts.

Input checks only; the rule is ``selectors.require_co_hosts_allowed`` (the service that saves the
list, ``competition_organizers_set``, checks it again under the competition's row lock). A
refusal is an error on the field naming the users, before anything is saved.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AnonymousUser

from podium.competitions import selectors
from podium.competitions.admin_forms import CompetitionForm
from podium.core.errors import PermissionDenied

CO_HOSTS_HELP = (
    "Co-hosts manage this competition with you. Choose among the existing organizers: only a "
    "superuser can make someone an organizer."
)


class CompetitionAdminForm(CompetitionForm):
    # Who is saving (set per request by the admin's get_form, on a class made for the request).
    organizers_chosen_by = AnonymousUser()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "organizers" in self.fields and not self.organizers_chosen_by.is_superuser:
            self.fields["organizers"].help_text = CO_HOSTS_HELP

    def clean_organizers(self):
        users = self.cleaned_data["organizers"]
        try:
            selectors.require_co_hosts_allowed(
                competition=self.instance if self.instance.pk else None,
                users=users,
                by=self.organizers_chosen_by,
            )
        except PermissionDenied as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return users
