"""The run: one claimed attempt of one pipeline, its kind's recipe executed stage by stage.

Each stage's step (`pipelines.kinds`) calls a pure stage function; the engine starts and
finishes the stage rows (one event per stage boundary), checkpoints outputs, throttles
progress events, honours cancel, and turns any failure into a retry with backoff or a
final failure. A stage that succeeded is never run again: its output is the next
attempt's input.
"""

import random
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from errors.services import error_record
from forge.exceptions import ApplicationError
from forge.requestid import request_id_set
from pipelines.kinds import RunKind, run_kind_get
from pipelines.models import (
    DONE_STAGE_STATUSES,
    GenerationPipeline,
    PipelineStage,
    PipelineStatus,
    StageStatus,
)
from pipelines.observe import run_observe, stage_observe
from pipelines.providers import provider_get
from pipelines.providers.base import ProviderCanceled, ProviderError, RemoteTaskPending
from pipelines.services.checkpoints import Checkpoints, files_delete_on_commit
from pipelines.services.leases import Lease, LeaseLost, lease_claim, worker_id_new
from pipelines.services.remote import StageRemoteTasks, park_mutate, remote_wait_seconds
from pipelines.services.state import lease_clear, progress_of, stage_begin, stages_cancel

log = structlog.get_logger("pipelines")


class CancelRequested(Exception):
    """The pipeline's owner asked to cancel it."""


def backoff_seconds(attempt: int) -> float:
    """Return the delay before run `attempt + 1`: exponential from the base, capped, jittered.

    Equal jitter: half the exponential delay plus a random share of the other half, so
    retries of many pipelines failing together spread out but never come back at once.
    """
    base = settings.FORGE_PIPELINE_BACKOFF_BASE_SECONDS
    cap = settings.FORGE_PIPELINE_BACKOFF_CAP_SECONDS
    delay = min(cap, base * (2 ** max(0, attempt - 1)))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not security


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


class _StepContext:
    """What one stage's step sees of the run (`pipelines.kinds.StepContext`)."""

    def __init__(self, run: "_Run", stage: PipelineStage, outputs: dict[str, dict]):
        self._run = run
        self._stage = stage.name
        self.config = run.config
        self.outputs = outputs
        self.partial = stage.output or {}
        self.function_seconds = 0.0
        self._excluded = 0.0
        self.remote = StageRemoteTasks(
            partial=self.partial,
            write=lambda **fields: run.lease.write_stage(stage.name, **fields),
            owner=str(run.user_id),
            wait_seconds=remote_wait_seconds(),
        )

    @property
    def remote_tasks(self):
        """The `RemoteTasks` hooks for this stage's provider calls (IDs kept on the stage)."""
        return self.remote.hooks()

    def on_progress(self, fraction: float) -> None:
        """Report a provider's progress through this stage (live status)."""
        self.progress(fraction)

    @property
    def provider(self):
        return self._run.provider()

    def should_cancel(self) -> bool:
        return self._run.lease.should_cancel()

    def call(self, function, /, **kwargs):
        excluded = self._excluded
        started = time.perf_counter()
        try:
            return function(**kwargs)
        finally:
            elapsed = time.perf_counter() - started
            self.function_seconds += elapsed - (self._excluded - excluded)

    @contextmanager
    def engine_time(self):
        started = time.perf_counter()
        try:
            yield
        finally:
            self._excluded += time.perf_counter() - started

    def checkpoint_save(self, filename: str, data: bytes) -> str:
        return self._run.checkpoints.save(self._stage, filename, data)

    def checkpoint_load(self, key: str) -> bytes:
        return self._run.checkpoints.load(key)

    def checkpoint_exists(self, key: str) -> bool:
        return self._run.checkpoints.exists(key)

    def progress(self, fraction: float, *, output: dict | None = None) -> None:
        if output is not None:
            output = self.remote.merged(output)
        self._run.stage_progress(self._stage, fraction, output=output)


