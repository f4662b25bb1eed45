"""Pipelines: create, run, cancel, retry, reap and clean up generation pipelines.

A pipeline runs in a django-q2 worker (`pipelines.tasks.pipeline_run`). The worker claims
it by taking a lease (owner + expiry + attempt number) in one locked UPDATE, renews the
lease from a heartbeat thread while stages run, and fences every write-back on owner and
attempt, so a worker that lost its lease can never overwrite a newer attempt. Stage
outputs that are files are checkpointed in storage under
`pipelines/<id>/<stage>/a<attempt>/` and their keys recorded on the stage, so a resumed
pipeline skips the stages it already finished. Every committed state change bumps
`event_seq` in the same transaction and is published to the live-status groups after
commit (see `pipelines.events`).
"""

import hashlib
import json
import os
import random
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from assets.models import AssetArtStyle, AssetKind, AssetVisibility, MaterialPreset
from errors.services import error_record
from forge.exceptions import ApplicationError, ConflictError, ValidationFailedError
from forge.oncommit import enqueue_on_commit
from forge.requestid import request_id_set
from forge.storage import storage_tree_delete
from pipelines.events import pipeline_event_publish_on_commit
from pipelines.models import (
    DONE_STAGE_STATUSES,
    FINISHED_STATUSES,
    STAGE_ORDER,
    STAGE_WEIGHTS,
    GenerationPipeline,
    PipelineQuality,
    PipelineStage,
    PipelineStatus,
    StageName,
    StageStatus,
)
from pipelines.providers import provider_get
from pipelines.providers.base import PresetSpec, ProviderCanceled, ProviderError
from pipelines.stages.generate_mesh import generate_mesh
from pipelines.stages.optimize import optimize
from pipelines.stages.prepare import prepare
from pipelines.stages.publish import publish_plan
from pipelines.stages.texture_variants import texture_variants
from pipelines.stages.thumbnail import thumbnails

log = structlog.get_logger("pipelines")

RUN_TASK = "pipelines.tasks.pipeline_run"
PROMPT_MIN, PROMPT_MAX = 3, 600
NEGATIVE_PROMPT_MAX = 600
MAX_PRESETS = 8
SEED_MAX = 2**31 - 1
IDEMPOTENCY_KEY_MAX = 255
CONFIG_FIELDS = (
    "prompt",
    "negative_prompt",
    "kind",
    "art_style",
    "quality",
    "presets",
    "seed",
    "provider",
    "visibility",
)
PIPELINE_WRITE_FIELDS = [
    "status",
    "progress",
    "current_stage",
    "error_code",
    "error_message",
    "error_retryable",
    "result",
    "external_task_id",
    "attempt",
    "max_attempts",
    "lease_owner",
    "lease_expires_at",
    "heartbeat_at",
    "next_attempt_at",
    "cancel_requested_at",
    "event_seq",
    "asset",
    "started_at",
    "finished_at",
    "expires_at",
    "updated_at",
]
STAGE_WRITE_FIELDS = [
    "status",
    "progress",
    "attempts",
    "external_task_id",
    "started_at",
    "finished_at",
    "output",
    "error_code",
    "error_message",
]


# ---------------------------------------------------------------------------------------
# Configuration and creation
# ---------------------------------------------------------------------------------------


