"""Creation: validate a run's config, write it with its stages and enqueue it, atomically.

An `Idempotency-Key` makes creation safe to repeat: the same key with the same kind and
config returns the original run; with another body it is a conflict. Two racing requests
with one key are settled by the unique constraint.
"""

import hashlib
import json
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from forge.exceptions import ConflictError, ValidationFailedError
from pipelines.events import pipeline_event_publish_on_commit
from pipelines.kinds import run_kind_get
from pipelines.models import GenerationPipeline, PipelineKind, PipelineStage, PipelineStatus
from pipelines.services.state import run_enqueue

log = structlog.get_logger("pipelines")

IDEMPOTENCY_KEY_MAX = 255


def _fingerprint(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def _idempotent_match(*, user, kind: str, key: str, fingerprint: str) -> GenerationPipeline | None:
    existing = GenerationPipeline.objects.filter(user=user, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.kind != kind or existing.idempotency_fingerprint != fingerprint:
        raise ConflictError(
            "This Idempotency-Key was already used with a different request body.",
            details={"idempotency_key": key, "pipeline_id": str(existing.id)},
        )
    return existing


def run_create(
    *,
    user,
    kind: str,
    config: Any,
    idempotency_key: str = "",
    request_id: str = "",
    enqueue: bool = True,
) -> tuple[GenerationPipeline, bool]:
    """Validate `config` for run kind `kind`, write the run and its stages, enqueue it.

    Returns the run and whether it was created; a repeated `idempotency_key` with the same
    kind and config returns the existing run, with another body raises a conflict.
    """
    run_kind = run_kind_get(kind)
    cleaned = run_kind.config_validate(config)
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationFailedError(
            f"The Idempotency-Key header may be at most {IDEMPOTENCY_KEY_MAX} characters.",
            details={"idempotency_key": ["Too long."]},
        )
    fingerprint = _fingerprint(cleaned)
    if idempotency_key:
        existing = _idempotent_match(
            user=user, kind=kind, key=idempotency_key, fingerprint=fingerprint
        )
        if existing is not None:
            return existing, False

    run_config = run_kind.config_complete(cleaned)
    now = timezone.now()
    try:
        with transaction.atomic():
            pipeline = GenerationPipeline(
                user=user,
                kind=kind,
                config=run_config,
                provider=run_config.get("provider", ""),
                status=PipelineStatus.QUEUED,
                max_attempts=settings.FORGE_PIPELINE_MAX_ATTEMPTS,
                idempotency_key=idempotency_key,
                idempotency_fingerprint=fingerprint if idempotency_key else "",
                request_id=(request_id or "")[:128],
                expires_at=now + timedelta(seconds=settings.FORGE_PIPELINE_QUEUED_EXPIRY_SECONDS),
                enqueued_at=now if enqueue else None,
                event_seq=1,
            )
            pipeline.full_clean(exclude=["user", "asset"])
            pipeline.save()
            stages = PipelineStage.objects.bulk_create(
                PipelineStage(pipeline=pipeline, name=name, order=order)
                for order, name in enumerate(run_kind.stage_names)
            )
            if enqueue:
                run_enqueue(pipeline, now)
            pipeline_event_publish_on_commit(pipeline, stages)
    except IntegrityError:
        if not idempotency_key:
            raise
        # Another request with the same key won the race: answer like a repeat.
        existing = _idempotent_match(
            user=user, kind=kind, key=idempotency_key, fingerprint=fingerprint
        )
        if existing is None:
            raise
        return existing, False
    log.info(
        "pipeline_created",
        pipeline_id=str(pipeline.id),
        kind=kind,
        provider=pipeline.provider,
        quality=run_config.get("quality"),
        presets=len(run_config.get("presets", [])),
    )
    return pipeline, True


def pipeline_create(
    *,
    user,
    config: Any,
    idempotency_key: str = "",
    request_id: str = "",
    enqueue: bool = True,
) -> tuple[GenerationPipeline, bool]:
    """Create a generation run from `config` (see `run_create`)."""
    return run_create(
        user=user,
        kind=PipelineKind.GENERATION,
        config=config,
        idempotency_key=idempotency_key,
        request_id=request_id,
        enqueue=enqueue,
    )
