"""django-q2 schedules declared in code, created idempotently by each app's data migration."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone


@dataclass(frozen=True)
class ScheduleSpec:
    """One repeating job: `func` run by `schedule_type` (django-q2's codes: I minutes, H, D)."""

    name: str
    func: str
    schedule_type: str
    minutes: int | None = None
    # First run this long after the next full hour; None runs it at once.
    first_run_after_hour: timedelta | None = None


def schedules_ensure(schedule_model, specs: list[ScheduleSpec]) -> None:
    """Create or update `specs` on `schedule_model` (django-q2's `Schedule`) by name.

    An existing schedule keeps its planned next run; only what it runs and how often change.
    """
    next_hour = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    for spec in specs:
        first_run = (
            next_hour + spec.first_run_after_hour
            if spec.first_run_after_hour is not None
            else timezone.now()
        )
        schedule, created = schedule_model.objects.get_or_create(
            name=spec.name,
            defaults={
                "func": spec.func,
                "schedule_type": spec.schedule_type,
                "minutes": spec.minutes,
                "repeats": -1,
                "next_run": first_run,
            },
        )
        wanted = (spec.func, spec.schedule_type, spec.minutes)
        if not created and (schedule.func, schedule.schedule_type, schedule.minutes) != wanted:
            schedule.func, schedule.schedule_type, schedule.minutes = wanted
            schedule.save(update_fields=["func", "schedule_type", "minutes"])


def schedules_remove(schedule_model, specs: list[ScheduleSpec]) -> None:
    """Delete the schedules named in `specs`."""
    schedule_model.objects.filter(name__in=[spec.name for spec in specs]).delete()
