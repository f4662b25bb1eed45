"""The django-q2 schedules the pipelines app needs, keyed by name so creating them is idempotent."""

# name -> (task function, schedule type, minutes between runs for MINUTES schedules)
SCHEDULES: dict[str, dict] = {
    "pipelines.reap": {
        "func": "pipelines.tasks.pipelines_reap",
        "schedule_type": "I",  # MINUTES
        "minutes": 1,
    },
    "pipelines.cleanup": {
        "func": "pipelines.tasks.pipelines_cleanup",
        "schedule_type": "D",  # DAILY
        "minutes": None,
    },
}


def schedules_ensure(schedule_model) -> None:
    """Create or update the pipelines schedules on `schedule_model` (django-q2's `Schedule`)."""
    from django.utils import timezone

    for name, spec in SCHEDULES.items():
        schedule = schedule_model.objects.filter(name=name).first()
        if schedule is None:
            schedule = schedule_model(name=name, next_run=timezone.now(), repeats=-1)
        schedule.func = spec["func"]
        schedule.schedule_type = spec["schedule_type"]
        schedule.minutes = spec["minutes"]
        schedule.repeats = -1
        schedule.save()
