"""The errors app's django-q2 schedules, created idempotently (by migration 0002)."""

from datetime import timedelta

from django.utils import timezone

# name -> (function, schedule type, minutes, first run offset from the next full hour)
SCHEDULES = {
    "errors: hourly aggregation": ("errors.tasks.errors_aggregate", "H", None, timedelta(minutes=2)),
    "errors: daily retention": ("errors.tasks.errors_retention", "D", None, timedelta(hours=3, minutes=30)),
    "errors: alert check": ("errors.tasks.errors_alerts_check", "I", 1, timedelta(0)),
}  # fmt: skip


def schedules_ensure(schedule_model) -> None:
    """Create or update the errors schedules by name; keep any next run already planned."""
    next_hour = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    for name, (func, schedule_type, minutes, offset) in SCHEDULES.items():
        schedule, created = schedule_model.objects.get_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": schedule_type,
                "minutes": minutes,
                "repeats": -1,
                "next_run": next_hour + offset if offset else timezone.now(),
            },
        )
        if not created and (schedule.func, schedule.schedule_type, schedule.minutes) != (
            func,
            schedule_type,
            minutes,
        ):
            schedule.func, schedule.schedule_type, schedule.minutes = func, schedule_type, minutes
            schedule.save(update_fields=["func", "schedule_type", "minutes"])


def schedules_remove(schedule_model) -> None:
    """Delete the errors schedules."""
    schedule_model.objects.filter(name__in=list(SCHEDULES)).delete()
