from django.db import migrations


def create_schedules(apps, schema_editor):
    from pipelines.schedules import schedules_ensure

    schedules_ensure(apps.get_model("django_q", "Schedule"))


def delete_schedules(apps, schema_editor):
    from pipelines.schedules import SCHEDULES

    apps.get_model("django_q", "Schedule").objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pipelines", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
