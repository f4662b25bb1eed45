"""The pipelines' health check: how long the oldest queued run has waited.

The recent success rates of generation and export runs are `forge.health`'s `generation` and
`exports` checks.

Non-critical (a failing one makes `/health/` say `degraded`, HTTP 200); thresholds in
settings (`FORGE_HEALTH_*`, docs/observability.md).
"""

from django.conf import settings
from django.db.models import Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from forge.health import CheckFailed, health_check_register
from pipelines.models import GenerationPipeline, PipelineStatus


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
