"""The organizer's competition forms: input checks only; the checks themselves are services.

Saving is refused with a message on the field at fault, before anything is stored, when the
metric is unknown, its parameters are not ones it takes, or the new answer key does not suit the
metric (a dry run of ``solution_version_create`` in a temporary folder).

A custom metric (an organizer's Kaggle-style file) may be chosen, and a metric file uploaded,
by a superuser only (``selectors.custom_metric_allowed``). Its file is never loaded here: when the
metric's settings or the answer key change, a dry run in the sandbox
(``metric_sandbox.metric_dry_run``) tries it on a perfect submission and the sample submission;
a crash, a result that is not a number or a file without ``score`` refuses the form with the
traceback on the file's field, and the scores it gave are kept in ``dry_run`` for the admin's
message after the save.
"""

from __future__ import annotations

import os

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join

import scoring
from podium.competitions import selectors
from podium.competitions.metric_sandbox import DryRun, MetricSource, metric_dry_run
from podium.competitions.metrics import CUSTOM, metric_for_settings, metric_params_check
from podium.competitions.models import Competition, DataFile
from podium.competitions.rules import schedule_refusals
from podium.competitions.services import solution_check
from podium.core.errors import DomainError

# The settings whose change makes the scores already given stale.
METRIC_FIELDS = ("metric", "metric_params", "custom_metric_file", "custom_metric_higher_is_better")
CUSTOM_LABEL_FIELDS = {  # required with the custom metric
    "metric_display_name": 'e.g. "Weighted pinball loss"',
    "metric_description": 'e.g. "Quantile loss over the 9 deciles, weighted by sales"',
}
CUSTOM_NOT_ALLOWED = (
    "Only a superuser may choose the custom metric or upload a metric file: it is code that runs "
    "on the server (in the sandbox). Ask one to set it up."
)


def metric_choices() -> list[tuple[str, str]]:
    builtins = [(m.name, f"{m.name} ({m.direction})") for m in scoring.list_metrics()]
    # A blank first choice: a new competition must pick its metric, not inherit "accuracy".
    return [("", "---------"), *builtins, (CUSTOM, "custom (the organizer's score() file below)")]


def metric_help() -> str:
    rows = format_html_join(
        "",
        "<li><code>{}</code>, {}: {}</li>",
        ((m.name, m.direction, m.description) for m in scoring.list_metrics()),
    )
    return format_html(
        "<details><summary>What each metric measures</summary><ul>{}</ul></details>"
        "<code>custom</code>: a Kaggle-style <code>score(solution, submission, "
        "row_id_column_name, **kwargs)</code> file, uploaded below (superusers only). It runs "
        "in the sandbox, and is tried there on a perfect and the sample submission before "
        "it is saved; <code>import kaggle_metric_utilities</code> works as on Kaggle.",
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
    rescore_submissions = forms.BooleanField(
        required=False,
        label="Rescore the scored submissions with the new metric",
        help_text="After saving, every submission is scored again with the metric as saved here "
        "(in the background; the progress shows under Answer key).",
    )
    # Set per request by the admin's get_form: the site's address (for the invitation link), who
    # is saving (a custom metric is a superuser's), and how many submissions have a score.
    base_url = ""
    user = None
    scored_submissions = 0

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
        self.fields[
            "metric_params"
        ].help_text = (
            'A JSON object of the metric\'s arguments, e.g. {"k": 5}; leave {} for the defaults.'
        )
        if "invitation_link" in self.fields and self.instance.pk:
            path = reverse(
                "web:invitation",
                kwargs={"slug": self.instance.slug, "token": self.instance.invitation_token},
            )
            self.initial["invitation_link"] = self.base_url.rstrip("/") + path
        if self.scored_submissions:
            self.fields[
                "rescore_submissions"
            ].label = (
                f"Rescore all {self.scored_submissions:,} scored submissions with the new metric"
            )
        self.dry_run: DryRun | None = None  # the custom metric's scores in the sandbox

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
        self._check_custom_allowed(data)
        self._check_custom_named(data)
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
        if data.get("metric") == CUSTOM and not self.errors:
            self._dry_run(data)
        return data

    @property
    def metric_changed(self) -> bool:
        """The metric, its parameters, its file or its direction changed on a saved competition."""
        return bool(self.instance.pk and set(METRIC_FIELDS) & set(self.changed_data))

    def _check_custom_named(self, data: dict) -> None:
        """A custom metric is shown by the name and line its organizer gives (participants
        would read "custom"); a built-in's come from the registry."""
        if data.get("metric") != CUSTOM:
            return
        for name, example in CUSTOM_LABEL_FIELDS.items():
            if not (data.get(name) or "").strip():
                self.add_error(
                    name, f"A custom metric needs this: what participants read, {example}."
                )

    def _check_custom_allowed(self, data: dict) -> None:
        if self.user is not None and selectors.custom_metric_allowed(self.user):
            return
        if data.get("metric") == CUSTOM and self.initial.get("metric") != CUSTOM:
            self.add_error("metric", CUSTOM_NOT_ALLOWED)
        if "custom_metric_file" in self.changed_data and data.get("custom_metric_file"):
            self.add_error("custom_metric_file", CUSTOM_NOT_ALLOWED)

    def _dry_run(self, data: dict) -> None:
        """Try the custom metric in the sandbox, when anything it depends on changed."""
        tried_on = {*METRIC_FIELDS, "solution_file"}
        if self.instance.pk and not tried_on & set(self.changed_data):
            return
        try:
            self.dry_run = metric_dry_run(
                competition=self.instance,
                source=MetricSource.of(data["custom_metric_file"]),
                params=data.get("metric_params") or {},
                higher_is_better=data.get("custom_metric_higher_is_better", True),
                solution_file=data.get("solution_file") or None,
            )
        except DomainError as exc:
            self.add_error(
                "custom_metric_file",
                forms.ValidationError(
                    format_html('<pre class="metric-error">{}</pre>', exc.message)
                ),
            )

    def _check_schedule(self, data: dict) -> None:
        names = ("start_at", "end_at", "entry_deadline", "team_merger_deadline", "reveal_at")
        given = {n: data.get(n) for n in names}
        given["auto_reveal"] = data.get("auto_reveal_private", self.instance.auto_reveal_private)
        for name, message in schedule_refusals(**given).items():
            self.add_error(name if name in self.fields else None, message)

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
