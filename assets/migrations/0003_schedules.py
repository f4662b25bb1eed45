"""Create the assets app's django-q2 schedules (idempotent: by name)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from assets.schedules import schedules_ensure

    schedules_ensure(apps.get_model("django_q", "Schedule"))


def backwards(apps, schema_editor):
    from assets.schedules import schedules_remove

    schedules_remove(apps.get_model("django_q", "Schedule"))


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0002_gallery_indexes_search"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
