"""Add the hourly export cleanup to the assets app's schedules (idempotent: by name)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from assets.schedules import schedules_ensure

    schedules_ensure(apps.get_model("django_q", "Schedule"))


class Migration(migrations.Migration):
    dependencies = [("assets", "0005_export_presets_shipped")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
