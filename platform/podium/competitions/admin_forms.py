"""The organizer's competition forms: input checks only; the checks themselves are services.

Saving is refused with a message on the field at fault, before anything is stored, when the
metric cannot be loaded, its parameters are not ones it takes, or the new answer key does not
suit the metric (a dry run of ``solution_version_create`` in a temporary folder).
"""

from __future__ import annotations

import os

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join

import scoring
from podium.competitions import selectors
from podium.competitions.metrics import metric_for_settings, metric_params_check
from podium.competitions.models import Competition, DataFile
from podium.competitions.services import solution_check
from podium.core.errors import DomainError

CUSTOM = "custom"


def metric_choices() -> list[tuple[str, str]]:
    builtins = [(m.name, f"{m.name} ({m.direction})") for m in scoring.list_metrics()]
    # A blank first choice: a new competition must pick its metric, not inherit "accuracy".
    return [("", "---------"), *builtins, (CUSTOM, "custom (the organizer's score() file below)")]


def metric_help() -> str:
    rows = format_html_join(
        "", "<li><code>{}</code>, {}: {}</li>",
        ((m.name, m.direction, m.description) for m in scoring.list_metrics()),
    )
    return format_html(
        "<details><summary>What each metric measures</summary><ul>{}</ul></details>"
        "<code>custom</code>: a Kaggle-style <code>score(solution, submission, "
        "row_id_column_name, **kwargs)</code> file, uploaded below.",
        rows,
    )


class StoredFileInput(forms.ClearableFileInput):
    """Shows the stored file's name without a link: metric files live where no URL reaches."""

    template_name = "competitions/widgets/stored_file_input.html"

    def is_initial(self, value) -> bool:
        return bool(value and getattr(value, "name", None))


class CompetitionForm(forms.ModelForm):
    metric = forms.ChoiceField(choices=metric_choices)
    solution_file = forms.FileField(
        required=False,
        label="Upload a new answer key (solution CSV)",
        help_text="id column first, then the target column(s) and Usage (Public / Private / "
        "Ignored). It is checked against the metric before anything is saved and becomes the "
        "active version.",
    )

    invitation_link = forms.CharField(
        required=False,
        label="Invitation link",
        help_text="Whoever opens this link while signed in may see and join the competition "
        "(they are added to the invited users). Share it only with people who may take part.",
        widget=forms.TextInput(attrs={"readonly": True, "size": 90}),
    )
    rotate_invitation_link = forms.BooleanField(
        required=False,
        label="Rotate the invitation link",
        help_text="Make a new link on saving: the current one stops working at once (people it "
        "already let in stay invited; remove them from the invited users to revoke them).",
    )
    # The site's address, for the invitation link (set per request by the admin's get_form).
    base_url = ""

    class Meta:
        model = Competition
        fields = "__all__"
        widgets = {
            "metric_params": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "custom_metric_file": StoredFileInput,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].help_text = metric_help()
        self.fields["metric_params"].help_text = (
            'A JSON object of the metric\'s arguments, e.g. {"k": 5}; leave {} for the defaults.'
        )
        if "invitation_link" in self.fields and self.instance.pk:
            path = reverse(
                "web:invitation",
                kwargs={"slug": self.instance.slug, "token": self.instance.invitation_token},
            )
            self.initial["invitation_link"] = self.base_url.rstrip("/") + path

    def clean_metric_params(self) -> dict:
        params = self.cleaned_data.get("metric_params")
        if params is None:  # an empty box
            return {}
        if not isinstance(params, dict):
            raise forms.ValidationError('Metric parameters must be a JSON object, e.g. {"k": 5}.')
        return params

    def clean(self) -> dict:
        data = super().clean()
        self._check_schedule(data)
        if any(self.has_error(f) for f in ("metric", "metric_params", "custom_metric_file")):
            return data
        at_fault = "custom_metric_file" if data["metric"] == CUSTOM else "metric"
        try:
            metric = metric_for_settings(
                metric=data["metric"],
                slug=data.get("slug") or self.instance.slug or "new",
                custom_file=data.get("custom_metric_file") or None,
                higher_is_better=data.get("custom_metric_higher_is_better", True),
            )
            at_fault = "metric_params"
            metric_params_check(metric, data.get("metric_params", {}))
        except DomainError as exc:
            self.add_error(at_fault, exc.message)
            return data
        self._check_solution(data, metric)
        return data

    def _check_schedule(self, data: dict) -> None:
        start, end = data.get("start_at"), data.get("end_at")
        if start and end and end <= start:
            self.add_error("end_at", "The end must come after the start.")
        for name in ("entry_deadline", "team_merger_deadline"):
            if data.get(name) and end and data[name] > end:
                self.add_error(name, "This deadline must not be after the end.")

    def _check_solution(self, data: dict, metric: scoring.Metric) -> None:
        upload = data.get("solution_file")
        if upload:
            try:
                solution_check(competition=self.instance, file=upload, metric=metric)
            except DomainError as exc:
                self.add_error("solution_file", exc.message)
            return
        metric_changed = {"metric", "custom_metric_file"} & set(self.changed_data)
        active = selectors.active_solution(self.instance) if self.instance.pk else None
        if not (metric_changed and active):
            return
        # The stored answer key is prepared again for the new metric at scoring: check now.
        with active.file.open("rb") as stored:
            try:
                solution_check(competition=self.instance, file=stored, metric=metric)
            except DomainError as exc:
                self.add_error(
                    "metric",
                    f"The active answer key (v{active.number}) does not suit this metric: "
                    f"{exc.message} Upload a new answer key with the change.",
                )


class DataFileForm(forms.ModelForm):
    class Meta:
        model = DataFile
        fields = ["file", "kind", "name", "description"]
        widgets = {  # narrow, so size and hash fit on the inline's row
            "name": forms.TextInput(attrs={"size": 22}),
            "description": forms.TextInput(attrs={"size": 22}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = "What participants download it as (default: its file name)"

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("name") and data.get("file"):
            data["name"] = os.path.basename(data["file"].name)
        return data
