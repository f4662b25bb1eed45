"""Metrics and spans of the run engine: runs, stages, provider calls, the queue, the reaper, events.

The engine calls in at a few points only (`run_observe` around a claimed run, `stage_observe`
around a stage's step, `provider_observe` on each provider made, `reap_observe` after a
reaper pass); the trace context is stored with each new run by a `pre_save` receiver, and
read back from the row by the worker, so one trace goes request → queue → stages → publish.
Runs are labelled by `kind`, so every kind (generation, export, character) is counted alike.
"""

import inspect
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily

from forge import tracing
from forge.metrics import metrics_collector_register
from pipelines.models import GenerationPipeline, PipelineStatus

RUN_BUCKETS = (0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600)
STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800)

pipeline_runs = Counter(
    "forge_pipeline_runs",
    "Claimed run attempts that ended, by kind and outcome (succeeded, failed, canceled, "
    "retrying, abandoned).",
    ["kind", "status"],
)
pipeline_run_duration = Histogram(
    "forge_pipeline_run_duration_seconds",
    "Wall time of one claimed run attempt, by kind and outcome.",
    ["kind", "status"],
    buckets=RUN_BUCKETS,
)
pipeline_stage_duration = Histogram(
    "forge_pipeline_stage_duration_seconds",
    "Time of one stage's step, by kind, stage and outcome (succeeded, failed, canceled).",
    ["kind", "stage", "status"],
    buckets=STAGE_BUCKETS,
)
pipeline_queue_wait = Histogram(
    "forge_pipeline_queue_wait_seconds",
    "Time from a run being enqueued to a worker claiming it, by kind.",
    ["kind"],
    buckets=STAGE_BUCKETS,
)
provider_calls = Counter(
    "forge_provider_calls",
    "Calls to a generation provider, by provider, operation and outcome "
    "(ok, error code, canceled).",
    ["provider", "operation", "outcome"],
)
provider_call_duration = Histogram(
    "forge_provider_call_duration_seconds",
    "Time of one provider call, by provider and operation.",
    ["provider", "operation"],
    buckets=STAGE_BUCKETS,
)
leases_expired = Counter(
    "forge_pipeline_leases_expired",
    "Running runs whose lease expired (their worker stopped responding).",
)
pipelines_reaped = Counter(
    "forge_pipeline_reaped",
    "Runs the reaper acted on, by action (requeued, failed, canceled, retried, expired, "
    "reenqueued).",
    ["action"],
)
ws_connections = Gauge(
    "forge_ws_connections_open",
    "Websocket connections open now (pipeline watchers).",
    multiprocess_mode="livesum",
)
ws_events_sent = Counter("forge_ws_events_sent", "Pipeline events sent to websocket clients.")
ws_events_dropped = Counter(
    "forge_ws_events_dropped",
    "Pipeline events not sent to a websocket client, by reason (stale: not newer than "
    "what the connection already sent; other: for another pipeline).",
    ["reason"],
)


# -- trace context stored with each new run ----------------------------------------------


@receiver(pre_save, sender=GenerationPipeline, dispatch_uid="pipelines.observe.trace_context")
def _trace_context_store(sender, instance: GenerationPipeline, raw=False, **kwargs) -> None:
    """Store the creating request's trace context with a new run (nothing while tracing is off)."""
    if raw or not instance._state.adding or instance.trace_context:
        return
    carrier = tracing.trace_carrier()
    if carrier:
        instance.trace_context = carrier


# -- runs and stages ---------------------------------------------------------------------


def _ns(value) -> int:
    return int(value.timestamp() * 1e9)


def run_observe(pipeline: GenerationPipeline, execute: Callable[[], GenerationPipeline | None]):
    """Run `execute` (one claimed attempt of `pipeline`) inside its span; count its outcome."""
    kind = pipeline.kind
    carrier = pipeline.trace_context or None
    claimed = timezone.now()
    if pipeline.enqueued_at is not None:
        if settings.FORGE_METRICS:
            waited = max(0.0, (claimed - pipeline.enqueued_at).total_seconds())
            pipeline_queue_wait.labels(kind).observe(waited)
        tracing.span_record(
            "pipeline.queue",
            carrier=carrier,
            start_time=_ns(pipeline.enqueued_at),
            end_time=_ns(claimed),
            **{"forge.pipeline_id": str(pipeline.id), "forge.kind": kind},
        )
    started = time.perf_counter()
    status = "abandoned"
    with tracing.span(
        f"pipeline.run {kind}",
        kind=tracing.SpanKind.CONSUMER,
        carrier=carrier,
        attributes={
            "forge.pipeline_id": str(pipeline.id),
            "forge.kind": kind,
            "forge.attempt": pipeline.attempt,
            "forge.request_id": pipeline.request_id or None,
        },
    ) as current:
        try:
            result = execute()
            if result is not None:
                status = "retrying" if result.status == PipelineStatus.QUEUED else result.status
            return result
        finally:
            if current is not None:
                current.set_attribute("forge.outcome", status)
                if status in ("failed", "retrying"):
                    tracing.span_error(current, status)
            if settings.FORGE_METRICS:
                pipeline_runs.labels(kind, status).inc()
                pipeline_run_duration.labels(kind, status).observe(time.perf_counter() - started)