class _Run:
    """One claimed attempt of one pipeline, held by this worker until it ends."""

    def __init__(self, pipeline: GenerationPipeline, kind: RunKind):
        self.kind = kind
        self.pipeline_id = pipeline.id
        self.attempt = pipeline.attempt
        self.config = pipeline.config
        self.provider_name = pipeline.provider
        self.user_id = pipeline.user_id
        self.lease = Lease(pipeline)
        self.checkpoints = Checkpoints(pipeline.id, pipeline.attempt)
        self.timings: list[dict[str, Any]] | None = None
        self.started: set[str] = set()
        self.next_of: dict[str, str] = {}
        self._provider = None

    def provider(self):
        """Return the run's provider client, made on first use."""
        if self._provider is None:
            self._provider = provider_get(self.provider_name)
        return self._provider

    # -- stage transitions (fenced writes) -----------------------------------------------

    def stage_start(self, name: str) -> None:
        def mutate(pipeline, stages):
            if pipeline.cancel_requested_at is not None:
                raise CancelRequested()
            return [stage_begin(pipeline, stages, name)]

        self.lease.write(mutate)
        self.started.add(name)

    def stage_progress(self, name: str, fraction: float, output: dict | None = None) -> None:
        """Record progress (and a partial output) of stage `name`; publish at most 5 a second."""
        interval = settings.FORGE_PIPELINE_PROGRESS_INTERVAL_SECONDS
        publish = time.monotonic() - self.lease.last_publish >= interval
        if output is None and not publish:
            return

        progress = max(0, min(99, int(fraction * 100)))
        if not publish:
            # A checkpoint nobody is told about yet: one fenced UPDATE of the stage row.
            self.lease.write_stage(name, progress=progress, output=output)
            return

        def mutate(pipeline, stages):
            stage = stages[name]
            stage.progress = progress
            if output is not None:
                stage.output = output
            pipeline.progress = progress_of(pipeline, list(stages.values()), name, fraction)
            return [stage]

        self.lease.write(mutate)

    def stage_finish(self, name: str, output: dict) -> None:
        """Mark stage `name` done and, unless a cancel is pending, start the next one with it.

        One transaction (and one event) per stage boundary keeps the orchestration cheap.
        """
        next_name = self.next_of.get(name)
        external_task_id = str(output.get("external_task_id") or "")[:100]
        begun: list[str] = []

        def mutate(pipeline, stages):
            stage = stages[name]
            stage.status = StageStatus.SUCCEEDED
            stage.progress = 100
            stage.finished_at = timezone.now()
            stage.output = output
            if external_task_id:
                stage.external_task_id = external_task_id
                pipeline.external_task_id = external_task_id
            pipeline.progress = progress_of(pipeline, list(stages.values()))
            changed = [stage]
            if next_name and pipeline.cancel_requested_at is None:
                changed.append(stage_begin(pipeline, stages, next_name))
                begun.append(next_name)
            return changed

        self.lease.write(mutate)
        self.started.update(begun)

    # -- ends ----------------------------------------------------------------------------

    def succeed(self, ctx: _StepContext, name: str, value: Any) -> GenerationPipeline:
        """Run the kind's finish and mark `name` and the pipeline succeeded, in one transaction."""

        def mutate(pipeline, stages):
            if pipeline.cancel_requested_at is not None:
                raise CancelRequested()
            finished = self.kind.finish(ctx, pipeline, value)
            now = timezone.now()
            stage = stages[name]
            stage.status = StageStatus.SUCCEEDED
            stage.progress = 100
            stage.finished_at = now
            stage.output = finished.output
            if finished.asset is not None:
                pipeline.asset = finished.asset
            pipeline.status = PipelineStatus.SUCCEEDED
            pipeline.progress = 100
            pipeline.current_stage = ""
            pipeline.finished_at = now
            pipeline.error_code = ""
            pipeline.error_message = ""
            pipeline.error_retryable = False
            pipeline.result = finished.result
            lease_clear(pipeline)
            return [stage]

        pipeline = self.lease.write(mutate)
        files_delete_on_commit(pipeline.id)
        log.info(
            "pipeline_succeeded",
            pipeline_id=str(pipeline.id),
            kind=pipeline.kind,
            asset_id=str(pipeline.asset_id),
            attempt=pipeline.attempt,
        )
        return pipeline

    def park(self, ctx: _StepContext, name: str, pending: RemoteTaskPending) -> None:
        """Hand the worker back while stage `name`'s remote task runs (see `services.remote`)."""
        self.lease.write(park_mutate(name, ctx.remote, pending))

    def finish_canceled(self) -> GenerationPipeline:
        def mutate(pipeline, stages):
            now = timezone.now()
            pipeline.status = PipelineStatus.CANCELED
            pipeline.finished_at = now
            lease_clear(pipeline)
            return stages_cancel(list(stages.values()), now)

        pipeline = self.lease.write(mutate)
        files_delete_on_commit(pipeline.id)
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
            lease_clear(pipeline)
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

        pipeline = self.lease.write(mutate)
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
                "kind": pipeline.kind,
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

    # -- the recipe ----------------------------------------------------------------------

    def execute(self) -> GenerationPipeline | None:
        """Run every unfinished stage of the recipe in order; return the pipeline at its end."""
        steps = {step.name: step for step in self.kind.recipe}
        last = self.kind.recipe[-1].name
        stages = list(PipelineStage.objects.filter(pipeline_id=self.pipeline_id).order_by("order"))
        todo = [stage.name for stage in stages if stage.status not in DONE_STAGE_STATUSES]
        self.next_of = dict(zip(todo, todo[1:], strict=False))
        outputs: dict[str, dict] = {}
        pipeline = None
        for stage in stages:
            if stage.status in DONE_STAGE_STATUSES:
                outputs[stage.name] = stage.output
                continue
            started = time.perf_counter()
            ctx = _StepContext(self, stage, outputs)
            try:
                if stage.name not in self.started:
                    self.stage_start(stage.name)
                value = stage_observe(self.kind.kind, stage.name, steps[stage.name].run, ctx)
                if stage.name == last:
                    pipeline = self.succeed(ctx, stage.name, value)
                else:
                    value = ctx.remote.merged(value) if ctx.remote.ids else value
                    outputs[stage.name] = value
                    self.stage_finish(stage.name, value)
            except RemoteTaskPending as pending:
                try:
                    self.park(ctx, stage.name, pending)
                except LeaseLost:
                    pass
                return None
            except LeaseLost:
                log.warning("pipeline_run_abandoned", pipeline_id=str(self.pipeline_id))
                return None
            except (CancelRequested, ProviderCanceled):
                if self.lease.lost.is_set():
                    log.warning("pipeline_run_abandoned", pipeline_id=str(self.pipeline_id))
                    return None
                try:
                    return self.finish_canceled()
                except LeaseLost:
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
                except LeaseLost:
                    return None
            if self.timings is not None:
                self.timings.append(
                    {
                        "stage": stage.name,
                        "function_s": ctx.function_seconds,
                        "total_s": time.perf_counter() - started,
                    }
                )
        return pipeline


