"""The assets app's django-q2 schedules, created idempotently (by migration 0003)."""

from datetime import timedelta

from forge import schedules
from forge.schedules import ScheduleSpec

SPECS = [
    ScheduleSpec("assets.orphan_files_sweep", "assets.tasks.assets_orphan_files_sweep", "D",
                 first_run_after_hour=timedelta(hours=4)),
    ScheduleSpec("assets.exports_cleanup", "assets.tasks.exports_cleanup", "H"),
]  # fmt: skip


def schedules_ensure(schedule_model) -> None:
    """Create or update the assets schedules by name."""
    schedules.schedules_ensure(schedule_model, SPECS)


def schedules_remove(schedule_model) -> None:
    """Delete the assets schedules."""
    schedules.schedules_remove(schedule_model, SPECS)
