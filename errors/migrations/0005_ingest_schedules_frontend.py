"""Add the ingest schedules (drain, cleanup) and Forge's own front-end error project."""

import secrets

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    from errors.schedules import schedules_ensure

    schedules_ensure(apps.get_model("django_q", "Schedule"))
    ErrorProject = apps.get_model("errors", "ErrorProject")
    ErrorProjectKey = apps.get_model("errors", "ErrorProjectKey")
    project, _ = ErrorProject.objects.get_or_create(
        name=settings.FORGE_INGEST_FRONTEND_PROJECT,
        defaults={"platform": "javascript", "created_at": timezone.now()},
    )
    if not ErrorProjectKey.objects.filter(project=project, is_active=True).exists():
        ErrorProjectKey.objects.create(
            project=project, public_key=secrets.token_hex(16), created_at=timezone.now()
        )


def backwards(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=["errors: ingest drain", "errors: ingest cleanup"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("errors", "0004_ingest_projects_merge"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
