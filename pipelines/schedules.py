"""The django-q2 schedules the pipelines app needs, created idempotently (by migration 0002)."""

from forge import schedules
from forge.schedules import ScheduleSpec

SPECS = [
    ScheduleSpec("pipelines.reap", "pipelines.tasks.pipelines_reap", "I", minutes=1),
    ScheduleSpec("pipelines.cleanup", "pipelines.tasks.pipelines_cleanup", "D"),
]
SCHEDULES = [spec.name for spec in SPECS]


def schedules_ensure(schedule_model) -> None:
    """Create or update the pipelines schedules by name."""
    schedules.schedules_ensure(schedule_model, SPECS)
