"""Control: cancel a run, or retry a failed one from the stage that failed."""

from datetime import timedelta

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from forge.exceptions import ConflictError
from pipelines.models import (
    DONE_STAGE_STATUSES,
    FINISHED_STATUSES,
    GenerationPipeline,
    PipelineStage,
    PipelineStatus,
    StageStatus,
)
from pipelines.services.checkpoints import files_delete_on_commit
from pipelines.services.state import (
    lease_clear,
    progress_of,
    run_enqueue,
    save_and_publish,
    stages_cancel,
    stages_of,
)

log = structlog.get_logger("pipelines")


@transaction.atomic
def pipeline_cancel(*, pipeline: GenerationPipeline) -> GenerationPipeline:
    """Cancel `pipeline`: at once if it is queued, at the worker's next check if it runs."""
    locked = GenerationPipeline.objects.select_for_update().get(pk=pipeline.pk)
    if locked.status == PipelineStatus.CANCELED or (
        locked.status == PipelineStatus.RUNNING and locked.cancel_requested_at
    ):
        return locked
    if locked.status in FINISHED_STATUSES:
        raise ConflictError(f"The pipeline already {locked.status}; there is nothing to cancel.")
    now = timezone.now()
    locked.cancel_requested_at = now
    stages = stages_of(locked)
    changed: list[PipelineStage] = []
    if locked.status == PipelineStatus.QUEUED:
        locked.status = PipelineStatus.CANCELED
        locked.finished_at = now
        locked.next_attempt_at = None
        changed = stages_cancel(stages, now)
        files_delete_on_commit(locked.id)
    save_and_publish(locked, stages, changed, now)
    log.info("pipeline_cancel_requested", pipeline_id=str(locked.id), status=locked.status)
    return locked


@transaction.atomic
def pipeline_retry(*, pipeline: GenerationPipeline) -> GenerationPipeline:
    """Queue a failed `pipeline` again as a new attempt that continues from its failed stage."""
    locked = GenerationPipeline.objects.select_for_update().get(pk=pipeline.pk)
    if locked.status != PipelineStatus.FAILED:
        raise ConflictError(f"Only a failed pipeline can be retried; this one is {locked.status}.")
    now = timezone.now()
    stages = stages_of(locked)
    changed = []
    for stage in stages:
        if stage.status not in DONE_STAGE_STATUSES:
            stage.status = StageStatus.PENDING
            stage.progress = 0
            stage.error_code = ""
            stage.error_message = ""
            stage.finished_at = None
            changed.append(stage)
    locked.status = PipelineStatus.QUEUED
    locked.error_code = ""
    locked.error_message = ""
    locked.error_retryable = False
    locked.finished_at = None
    locked.next_attempt_at = None
    locked.cancel_requested_at = None
    locked.max_attempts = locked.attempt + settings.FORGE_PIPELINE_MAX_ATTEMPTS
    locked.expires_at = now + timedelta(seconds=settings.FORGE_PIPELINE_QUEUED_EXPIRY_SECONDS)
    locked.progress = progress_of(locked, stages)
    lease_clear(locked)
    run_enqueue(locked, now)
    save_and_publish(locked, stages, changed, now)
    log.info("pipeline_retried", pipeline_id=str(locked.id), attempt=locked.attempt)
    return locked