def pipeline_run(
    *,
    pipeline_id,
    worker_id: str | None = None,
    timings: list[dict[str, Any]] | None = None,
) -> GenerationPipeline | None:
    """Claim pipeline `pipeline_id` and run its unfinished stages; return it, or None if not run.

    `timings`, when given, receives each stage's function time and total time (benchmarks).
    """
    pipeline, outcome, first_stage = lease_claim(pipeline_id, worker_id or worker_id_new())
    if pipeline is None:
        log.info("pipeline_claim_skipped", pipeline_id=str(pipeline_id), reason=outcome)
        return None
    structlog.contextvars.bind_contextvars(
        pipeline_id=str(pipeline.id), attempt=pipeline.attempt, request_id=pipeline.request_id
    )
    request_id_set(pipeline.request_id)
    log.info("pipeline_claimed", worker=pipeline.lease_owner, kind=pipeline.kind)
    run = _Run(pipeline, run_kind_get(pipeline.kind))
    run.timings = timings
    if first_stage:
        run.started.add(first_stage)
    run.lease.heartbeat_start()
    try:
        return run_observe(pipeline, run.execute)
    finally:
        run.lease.heartbeat_stop()
        structlog.contextvars.unbind_contextvars("pipeline_id", "attempt", "request_id")
        request_id_set("")
