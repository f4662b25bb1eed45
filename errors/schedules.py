"""The errors app's django-q2 schedules, created idempotently (by migration 0002)."""

from datetime import timedelta

from forge import schedules
from forge.schedules import ScheduleSpec

SPECS = [
    ScheduleSpec("errors: hourly aggregation", "errors.tasks.errors_aggregate", "H",
                 first_run_after_hour=timedelta(minutes=2)),
    ScheduleSpec("errors: daily retention", "errors.tasks.errors_retention", "D",
                 first_run_after_hour=timedelta(hours=3, minutes=30)),
    ScheduleSpec("errors: alert check", "errors.tasks.errors_alerts_check", "I", minutes=1),
    ScheduleSpec("errors: ingest drain", "errors.tasks.errors_ingest_drain", "I", minutes=1),
    ScheduleSpec("errors: ingest cleanup", "errors.tasks.errors_ingest_cleanup", "H",
                 first_run_after_hour=timedelta(minutes=20)),
    ScheduleSpec("errors: SLO burn-rate check", "errors.tasks.errors_slo_alerts_check", "I",
                 minutes=1),
]  # fmt: skip
SCHEDULES = [spec.name for spec in SPECS]


def schedules_ensure(schedule_model) -> None:
    """Create or update the errors schedules by name; keep any next run already planned."""
    schedules.schedules_ensure(schedule_model, SPECS)


def schedules_remove(schedule_model) -> None:
    """Delete the errors schedules."""
    schedules.schedules_remove(schedule_model, SPECS)
