"""django-q2 entry points: take IDs, call a service."""

import structlog

from pipelines import services
from pipelines.observe import reap_observe

log = structlog.get_logger("pipelines")


def pipeline_run(pipeline_id: str) -> str | None:
    """Run pipeline `pipeline_id` if it is queued and due; return its final status."""
    pipeline = services.pipeline_run(pipeline_id=pipeline_id)
    return pipeline.status if pipeline is not None else None


def pipelines_reap() -> dict[str, int]:
    """Requeue or fail pipelines whose worker died, re-enqueue lost jobs, start due retries."""
    counts = services.pipelines_reap()
    reap_observe(counts)
    return counts


def pipelines_reap_on_worker_start(sender=None, proc_name: str = "", **kwargs) -> None:
    """django-q2's `post_spawn` signal: a worker process started; reap now and after a lease."""
    try:
        services.pipelines_reap_after_start()
    except Exception:  # a worker must start even when this fails; the schedule still reaps
        log.exception("pipelines_reap_after_start_failed", process=proc_name)


def pipelines_wake() -> dict[str, int]:
    """Enqueue runs parked on remote tasks as they come due (one waker at a time)."""
    return services.pipelines_wake()


def pipelines_cleanup() -> dict[str, int]:
    """Delete finished pipelines older than the retention period and leftover files."""
    return services.pipelines_cleanup()