def stage_observe(kind: str, stage: str, step: Callable[[Any], Any], ctx) -> Any:
    """Run one stage's `step(ctx)` inside its span; time it by outcome."""
    from pipelines.providers.base import ProviderCanceled
    from pipelines.services.run import CancelRequested

    started = time.perf_counter()
    status = "failed"
    with tracing.span(f"stage {stage}", attributes={"forge.stage": stage, "forge.kind": kind}):
        try:
            value = step(ctx)
            status = "succeeded"
            return value
        except (CancelRequested, ProviderCanceled):
            status = "canceled"
            raise
        finally:
            if settings.FORGE_METRICS:
                pipeline_stage_duration.labels(kind, stage, status).observe(
                    time.perf_counter() - started
                )


# -- provider calls ----------------------------------------------------------------------


def _observed_call(method, provider_name: str, operation: str):
    """Return `method` (a provider's bound method) counted by outcome, timed and traced."""
    from pipelines.providers.base import ProviderCanceled, ProviderError

    def observed(*args, **kwargs):
        started = time.perf_counter()
        outcome = "error"
        with tracing.span(
            f"provider {provider_name}.{operation}",
            kind=tracing.SpanKind.CLIENT,
            attributes={"forge.provider": provider_name, "forge.operation": operation},
        ) as current:
            try:
                result = method(*args, **kwargs)
                outcome = "ok"
                return result
            except ProviderCanceled:
                outcome = "canceled"
                raise
            except ProviderError as exc:
                outcome = exc.code or "error"
                raise
            finally:
                if current is not None:
                    current.set_attribute("forge.outcome", outcome)
                if settings.FORGE_METRICS:
                    provider_calls.labels(provider_name, operation, outcome).inc()
                    provider_call_duration.labels(provider_name, operation).observe(
                        time.perf_counter() - started
                    )

    observed.__wrapped__ = method
    return observed


def provider_observe(provider, name: str):
    """Wrap `provider`'s public methods (on the instance) so every call is counted, timed, traced.

    The instance keeps its class, so `isinstance` checks and attributes are unchanged.
    """
    for attribute in dir(type(provider)):
        if attribute.startswith("_"):
            continue
        if not inspect.isfunction(inspect.getattr_static(type(provider), attribute, None)):
            continue
        try:
            setattr(
                provider, attribute, _observed_call(getattr(provider, attribute), name, attribute)
            )
        except AttributeError:  # a slotted or read-only attribute stays as it is
            continue
    return provider


# -- the reaper and the queue ------------------------------------------------------------


def reap_observe(counts: dict[str, int]) -> None:
    """Count one reaper pass's actions; lost leases are the requeued, failed and canceled runs."""
    expired = counts.get("requeued", 0) + counts.get("failed", 0) + counts.get("canceled", 0)
    if expired:
        leases_expired.inc(expired)
    for action, number in counts.items():
        if number:
            pipelines_reaped.labels(action).inc(number)


@metrics_collector_register
def queue_metrics():
    """Yield the queue's depth and age, read from the database at scrape time."""
    from django_q.models import OrmQ

    now = timezone.now()
    depth = GaugeMetricFamily(
        "forge_pipeline_queue_depth", "Runs waiting for a worker, by kind.", labels=["kind"]
    )
    age = GaugeMetricFamily(
        "forge_pipeline_queue_oldest_age_seconds",
        "Age of the oldest run waiting for a worker (0 when none), by kind.",
        labels=["kind"],
    )
    running = GaugeMetricFamily(
        "forge_pipeline_running", "Runs a worker is running now, by kind.", labels=["kind"]
    )
    # A retry still in its backoff is not waiting for a worker yet.
    queued = (
        GenerationPipeline.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            status=PipelineStatus.QUEUED,
        )
        .values("kind")
        .annotate(n=Count("id"), oldest=Min(Coalesce("enqueued_at", "created_at")))
    )
    for row in queued:
        depth.add_metric([row["kind"]], row["n"])
        age.add_metric([row["kind"]], max(0.0, (now - row["oldest"]).total_seconds()))
    for row in (
        GenerationPipeline.objects.filter(status=PipelineStatus.RUNNING)
        .values("kind")
        .annotate(n=Count("id"))
    ):
        running.add_metric([row["kind"]], row["n"])
    jobs = GaugeMetricFamily(
        "forge_task_queue_jobs", "Jobs on the django-q2 broker queue (taken or not)."
    )
    jobs.add_metric([], OrmQ.objects.count())
    return [depth, age, running, jobs]
