"""Kernels in the admin: launch a baseline or a script for a competition, follow, cancel,
publish; and each competition's kernel settings (participants' runs, their hours quota and
their limits: runs at once, runs per UTC day, the most time, memory and output a run may ask
for)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from podium.core.errors import DomainError
from podium.kernels import selectors, services
from podium.kernels.models import KernelRun, KernelSettings


class LaunchForm(forms.ModelForm):
    baseline = forms.ChoiceField(required=False, choices=())
    config = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="YAML; empty: the baseline's bundled config",
    )
    script = forms.FileField(required=False, help_text="Or a Python script instead")

    class Meta:
        model = KernelRun
        fields = [
            "competition",
            "title",
            "baseline",
            "config",
            "script",
            "published",
            "wall_seconds",
            "memory_mb",
            "output_mb",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["baseline"].choices = [("", "—")] + [
            (name, name) for name in selectors.available_baselines()
        ]
        for name in ("wall_seconds", "memory_mb", "output_mb", "title"):
            self.fields[name].required = False


@admin.register(KernelRun)
class KernelRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "competition",
        "team",
        "status",
        "failure",
        "queue",
        "attempts",
        "published",
        "created_at",
    ]
    list_filter = ["status", "failure", "queue", "published", "is_baseline"]
    search_fields = ["title", "competition__slug"]
    actions = ["cancel", "publish", "unpublish"]
    readonly = [
        "uuid",
        "created_by",
        "team",
        "is_baseline",
        "source",
        "queue",
        "status",
        "attempts",
        "lease_owner",
        "lease_expires_at",
        "queued_at",
        "started_at",
        "finished_at",
        "cancel_requested_at",
        "sandbox",
        "failure",
        "error_message",
        "error_detail",
        "exit_code",
        "cpu_seconds_used",
        "charged_seconds",
        "charged_at",
        "output",
        "artifacts",
        "submission",
        "cpu_seconds",
        "output_mb",
        "log",
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = LaunchForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return (
            []
            if obj is None
            else self.readonly
            + ["competition", "baseline", "config", "script", "wall_seconds", "memory_mb"]
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return LaunchForm.Meta.fields
        return ["title", "competition", "published", *self.readonly, "baseline", "config"]

    @admin.display(description="log")
    def log(self, obj):
        from django.utils.html import format_html

        return format_html("<pre>{}</pre>", selectors.run_log_text(run=obj)[-20000:])

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["title", "published"])
            return
        data = form.cleaned_data
        try:
            run = services.kernel_launch(
                user=request.user,
                competition=data["competition"],
                baseline=data.get("baseline") or "",
                config=data.get("config") or "",
                script=data.get("script"),
                title=data.get("title") or "",
                publish=data.get("published", False),
                wall_seconds=data.get("wall_seconds"),
                memory_mb=data.get("memory_mb"),
                output_mb=data.get("output_mb"),
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = run.pk

    @admin.action(description="Cancel the selected runs")
    def cancel(self, request, queryset):
        for run in queryset:
            if not run.finished:
                services.kernel_cancel(user=request.user, run=run)

    @admin.action(description="Publish (participants may see and download them)")
    def publish(self, request, queryset):
        for run in queryset:
            services.kernel_publish(user=request.user, run=run)

    @admin.action(description="Unpublish")
    def unpublish(self, request, queryset):
        for run in queryset:
            services.kernel_publish(user=request.user, run=run, published=False)


class KernelSettingsForm(forms.ModelForm):
    class Meta:
        model = KernelSettings
        fields = [
            "competition",
            "participants_may_run",
            "team_gpu_hours",
            "team_cpu_hours",
            "max_concurrent_runs",
            "max_daily_runs",
            "max_wall_seconds",
            "max_memory_mb",
            "max_output_mb",
        ]

    def clean_max_wall_seconds(self):
        value = self.cleaned_data.get("max_wall_seconds")
        try:
            services.kernel_settings_check(max_wall_seconds=value)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None
        return value


@admin.register(KernelSettings)
class KernelSettingsAdmin(admin.ModelAdmin):
    form = KernelSettingsForm
    list_display = [
        "competition",
        "participants_may_run",
        "team_gpu_hours",
        "team_cpu_hours",
        "max_concurrent_runs",
        "max_daily_runs",
        "max_wall_seconds",
        "max_memory_mb",
        "max_output_mb",
    ]

    def get_readonly_fields(self, request, obj=None):
        return ["competition"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.kernel_settings_update(
            competition=obj.competition if change else data["competition"],
            participants_may_run=data["participants_may_run"],
            team_gpu_hours=data["team_gpu_hours"],
            team_cpu_hours=data["team_cpu_hours"],
            max_concurrent_runs=data["max_concurrent_runs"],
            max_daily_runs=data["max_daily_runs"],
            max_wall_seconds=data["max_wall_seconds"],
            max_memory_mb=data["max_memory_mb"],
            max_output_mb=data["max_output_mb"],
        )
        obj.pk = saved.pk