def pipeline_config_validate(*, data: Any) -> dict[str, Any]:
    """Return the cleaned generation config in `data`; raise ValidationFailedError per field.

    `seed` stays None when not given (creation picks one), so the cleaned config of a
    repeated request is identical and can be compared for idempotency.
    """
    if not isinstance(data, dict):
        raise ValidationFailedError(
            "The body must be a JSON object.", details={"non_field_errors": ["Expected an object."]}
        )
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(data) - set(CONFIG_FIELDS))
    if unknown:
        errors["non_field_errors"] = [f"Unknown field(s): {', '.join(unknown)}."]

    def text(name: str, *, default: str = "") -> str:
        value = data.get(name, default)
        if value is None:
            value = default
        if not isinstance(value, str):
            errors[name] = ["Must be a string."]
            return default
        return " ".join(value.split())

    def choice(name: str, choices: list[str], default: str) -> str:
        value = data.get(name) or default
        if value not in choices:
            errors[name] = [f"Must be one of: {', '.join(choices)}."]
        return value

    prompt = text("prompt")
    if "prompt" not in errors:
        if not prompt:
            errors["prompt"] = ["This field is required."]
        elif len(prompt) < PROMPT_MIN:
            errors["prompt"] = [f"Use at least {PROMPT_MIN} characters."]
        elif len(prompt) > PROMPT_MAX:
            errors["prompt"] = [f"Use at most {PROMPT_MAX} characters."]
    negative_prompt = text("negative_prompt")
    if len(negative_prompt) > NEGATIVE_PROMPT_MAX:
        errors["negative_prompt"] = [f"Use at most {NEGATIVE_PROMPT_MAX} characters."]
    kind = choice("kind", AssetKind.values, AssetKind.PROP)
    art_style = choice("art_style", AssetArtStyle.values, AssetArtStyle.REALISTIC)
    quality = choice("quality", PipelineQuality.values, PipelineQuality.STANDARD)
    visibility = choice("visibility", AssetVisibility.values, AssetVisibility.PRIVATE)
    provider = choice("provider", list(settings.FORGE_ENABLED_PROVIDERS), settings.FORGE_PROVIDER)
    if "provider" not in errors and provider not in settings.FORGE_PROVIDERS:
        errors["provider"] = [f"Provider {provider!r} is not configured."]

    seed = data.get("seed")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX
    ):
        errors["seed"] = [f"Must be a whole number from 0 to {SEED_MAX}."]

    presets = data.get("presets") or []
    if not isinstance(presets, list) or not all(isinstance(p, str) for p in presets):
        errors["presets"] = ["Must be a list of preset slugs."]
        presets = []
    elif len(presets) > MAX_PRESETS:
        errors["presets"] = [f"Choose at most {MAX_PRESETS} presets."]
    elif len(set(presets)) != len(presets):
        errors["presets"] = ["Each preset may be chosen once."]
    elif presets:
        active = set(
            MaterialPreset.objects.filter(slug__in=presets, is_active=True).values_list(
                "slug", flat=True
            )
        )
        missing = [slug for slug in presets if slug not in active]
        if missing:
            errors["presets"] = [f"Unknown or inactive preset(s): {', '.join(missing)}."]

    if errors:
        first_field, first = next(iter(errors.items()))
        message = first[0] if first_field == "non_field_errors" else f"{first_field}: {first[0]}"
        raise ValidationFailedError(message, details=errors)
    return {
        "prompt": prompt,
        "negative_prompt": negative_prompt,
        "kind": kind,
        "art_style": art_style,
        "quality": quality,
        "presets": list(presets),
        "seed": seed,
        "provider": provider,
        "visibility": visibility,
    }


