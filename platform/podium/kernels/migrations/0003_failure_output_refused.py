"""A run whose submission.csv was refused failed as ``output_refused`` (it was ``scoring_error``,
which is the scoring library's code for a metric that failed: one string, one meaning)."""

from django.db import migrations


def rename(old: str, new: str):
    def forwards(apps, schema_editor):
        KernelRun = apps.get_model("kernels", "KernelRun")
        KernelRun.objects.filter(failure=old).update(failure=new)

    return forwards


class Migration(migrations.Migration):
    dependencies = [("kernels", "0002_run_charging_and_team_limits")]

    operations = [
        migrations.RunPython(
            rename("scoring_error", "output_refused"), rename("output_refused", "scoring_error")
        ),
    ]
