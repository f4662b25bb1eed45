"""Maintenance: the reaper (lost workers, lost jobs, due retries, stale runs) and the cleanup.

The reaper runs every minute (schedule `pipelines.reap`) and whenever a worker process
starts (`pipelines_reap_after_start`), so a run whose worker died finishes within about a
lease plus one reaper pass, exactly once: claims and the final write are fenced.
"""

import uuid
from datetime import datetime, timedelta

import structlog
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from errors.services import error_record
from forge.oncommit import enqueue_on_commit
from forge.storage import storage_tree_delete
from pipelines.models import (
    FINISHED_STATUSES,
    GenerationPipeline,
    PipelineKind,
    PipelineStatus,
    StageStatus,
)
from pipelines.services.checkpoints import files_delete_on_commit
from pipelines.services.state import (
    RUN_TASK,
    lease_clear,
    run_enqueue,
    save_and_publish,
    stages_cancel,
    stages_of,
)

log = structlog.get_logger("pipelines")

REAP_BATCH = 200
REAP_TASK = "pipelines.tasks.pipelines_reap"
REAP_AFTER_START = "pipelines.reap.after_start"
# Queued jobs the reaper reads to find runs still waiting for a worker; past this many the
# queue is busy enough that no run is treated as lost this pass.
QUEUE_SCAN_MAX = 5000


def _runs_waiting_in_queue(now: datetime) -> set[str] | None:
    """Return the IDs of runs with a job on the queue no worker holds (None: too many to read).

    django-q2's ORM broker keeps a taken job's row, locked until `retry` seconds later; an
    untaken (or released) row has a lock in the past.
    """
    from django_q.models import OrmQ

    rows = list(
        OrmQ.objects.filter(Q(lock__lte=now) | Q(lock__isnull=True))
        .only("payload")
        .order_by("id")[: QUEUE_SCAN_MAX + 1]
    )
    if len(rows) > QUEUE_SCAN_MAX:
        return None
    return {
        str(row.task["args"][0])
        for row in rows
        if row.task.get("func") == RUN_TASK and row.task.get("args")
    }


def _enqueue_if(pipeline_id, now: datetime, condition: Q) -> bool:
    """Enqueue queued run `pipeline_id` again if it still meets `condition`; note when."""
    with transaction.atomic():
        updated = GenerationPipeline.objects.filter(
            condition, pk=pipeline_id, status=PipelineStatus.QUEUED
        ).update(next_attempt_at=None, enqueued_at=now, updated_at=now)
        if updated:
            enqueue_on_commit(RUN_TASK, str(pipeline_id))
    return bool(updated)


def pipelines_reap(*, now: datetime | None = None) -> dict[str, int]:
    """Hand back runs whose worker vanished, re-enqueue lost jobs, start due retries, expire.

    1. A running run whose lease expired goes back to the queue (or fails after its last
       attempt, or ends canceled if a cancel was pending).
    2. A queued run waiting for its backoff is enqueued once it is due.
    3. A run queued too long expires.
    4. A queued run whose job was taken by a worker that died is enqueued again: it was
       enqueued longer than a lease ago and no job of it is left for a worker to take. A run
       merely waiting behind busy workers still has its job on the queue and keeps it.
    """
    now = now or timezone.now()
    counts = {
        "requeued": 0,
        "failed": 0,
        "canceled": 0,
        "retried": 0,
        "expired": 0,
        "reenqueued": 0,
    }

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
                run_enqueue(pipeline, now)
                counts["requeued"] += 1
            save_and_publish(pipeline, stages, changed, now)
            log.warning(
                "pipeline_lease_expired", pipeline_id=str(pipeline.id), status=pipeline.status
            )

    due = GenerationPipeline.objects.filter(
        status=PipelineStatus.QUEUED, next_attempt_at__lte=now
    ).values_list("id", flat=True)[:REAP_BATCH]
    for pipeline_id in list(due):
        if _enqueue_if(pipeline_id, now, Q(next_attempt_at__lte=now)):
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

    lost_job = Q(
        next_attempt_at__isnull=True,
        enqueued_at__lt=now - timedelta(seconds=settings.FORGE_PIPELINE_LEASE_SECONDS),
    )
    candidates = list(
        GenerationPipeline.objects.filter(lost_job, status=PipelineStatus.QUEUED).values_list(
            "id", flat=True
        )[:REAP_BATCH]
    )
    waiting = _runs_waiting_in_queue(now) if candidates else set()
    if waiting is None:
        log.warning("pipelines_queue_too_long_to_scan", limit=QUEUE_SCAN_MAX)
    else:
        for pipeline_id in candidates:
            if str(pipeline_id) not in waiting and _enqueue_if(pipeline_id, now, lost_job):
                counts["reenqueued"] += 1
                log.warning("pipeline_job_lost", pipeline_id=str(pipeline_id))

    if any(counts.values()):
        log.info("pipelines_reaped", **counts)
    return counts


def pipelines_reap_after_start(*, now: datetime | None = None) -> float:
    """Reap now, and again once a lease has passed: a worker process has just started.

    A worker starting is often a cluster restarting after a crash: this pass starts runs
    whose jobs were lost long enough ago, and the later pass hands back those whose dead
    worker's lease was still running. Returns the seconds until that later pass, which the
    worker process asks for on time (`pipelines.tasks`); the one-off schedule made here is
    the durable fallback, run by django-q2's scheduler (which ticks every 30 s) should the
    process die first.
    """
    from django_q.models import Schedule
    from django_q.tasks import async_task

    now = now or timezone.now()
    after = settings.FORGE_PIPELINE_LEASE_SECONDS + settings.FORGE_PIPELINE_HEARTBEAT_SECONDS
    async_task(REAP_TASK)
    with transaction.atomic():
        Schedule.objects.filter(name=REAP_AFTER_START).delete()
        Schedule.objects.create(
            name=REAP_AFTER_START,
            func=REAP_TASK,
            schedule_type=Schedule.ONCE,
            repeats=-1,
            next_run=now + timedelta(seconds=after),
        )
    return after


def pipelines_cleanup(*, now: datetime | None = None) -> dict[str, int]:
    """Delete finished pipelines past the retention period and any leftover checkpoint files.

    Their assets stay: an asset outlives the pipeline that made it.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.FORGE_PIPELINE_RETENTION_DAYS)
    old = GenerationPipeline.objects.filter(
        status__in=FINISHED_STATUSES, finished_at__lt=cutoff
    ).exclude(kind=PipelineKind.EXPORT)  # kept with their export job (assets/exports/cleanup.py)
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
