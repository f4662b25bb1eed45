"""Maintenance: the reaper (lost workers, due retries, stale queued runs) and the daily cleanup."""

import uuid
from datetime import datetime, timedelta

import structlog
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from errors.services import error_record
from forge.storage import storage_tree_delete
from pipelines.models import (
    FINISHED_STATUSES,
    GenerationPipeline,
    PipelineStatus,
    StageStatus,
)
from pipelines.services.checkpoints import files_delete_on_commit
from pipelines.services.state import (
    lease_clear,
    run_enqueue,
    save_and_publish,
    stages_cancel,
    stages_of,
)

log = structlog.get_logger("pipelines")

REAP_BATCH = 200


def pipelines_reap(*, now: datetime | None = None) -> dict[str, int]:
    """Hand back pipelines whose worker vanished, start due retries, expire stale queued ones."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "canceled": 0, "retried": 0, "expired": 0}

    lost = GenerationPipeline.objects.filter(
        status=PipelineStatus.RUNNING, lease_expires_at__lt=now
    ).values_list("id", flat=True)[:REAP_BATCH]
    for pipeline_id in list(lost):
        with transaction.atomic():
            pipeline = (
                GenerationPipeline.objects.select_for_update(skip_locked=True)
                .filter(pk=pipeline_id, status=PipelineStatus.RUNNING, lease_expires_at__lt=now)
                .first()
            )
            if pipeline is None:
                continue
            stages = stages_of(pipeline)
            changed = []
            for stage in stages:
                if stage.status == StageStatus.RUNNING:
                    stage.status = StageStatus.PENDING
                    stage.error_message = "The worker running this stage stopped responding."
                    changed.append(stage)
            lease_clear(pipeline)
            if pipeline.cancel_requested_at is not None:
                pipeline.status = PipelineStatus.CANCELED
                pipeline.finished_at = now
                changed = list({*changed, *stages_cancel(stages, now)})
                files_delete_on_commit(pipeline.id)
                counts["canceled"] += 1
            elif pipeline.attempt >= pipeline.max_attempts:
                pipeline.status = PipelineStatus.FAILED
                pipeline.finished_at = now
                pipeline.error_code = "worker_lost"
                pipeline.error_message = (
                    f"The worker stopped responding and all {pipeline.max_attempts} "
                    "attempts are used."
                )
                pipeline.error_retryable = True
                counts["failed"] += 1
                error_record(
                    message=pipeline.error_message,
                    severity="error",
                    category="worker",
                    error_code="worker_lost",
                    request_id=pipeline.request_id or None,
                    context={"pipeline_id": str(pipeline.id), "attempt": pipeline.attempt},
                )
            else:
                pipeline.status = PipelineStatus.QUEUED
                pipeline.next_attempt_at = None
                pipeline.expires_at = now + timedelta(
                    seconds=settings.FORGE_PIPELINE_QUEUED_EXPIRY_SECONDS
                )
                run_enqueue(pipeline.id)
                counts["requeued"] += 1
            save_and_publish(pipeline, stages, changed, now)
            log.warning(
                "pipeline_lease_expired", pipeline_id=str(pipeline.id), status=pipeline.status
            )

    due = GenerationPipeline.objects.filter(
        status=PipelineStatus.QUEUED, next_attempt_at__lte=now
    ).values_list("id", flat=True)[:REAP_BATCH]
    for pipeline_id in list(due):
        with transaction.atomic():
            updated = GenerationPipeline.objects.filter(
                pk=pipeline_id, status=PipelineStatus.QUEUED, next_attempt_at__lte=now
            ).update(next_attempt_at=None, updated_at=now)
            if updated:
                run_enqueue(pipeline_id)
                counts["retried"] += 1

    stale = GenerationPipeline.objects.filter(
        status=PipelineStatus.QUEUED, expires_at__lt=now, next_attempt_at__isnull=True
    ).values_list("id", flat=True)[:REAP_BATCH]
    for pipeline_id in list(stale):
        with transaction.atomic():
            pipeline = (
                GenerationPipeline.objects.select_for_update(skip_locked=True)
                .filter(pk=pipeline_id, status=PipelineStatus.QUEUED, expires_at__lt=now)
                .first()
            )
            if pipeline is None:
                continue
            stages = stages_of(pipeline)
            pipeline.status = PipelineStatus.EXPIRED
            pipeline.finished_at = now
            pipeline.error_code = "expired"
            pipeline.error_message = "No worker picked the pipeline up in time."
            pipeline.error_retryable = False
            save_and_publish(pipeline, stages, stages_cancel(stages, now), now)
            files_delete_on_commit(pipeline.id)
            counts["expired"] += 1
    if any(counts.values()):
        log.info("pipelines_reaped", **counts)
    return counts


def pipelines_cleanup(*, now: datetime | None = None) -> dict[str, int]:
    """Delete finished pipelines past the retention period and any leftover checkpoint files.

    Their assets stay: an asset outlives the pipeline that made it.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.FORGE_PIPELINE_RETENTION_DAYS)
    old = GenerationPipeline.objects.filter(status__in=FINISHED_STATUSES, finished_at__lt=cutoff)
    deleted_ids = [str(pk) for pk in old.values_list("id", flat=True)]
    with transaction.atomic():
        deleted, _ = GenerationPipeline.objects.filter(id__in=deleted_ids).delete()
    files = 0
    try:
        directories, _ = default_storage.listdir("pipelines")
    except (FileNotFoundError, NotADirectoryError):
        directories = []
    if directories:
        active = {
            str(pk)
            for pk in GenerationPipeline.objects.filter(
                id__in=[d for d in directories if _is_uuid(d)],
                status__in=(PipelineStatus.QUEUED, PipelineStatus.RUNNING),
            ).values_list("id", flat=True)
        }
        for directory in directories:
            if directory not in active:
                files += storage_tree_delete(f"pipelines/{directory}")
    log.info("pipelines_cleaned", pipelines=len(deleted_ids), rows=deleted, files=files)
    return {"pipelines": len(deleted_ids), "files": files}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