def _fingerprint(config: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()


def _idempotent_match(*, user, key: str, fingerprint: str) -> GenerationPipeline | None:
    existing = GenerationPipeline.objects.filter(user=user, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.idempotency_fingerprint != fingerprint:
        raise ConflictError(
            "This Idempotency-Key was already used with a different request body.",
            details={"idempotency_key": key, "pipeline_id": str(existing.id)},
        )
    return existing


def pipeline_create(
    *,
    user,
    config: Any,
    idempotency_key: str = "",
    request_id: str = "",
    enqueue: bool = True,
) -> tuple[GenerationPipeline, bool]:
    """Validate `config`, write the pipeline and its stages, and enqueue its run, atomically.

    Returns the pipeline and whether it was created; a repeated `idempotency_key` with
    the same config returns the existing pipeline, with another config raises a conflict.
    """
    cleaned = pipeline_config_validate(data=config)
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationFailedError(
            f"The Idempotency-Key header may be at most {IDEMPOTENCY_KEY_MAX} characters.",
            details={"idempotency_key": ["Too long."]},
        )
    fingerprint = _fingerprint(cleaned)
    if idempotency_key:
        existing = _idempotent_match(user=user, key=idempotency_key, fingerprint=fingerprint)
        if existing is not None:
            return existing, False

    run_config = {**cleaned}
    if run_config["seed"] is None:
        run_config["seed"] = secrets.randbelow(SEED_MAX + 1)
    now = timezone.now()
    try:
        with transaction.atomic():
            pipeline = GenerationPipeline(
                user=user,
                config=run_config,
                provider=run_config["provider"],
                status=PipelineStatus.QUEUED,
                max_attempts=settings.FORGE_PIPELINE_MAX_ATTEMPTS,
                idempotency_key=idempotency_key,
                idempotency_fingerprint=fingerprint if idempotency_key else "",
                request_id=(request_id or "")[:128],
                expires_at=now + timedelta(seconds=settings.FORGE_PIPELINE_QUEUED_EXPIRY_SECONDS),
                event_seq=1,
            )
            pipeline.full_clean(exclude=["user", "asset"])
            pipeline.save()
            stages = PipelineStage.objects.bulk_create(
                PipelineStage(pipeline=pipeline, name=name, order=order)
                for order, name in enumerate(STAGE_ORDER)
            )
            if enqueue:
                enqueue_on_commit(RUN_TASK, str(pipeline.id))
            pipeline_event_publish_on_commit(pipeline, stages)
    except IntegrityError:
        if not idempotency_key:
            raise
        # Another request with the same key won the race: answer like a repeat.
        existing = _idempotent_match(user=user, key=idempotency_key, fingerprint=fingerprint)
        if existing is None:
            raise
        return existing, False
    log.info(
        "pipeline_created",
        pipeline_id=str(pipeline.id),
        provider=pipeline.provider,
        quality=run_config["quality"],
        presets=len(run_config["presets"]),
    )
    return pipeline, True


# ---------------------------------------------------------------------------------------
# Cancel and retry
# ---------------------------------------------------------------------------------------


def _stages_locked(pipeline: GenerationPipeline) -> list[PipelineStage]:
    return list(PipelineStage.objects.filter(pipeline=pipeline).order_by("order"))


def _stages_cancel(stages: list[PipelineStage], now: datetime) -> list[PipelineStage]:
    changed = []
    for stage in stages:
        if stage.status not in DONE_STAGE_STATUSES and stage.status != StageStatus.CANCELED:
            stage.status = StageStatus.CANCELED
            if stage.started_at and not stage.finished_at:
                stage.finished_at = now
            changed.append(stage)
    return changed


def _lease_clear(pipeline: GenerationPipeline) -> None:
    pipeline.lease_owner = ""
    pipeline.lease_expires_at = None


def _save_and_publish(
    pipeline: GenerationPipeline,
    stages: list[PipelineStage],
    changed: list[PipelineStage],
    now: datetime,
) -> None:
    for stage in changed:
        stage.save(update_fields=STAGE_WRITE_FIELDS)
    pipeline.event_seq += 1
    pipeline.updated_at = now
    pipeline.save(update_fields=PIPELINE_WRITE_FIELDS)
    pipeline_event_publish_on_commit(pipeline, stages)


def pipeline_files_delete(*, pipeline_id) -> int:
    """Delete every checkpoint file of pipeline `pipeline_id`; return how many were deleted."""
    return storage_tree_delete(f"pipelines/{pipeline_id}")


def _files_delete_on_commit(pipeline_id) -> None:
    def delete() -> None:
        try:
            pipeline_files_delete(pipeline_id=pipeline_id)
        except Exception:  # the daily cleanup sweeps anything left behind
            log.exception("pipeline_files_delete_failed", pipeline_id=str(pipeline_id))

    transaction.on_commit(delete)


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
    stages = _stages_locked(locked)
    changed: list[PipelineStage] = []
    if locked.status == PipelineStatus.QUEUED:
        locked.status = PipelineStatus.CANCELED
        locked.finished_at = now
        locked.next_attempt_at = None
        changed = _stages_cancel(stages, now)
        _files_delete_on_commit(locked.id)
    _save_and_publish(locked, stages, changed, now)
    log.info("pipeline_cancel_requested", pipeline_id=str(locked.id), status=locked.status)
    return locked


@transaction.atomic
def pipeline_retry(*, pipeline: GenerationPipeline) -> GenerationPipeline:
    """Queue a failed `pipeline` again as a new attempt that continues from its failed stage."""
    locked = GenerationPipeline.objects.select_for_update().get(pk=pipeline.pk)
    if locked.status != PipelineStatus.FAILED:
        raise ConflictError(f"Only a failed pipeline can be retried; this one is {locked.status}.")
    now = timezone.now()
    stages = _stages_locked(locked)
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
    locked.progress = _progress(stages)
    _lease_clear(locked)
    _save_and_publish(locked, stages, changed, now)
    enqueue_on_commit(RUN_TASK, str(locked.id))
    log.info("pipeline_retried", pipeline_id=str(locked.id), attempt=locked.attempt)
    return locked


# ---------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------


class _LeaseLost(Exception):
    """This worker no longer owns the pipeline: stop without writing anything."""


class _CancelRequested(Exception):
    """The pipeline's owner asked to cancel it."""


def _progress(
    stages: list[PipelineStage], current: str | None = None, fraction: float = 0.0
) -> int:
    done = sum(STAGE_WEIGHTS[s.name] for s in stages if s.status in DONE_STAGE_STATUSES)
    if current is not None:
        done += STAGE_WEIGHTS[current] * max(0.0, min(1.0, fraction))
    return max(0, min(99, int(done)))


def backoff_seconds(attempt: int) -> float:
    """Return the delay before run `attempt + 1`: exponential from the base, capped, jittered.

    Equal jitter: half the exponential delay plus a random share of the other half, so
    retries of many pipelines failing together spread out but never come back at once.
    """
    base = settings.FORGE_PIPELINE_BACKOFF_BASE_SECONDS
    cap = settings.FORGE_PIPELINE_BACKOFF_CAP_SECONDS
    delay = min(cap, base * (2 ** max(0, attempt - 1)))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not security


def worker_id_new() -> str:
    """Return an identifier for this worker process, unique per run."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class _ErrorInfo:
    code: str
    message: str
    retryable: bool
    category: str
    service: str | None


def _error_classify(exc: BaseException, *, provider: str, stage: str) -> _ErrorInfo:
    from assets.glb import GlbInvalidError

    if isinstance(exc, ProviderError):
        return _ErrorInfo(exc.code, exc.message, exc.retryable, "external", exc.service or provider)
    if isinstance(exc, GlbInvalidError):
        return _ErrorInfo(
            "invalid_mesh",
            f"The provider returned an unusable model: {exc.message}",
            False,
            "external",
            provider,
        )
    if isinstance(exc, ApplicationError):
        return _ErrorInfo(str(exc.code), exc.message, exc.retryable, "internal", None)
    if isinstance(exc, DatabaseError):
        return _ErrorInfo(
            "database_unavailable",
            f"The database failed during stage {stage}.",
            True,
            "database",
            "postgresql",
        )
    return _ErrorInfo(
        "internal_error", f"An internal error stopped stage {stage}.", False, "internal", None
    )


def _checkpoint_key(pipeline_id, stage: str, attempt: int, name: str) -> str:
    return f"pipelines/{pipeline_id}/{stage}/a{attempt}/{name}"


def _checkpoint_save(key: str, data: bytes) -> str:
    if default_storage.exists(key):
        default_storage.delete(key)
    return default_storage.save(key, ContentFile(data))


def _checkpoint_load(key: str) -> bytes:
    with default_storage.open(key, "rb") as handle:
        return handle.read()


def _preset_specs(slugs: list[str]) -> list[PresetSpec]:
    presets = {p.slug: p for p in MaterialPreset.objects.filter(slug__in=slugs)}
    return [
        PresetSpec(
            slug=p.slug,
            name=p.name,
            base_color=p.base_color,
            metallic=p.metallic,
            roughness=p.roughness,
            emissive=p.emissive or None,
            texture_prompt=p.texture_prompt,
        )
        for slug in slugs
        if (p := presets.get(slug)) is not None
    ]


class _Run:
    """One claimed attempt of one pipeline, held by this worker until it ends."""

    def __init__(self, pipeline: GenerationPipeline, worker_id: str):
        self.blobs: dict[str, bytes] = {}
        self.pipeline_id = pipeline.id
        self.user_id = pipeline.user_id
        self.owner = worker_id
        self.attempt = pipeline.attempt
        self.config = pipeline.config
        self.provider_name = pipeline.provider
        self.lease = timedelta(seconds=settings.FORGE_PIPELINE_LEASE_SECONDS)
        self.cancel_seen = threading.Event()
        self.lease_lost = threading.Event()
        self._stop = threading.Event()
        self.ended = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self._last_publish = 0.0
        self.timings: list[dict[str, Any]] | None = None
        self.started: set[str] = set()
        self.next_of: dict[str, str] = {}

    # -- checkpoints -------------------------------------------------------------------

    def checkpoint_save(self, key: str, data: bytes) -> str:
        """Store a stage output for resuming, and keep it for this run's later stages."""
        name = _checkpoint_save(key, data)
        self.blobs[name] = data
        return name

    def checkpoint_load(self, key: str) -> bytes:
        """Return a stage output: from this run's memory, or from storage after a resume."""
        data = self.blobs.get(key)
        return data if data is not None else _checkpoint_load(key)

    # -- lease -------------------------------------------------------------------------

    def should_cancel(self) -> bool:
        return self.cancel_seen.is_set() or self.lease_lost.is_set()

    def heartbeat_start(self) -> None:
        self._heartbeat = threading.Thread(
            target=self._heartbeat_loop, name=f"lease-{self.pipeline_id}", daemon=True
        )
        self._heartbeat.start()

    def heartbeat_stop(self) -> None:
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=10)

    def _heartbeat_loop(self) -> None:
        interval = settings.FORGE_PIPELINE_HEARTBEAT_SECONDS
        table = GenerationPipeline._meta.db_table
        sql = (
            f"UPDATE {table} SET lease_expires_at = %s, heartbeat_at = %s "  # noqa: S608
            "WHERE id = %s AND lease_owner = %s AND attempt = %s AND status = %s "
            "RETURNING cancel_requested_at"
        )
        try:
            while not self._stop.wait(interval):
                now = timezone.now()
                try:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            sql,
                            [
                                now + self.lease,
                                now,
                                self.pipeline_id,
                                self.owner,
                                self.attempt,
                                PipelineStatus.RUNNING,
                            ],
                        )
                        row = cursor.fetchone()
                except DatabaseError:
                    log.warning("pipeline_heartbeat_failed", pipeline_id=str(self.pipeline_id))
                    continue
                if row is None:
                    if not self.ended.is_set():  # not this run's own final write
                        self.lease_lost.set()
                        log.warning("pipeline_lease_lost", pipeline_id=str(self.pipeline_id))
                    return
                if row[0] is not None:
                    self.cancel_seen.set()
        finally:
            connection.close()

    # -- fenced writes -----------------------------------------------------------------

    def write(
        self,
        mutate: Callable[[GenerationPipeline, dict[str, PipelineStage]], list[PipelineStage]],
        *,
        publish: bool = True,
    ) -> GenerationPipeline:
        """Apply `mutate` to the pipeline and its stages if this run still owns the lease."""
        with transaction.atomic():
            pipeline = (
                GenerationPipeline.objects.select_for_update(of=("self",))
                .filter(
                    pk=self.pipeline_id,
                    lease_owner=self.owner,
                    attempt=self.attempt,
                    status=PipelineStatus.RUNNING,
                )
                .first()
            )
            if pipeline is None:
                self.lease_lost.set()
                raise _LeaseLost()
            stages = list(PipelineStage.objects.filter(pipeline=pipeline).order_by("order"))
            by_name = {stage.name: stage for stage in stages}
            changed = mutate(pipeline, by_name)
            if pipeline.status != PipelineStatus.RUNNING:
                self.ended.set()
            now = timezone.now()
            if pipeline.status == PipelineStatus.RUNNING:
                pipeline.lease_expires_at = now + self.lease
                pipeline.heartbeat_at = now
            for stage in changed:
                stage.save(update_fields=STAGE_WRITE_FIELDS)
            if publish:
                pipeline.event_seq += 1
            pipeline.updated_at = now
            pipeline.save(update_fields=PIPELINE_WRITE_FIELDS)
            if publish:
                pipeline_event_publish_on_commit(pipeline, stages)
                self._last_publish = time.monotonic()
        return pipeline

    @staticmethod
    def _stage_begin(pipeline: GenerationPipeline, stages: dict[str, PipelineStage], name: str):
        stage = stages[name]
        stage.status = StageStatus.RUNNING
        stage.attempts += 1
        stage.started_at = timezone.now()
        stage.finished_at = None
        stage.progress = 0
        stage.error_code = ""
        stage.error_message = ""
        pipeline.current_stage = name
        pipeline.progress = _progress(list(stages.values()), name, 0)
        return stage

    def stage_start(self, name: str) -> None:
        def mutate(pipeline, stages):
            if pipeline.cancel_requested_at is not None:
                raise _CancelRequested()
            return [self._stage_begin(pipeline, stages, name)]

        self.write(mutate)
        self.started.add(name)

    def stage_progress(self, name: str, fraction: float, output: dict | None = None) -> None:
        """Record progress (and a partial output) of stage `name`; publish at most 5 a second."""
        interval = settings.FORGE_PIPELINE_PROGRESS_INTERVAL_SECONDS
        publish = time.monotonic() - self._last_publish >= interval
        if output is None and not publish:
            return

        progress = max(0, min(99, int(fraction * 100)))
        if not publish:
            # A checkpoint nobody is told about yet: one fenced UPDATE of the stage row.
            updated = PipelineStage.objects.filter(
                pipeline_id=self.pipeline_id,
                name=name,
                pipeline__lease_owner=self.owner,
                pipeline__attempt=self.attempt,
                pipeline__status=PipelineStatus.RUNNING,
            ).update(progress=progress, output=output)
            if not updated:
                self.lease_lost.set()
                raise _LeaseLost()
            return

        def mutate(pipeline, stages):
            stage = stages[name]
            stage.progress = progress
            if output is not None:
                stage.output = output
            pipeline.progress = _progress(list(stages.values()), name, fraction)
            return [stage]

        self.write(mutate)

    def stage_finish(self, name: str, output: dict, *, external_task_id: str = "") -> None:
        """Mark stage `name` done and, unless a cancel is pending, start the next one with it.

        One transaction (and one event) per stage boundary keeps the orchestration cheap.
        """
        next_name = self.next_of.get(name)
        begun: list[str] = []

        def mutate(pipeline, stages):
            stage = stages[name]
            stage.status = StageStatus.SUCCEEDED
            stage.progress = 100
            stage.finished_at = timezone.now()
            stage.output = output
            if external_task_id:
                stage.external_task_id = external_task_id[:100]
                pipeline.external_task_id = external_task_id[:100]
            pipeline.progress = _progress(list(stages.values()))
            changed = [stage]
            if next_name and pipeline.cancel_requested_at is None:
                changed.append(self._stage_begin(pipeline, stages, next_name))
                begun.append(next_name)
            return changed

        self.write(mutate)
        self.started.update(begun)

    # -- ends --------------------------------------------------------------------------

    def finish_canceled(self) -> GenerationPipeline:
        def mutate(pipeline, stages):
            now = timezone.now()
            pipeline.status = PipelineStatus.CANCELED
            pipeline.finished_at = now
            _lease_clear(pipeline)
            return _stages_cancel(list(stages.values()), now)

        pipeline = self.write(mutate)
        _files_delete_on_commit(pipeline.id)
        log.info("pipeline_canceled", pipeline_id=str(self.pipeline_id))
        return pipeline

    def fail(self, name: str, exc: BaseException) -> GenerationPipeline:
        info = _error_classify(exc, provider=self.provider_name, stage=name)
        result: dict[str, Any] = {}

        def mutate(pipeline, stages):
            now = timezone.now()
            stage = stages[name]
            stage.status = StageStatus.FAILED
            stage.finished_at = now
            stage.error_code = info.code[:64]
            stage.error_message = info.message
            pipeline.error_code = info.code[:64]
            pipeline.error_message = info.message
            pipeline.error_retryable = info.retryable
            _lease_clear(pipeline)
            if info.retryable and pipeline.attempt < pipeline.max_attempts:
                delay = backoff_seconds(pipeline.attempt)
                pipeline.status = PipelineStatus.QUEUED
                pipeline.next_attempt_at = now + timedelta(seconds=delay)
                pipeline.expires_at = pipeline.next_attempt_at + timedelta(
                    seconds=settings.FORGE_PIPELINE_QUEUED_EXPIRY_SECONDS
                )
                result["retry_in"] = round(delay, 3)
            else:
                pipeline.status = PipelineStatus.FAILED
                pipeline.finished_at = now
            return [stage]

        pipeline = self.write(mutate)
        error_record(
            exc=exc,
            message=info.message,
            severity="warning" if pipeline.status == PipelineStatus.QUEUED else "error",
            category=info.category,
            external_service=info.service,
            error_code=info.code,
            request_id=pipeline.request_id or None,
            context={
                "pipeline_id": str(pipeline.id),
                "stage": name,
                "attempt": pipeline.attempt,
                "max_attempts": pipeline.max_attempts,
                "will_retry": pipeline.status == PipelineStatus.QUEUED,
                **result,
            },
        )
        log.info(
            "pipeline_stage_failed",
            pipeline_id=str(pipeline.id),
            stage=name,
            code=info.code,
            retryable=info.retryable,
            status=pipeline.status,
            **result,
        )
        return pipeline

    # -- stages ------------------------------------------------------------------------

    def execute(self) -> GenerationPipeline | None:
        stages = list(PipelineStage.objects.filter(pipeline_id=self.pipeline_id).order_by("order"))
        todo = [stage.name for stage in stages if stage.status not in DONE_STAGE_STATUSES]
        self.next_of = dict(zip(todo, todo[1:], strict=False))
        outputs: dict[str, dict] = {}
        provider = None
        pipeline = None
        for stage in stages:
            if stage.status in DONE_STAGE_STATUSES:
                outputs[stage.name] = stage.output
                continue
            started = time.perf_counter()
            try:
                if stage.name not in self.started:
                    self.stage_start(stage.name)
                if provider is None and stage.name in (
                    StageName.GENERATE_MESH,
                    StageName.TEXTURE_VARIANTS,
                ):
                    provider = provider_get(self.provider_name)
                function_seconds, pipeline = self._stage_run(stage, outputs, provider)
            except _LeaseLost:
                log.warning("pipeline_run_abandoned", pipeline_id=str(self.pipeline_id))
                return None
            except (_CancelRequested, ProviderCanceled):
                if self.lease_lost.is_set():
                    log.warning("pipeline_run_abandoned", pipeline_id=str(self.pipeline_id))
                    return None
                try:
                    return self.finish_canceled()
                except _LeaseLost:
                    return None
            except Exception as exc:  # every stage failure becomes the pipeline's error
                log.warning(
                    "pipeline_stage_error",
                    pipeline_id=str(self.pipeline_id),
                    stage=stage.name,
                    exc_info=exc,
                )
                try:
                    return self.fail(stage.name, exc)
                except _LeaseLost:
                    return None
            if self.timings is not None:
                self.timings.append(
                    {
                        "stage": stage.name,
                        "function_s": function_seconds,
                        "total_s": time.perf_counter() - started,
                    }
                )
        return pipeline

    def _stage_run(
        self, stage: PipelineStage, outputs: dict[str, dict], provider
    ) -> tuple[float, GenerationPipeline | None]:
        name = stage.name
        key = lambda filename: _checkpoint_key(self.pipeline_id, name, self.attempt, filename)  # noqa: E731
        if name == StageName.PREPARE:
            started = time.perf_counter()
            prepared = prepare(config=self.config)
            elapsed = time.perf_counter() - started
            outputs[name] = {"prepared": prepared}
            self.stage_finish(name, outputs[name])
            return elapsed, None

        prepared = outputs[StageName.PREPARE]["prepared"]
        if name == StageName.GENERATE_MESH:
            started = time.perf_counter()
            mesh = generate_mesh(
                prepared=prepared, provider=provider, should_cancel=self.should_cancel
            )
            elapsed = time.perf_counter() - started
            outputs[name] = {
                "glb_key": self.checkpoint_save(key("mesh.glb"), mesh.glb),
                "object_kind": mesh.object_kind,
                "recognised": mesh.recognised,
                "notes": list(mesh.notes),
                "external_task_id": mesh.external_task_id or "",
                "file_size": len(mesh.glb),
            }
            self.stage_finish(name, outputs[name], external_task_id=mesh.external_task_id or "")
            return elapsed, None

        if name == StageName.OPTIMIZE:
            glb = self.checkpoint_load(outputs[StageName.GENERATE_MESH]["glb_key"])
            started = time.perf_counter()
            result = optimize(glb=glb, triangle_budget=prepared["triangle_budget"])
            elapsed = time.perf_counter() - started
            info = result.info
            outputs[name] = {
                "glb_key": self.checkpoint_save(key("model.glb"), result.glb),
                "sha256": info.sha256,
                "file_size": info.file_size,
                "bounding_box": info.bounding_box,
                "mesh_count": info.mesh_count,
                "material_count": info.material_count,
                **result.stats,
            }
            self.stage_finish(name, outputs[name])
            return elapsed, None

        if name == StageName.TEXTURE_VARIANTS:
            return self._texture_variants(stage, outputs, provider, prepared), None

        if name == StageName.THUMBNAIL:
            glb = self.checkpoint_load(outputs[StageName.OPTIMIZE]["glb_key"])
            variant_files = {
                v["preset"]: self.checkpoint_load(v["glb_key"])
                for v in outputs[StageName.TEXTURE_VARIANTS]["variants"]
            }
            started = time.perf_counter()
            main, rendered = thumbnails(
                glb=glb,
                variants=variant_files,
                on_progress=lambda f: self.stage_progress(name, f),
            )
            elapsed = time.perf_counter() - started
            outputs[name] = {
                "thumbnail_key": self.checkpoint_save(key("thumbnail.png"), main),
                "variants": {
                    slug: self.checkpoint_save(key(f"variant-{slug}.png"), png)
                    for slug, png in rendered.items()
                },
            }
            self.stage_finish(name, outputs[name])
            return elapsed, None

        if name == StageName.PUBLISH:
            return self._publish(outputs, prepared)
        raise ValueError(f"unknown stage {name}")

    def _texture_variants(self, stage, outputs, provider, prepared) -> float:
        name = StageName.TEXTURE_VARIANTS
        glb = self.checkpoint_load(outputs[StageName.OPTIMIZE]["glb_key"])
        done = [v for v in (stage.output or {}).get("variants", []) if v.get("glb_key")]
        done = [v for v in done if default_storage.exists(v["glb_key"])]
        done_slugs = {v["preset"] for v in done}
        wanted = prepared["presets"]
        remaining = _preset_specs([slug for slug in wanted if slug not in done_slugs])
        total = max(1, len(wanted))
        function_seconds = 0.0
        mark = time.perf_counter()

        def on_variant(preset: PresetSpec, result) -> None:
            nonlocal function_seconds, mark
            function_seconds += time.perf_counter() - mark
            key = _checkpoint_key(
                self.pipeline_id, name, self.attempt, f"variant-{preset.slug}.glb"
            )
            done.append(
                {
                    "preset": preset.slug,
                    "glb_key": self.checkpoint_save(key, result.glb),
                    "external_task_id": result.external_task_id or "",
                }
            )
            if len(done) < total:
                # Checkpoint each finished variant; the last one is recorded by stage_finish.
                self.stage_progress(name, len(done) / total, output={"variants": list(done)})
            mark = time.perf_counter()

        texture_variants(
            glb=glb,
            presets=remaining,
            seed=prepared["seed"],
            provider=provider,
            should_cancel=self.should_cancel,
            on_variant=on_variant,
        )
        function_seconds += time.perf_counter() - mark
        order = {slug: index for index, slug in enumerate(wanted)}
        done.sort(key=lambda v: order.get(v["preset"], len(order)))
        outputs[name] = {"variants": done}
        self.stage_finish(name, outputs[name])
        return function_seconds

    def _publish(self, outputs, prepared) -> tuple[float, GenerationPipeline]:
        from assets.services import VariantInput, asset_create_generated

        name = StageName.PUBLISH
        optimized = outputs[StageName.OPTIMIZE]
        thumbs = outputs[StageName.THUMBNAIL]
        variants = outputs[StageName.TEXTURE_VARIANTS]["variants"]
        started = time.perf_counter()
        plan = publish_plan(
            prepared=prepared,
            mesh=outputs[StageName.GENERATE_MESH],
            optimized=optimized,
            provider_name=self.provider_name,
        )
        elapsed = time.perf_counter() - started
        glb = self.checkpoint_load(optimized["glb_key"])
        thumbnail_png = self.checkpoint_load(thumbs["thumbnail_key"])
        presets = {p.slug: p for p in MaterialPreset.objects.filter(slug__in=prepared["presets"])}
        variant_inputs = [
            VariantInput(
                preset=presets[v["preset"]],
                glb=self.checkpoint_load(v["glb_key"]),
                thumbnail_png=self.checkpoint_load(thumbs["variants"][v["preset"]]),
                external_task_id=v.get("external_task_id", ""),
            )
            for v in variants
        ]

        def mutate(pipeline, stages):
            nonlocal elapsed
            if pipeline.cancel_requested_at is not None:
                raise _CancelRequested()
            creating = time.perf_counter()
            asset = asset_create_generated(
                owner=pipeline.user,
                name=plan["name"],
                description=plan["description"],
                kind=prepared["kind"],
                art_style=prepared["art_style"],
                tags=plan["tags"],
                visibility=prepared["visibility"],
                glb=glb,
                thumbnail_png=thumbnail_png,
                generation_params={**plan["generation_params"], "pipeline_id": str(pipeline.id)},
                variants=variant_inputs,
            )
            elapsed += time.perf_counter() - creating
            now = timezone.now()
            stage = stages[name]
            stage.status = StageStatus.SUCCEEDED
            stage.progress = 100
            stage.finished_at = now
            stage.output = {"asset_id": str(asset.id)}
            pipeline.asset = asset
            pipeline.status = PipelineStatus.SUCCEEDED
            pipeline.progress = 100
            pipeline.current_stage = ""
            pipeline.finished_at = now
            pipeline.error_code = ""
            pipeline.error_message = ""
            pipeline.error_retryable = False
            pipeline.result = {
                "asset_id": str(asset.id),
                "variant_count": len(variant_inputs),
                "object_kind": outputs[StageName.GENERATE_MESH].get("object_kind", ""),
                "recognised": outputs[StageName.GENERATE_MESH].get("recognised", True),
                "notes": outputs[StageName.GENERATE_MESH].get("notes", []),
                "vertex_count": optimized.get("vertex_count"),
                "triangle_count": optimized.get("triangle_count"),
            }
            _lease_clear(pipeline)
            return [stage]

        pipeline = self.write(mutate)
        _files_delete_on_commit(pipeline.id)
        log.info(
            "pipeline_succeeded",
            pipeline_id=str(pipeline.id),
            asset_id=str(pipeline.asset_id),
            attempt=pipeline.attempt,
        )
        return elapsed, pipeline


