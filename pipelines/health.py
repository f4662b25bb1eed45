"""The pipelines' health checks: how long the oldest run has waited, and recent success rates.

Non-critical (a failing one makes `/health/` say `degraded`, HTTP 200); thresholds in
settings (`FORGE_HEALTH_*`, docs/observability.md).
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Min, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from forge.health import CheckFailed, health_check_register
from pipelines.models import GenerationPipeline, PipelineKind, PipelineStatus


@health_check_register("queue_age", critical=False)
def _queue_age() -> str:
    now = timezone.now()
    waiting = GenerationPipeline.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        status=PipelineStatus.QUEUED,
    ).aggregate(oldest=Min(Coalesce("enqueued_at", "created_at")))["oldest"]
    if waiting is None:
        return "no run waiting"
    age = (now - waiting).total_seconds()
    limit = settings.FORGE_HEALTH_QUEUE_AGE_MAX_SECONDS
    if age > limit:
        raise CheckFailed(f"the oldest queued run has waited {age:.0f} s (limit {limit} s)")
    return f"oldest queued run waited {age:.0f} s (limit {limit} s)"


def _success_rate(kind: str) -> str:
    minutes = settings.FORGE_HEALTH_SUCCESS_WINDOW_MINUTES
    since = timezone.now() - timedelta(minutes=minutes)
    # User cancels count neither way.
    totals = GenerationPipeline.objects.filter(
        kind=kind,
        finished_at__gte=since,
        status__in=(PipelineStatus.SUCCEEDED, PipelineStatus.FAILED, PipelineStatus.EXPIRED),
    ).aggregate(total=Sum(1), ok=Sum(1, filter=Q(status=PipelineStatus.SUCCEEDED)))
    total, ok = totals["total"] or 0, totals["ok"] or 0
    if total < settings.FORGE_HEALTH_SUCCESS_MIN_RUNS:
        return f"{ok} of {total} {kind} runs succeeded in {minutes} min (too few to judge)"
    rate = ok / total
    minimum = settings.FORGE_HEALTH_SUCCESS_MIN_RATE
    summary = f"{ok} of {total} {kind} runs succeeded in {minutes} min ({rate:.0%}"
    if rate < minimum:
        raise CheckFailed(f"{summary}, below {minimum:.0%})")
    return f"{summary})"


@health_check_register("pipeline_success_rate", critical=False)
def _pipeline_success_rate() -> str:
    return _success_rate(PipelineKind.GENERATION)


@health_check_register("export_success_rate", critical=False)
def _export_success_rate() -> str:
    return _success_rate(PipelineKind.EXPORT)
