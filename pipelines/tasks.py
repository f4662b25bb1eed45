"""django-q2 entry points: take IDs, call a service."""

from pipelines import services


def pipeline_run(pipeline_id: str) -> str | None:
    """Run pipeline `pipeline_id` if it is queued and due; return its final status."""
    pipeline = services.pipeline_run(pipeline_id=pipeline_id)
    return pipeline.status if pipeline is not None else None


def pipelines_reap() -> dict[str, int]:
    """Requeue or fail pipelines whose worker died, start due retries, expire stale ones."""
    return services.pipelines_reap()


def pipelines_cleanup() -> dict[str, int]:
    """Delete finished pipelines older than the retention period and leftover files."""
    return services.pipelines_cleanup()