def _claim(pipeline_id, worker_id: str) -> tuple[GenerationPipeline | None, str, str]:
    """Take the lease on a queued, due pipeline and start its first unfinished stage."""
    now = timezone.now()
    with transaction.atomic():
        pipeline = (
            GenerationPipeline.objects.select_for_update()
            .filter(pk=pipeline_id, status=PipelineStatus.QUEUED)
            .first()
        )
        if pipeline is None:
            return None, "not_queued", ""
        if pipeline.next_attempt_at is not None and pipeline.next_attempt_at > now:
            return None, "backing_off", ""
        stages = _stages_locked(pipeline)
        pipeline.status = PipelineStatus.RUNNING
        pipeline.attempt += 1
        pipeline.lease_owner = worker_id
        pipeline.lease_expires_at = now + timedelta(seconds=settings.FORGE_PIPELINE_LEASE_SECONDS)
        pipeline.heartbeat_at = now
        pipeline.next_attempt_at = None
        pipeline.started_at = pipeline.started_at or now
        pipeline.error_code = ""
        pipeline.error_message = ""
        pipeline.error_retryable = False
        first = next((st for st in stages if st.status not in DONE_STAGE_STATUSES), None)
        changed = []
        if first is not None:
            changed.append(_Run._stage_begin(pipeline, {st.name: st for st in stages}, first.name))
        _save_and_publish(pipeline, stages, changed, now)
    return pipeline, "claimed", first.name if first is not None else ""


