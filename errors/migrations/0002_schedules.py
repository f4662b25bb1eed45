"""Create the errors app's django-q2 schedules (idempotent: by name)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from errors.schedules import schedules_ensure

    schedules_ensure(apps.get_model("django_q", "Schedule"))


def backwards(apps, schema_editor):
    from errors.schedules import schedules_remove

    schedules_remove(apps.get_model("django_q", "Schedule"))


class Migration(migrations.Migration):
    dependencies = [
        ("errors", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