def pipeline_run(
    *,
    pipeline_id,
    worker_id: str | None = None,
    timings: list[dict[str, Any]] | None = None,
) -> GenerationPipeline | None:
    """Claim pipeline `pipeline_id` and run its unfinished stages; return it, or None if not run.

    `timings`, when given, receives each stage's function time and total time (benchmarks).
    """
    pipeline, outcome, first_stage = _claim(pipeline_id, worker_id or worker_id_new())
    if pipeline is None:
        log.info("pipeline_claim_skipped", pipeline_id=str(pipeline_id), reason=outcome)
        return None
    structlog.contextvars.bind_contextvars(
        pipeline_id=str(pipeline.id), attempt=pipeline.attempt, request_id=pipeline.request_id
    )
    request_id_set(pipeline.request_id)
    log.info("pipeline_claimed", worker=pipeline.lease_owner)
    run = _Run(pipeline, pipeline.lease_owner)
    run.timings = timings
    if first_stage:
        run.started.add(first_stage)
    run.heartbeat_start()
    try:
        return run.execute()
    finally:
        run.heartbeat_stop()
        structlog.contextvars.unbind_contextvars("pipeline_id", "attempt", "request_id")
        request_id_set("")


# ---------------------------------------------------------------------------------------
# Scheduled jobs
# ---------------------------------------------------------------------------------------

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
            stages = _stages_locked(pipeline)
            changed = []
            for stage in stages:
                if stage.status == StageStatus.RUNNING:
                    stage.status = StageStatus.PENDING
                    stage.error_message = "The worker running this stage stopped responding."
                    changed.append(stage)
            _lease_clear(pipeline)
            if pipeline.cancel_requested_at is not None:
                pipeline.status = PipelineStatus.CANCELED
                pipeline.finished_at = now
                changed = list({*changed, *_stages_cancel(stages, now)})
                _files_delete_on_commit(pipeline.id)
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
                enqueue_on_commit(RUN_TASK, str(pipeline.id))
                counts["requeued"] += 1
            _save_and_publish(pipeline, stages, changed, now)
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
                enqueue_on_commit(RUN_TASK, str(pipeline_id))
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
            stages = _stages_locked(pipeline)
            pipeline.status = PipelineStatus.EXPIRED
            pipeline.finished_at = now
            pipeline.error_code = "expired"
            pipeline.error_message = "No worker picked the pipeline up in time."
            pipeline.error_retryable = False
            _save_and_publish(pipeline, stages, _stages_cancel(stages, now), now)
            _files_delete_on_commit(pipeline.id)
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
