"""Health checks: one entry per dependency, and an overall ok / degraded / down.

Apps add checks with `health_check_register`. A failing critical check makes the whole
service `down` (HTTP 503); a failing non-critical one makes it `degraded` (HTTP 200).
"""

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

log = structlog.get_logger("forge.health")


class CheckFailed(Exception):
    """Raised by a check to say what is wrong, in words fit for an operator."""


@dataclass(frozen=True)
class HealthCheck:
    name: str
    func: Callable[[], str | None]
    critical: bool


_CHECKS: dict[str, HealthCheck] = {}


def health_check_register(name: str, *, critical: bool = True):
    """Register the decorated function as the health check `name`."""

    def decorator(func: Callable[[], str | None]):
        _CHECKS[name] = HealthCheck(name=name, func=func, critical=critical)
        return func

    return decorator


def health_report() -> tuple[str, dict]:
    """Run every check and return the overall status and the per-check results."""
    results: dict[str, dict] = {}
    overall = "ok"
    for check in _CHECKS.values():
        started = time.perf_counter()
        try:
            detail = check.func()
            status = "ok"
        except Exception as exc:  # a check reports its dependency's failure, never raises
            status = "fail"
            detail = str(exc) or type(exc).__name__
            log.warning("health_check_failed", check=check.name, detail=detail)
            if check.critical:
                overall = "down"
            elif overall == "ok":
                overall = "degraded"
        results[check.name] = {
            "status": status,
            "critical": check.critical,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "detail": detail or "",
        }
    return overall, results


@health_check_register("database")
def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "query ok"


@health_check_register("channel_layer")
def _channel_layer() -> str:
    """Send a message through Redis and read it back.

    The probe uses an ordinary channel with a name of its own (no `!`), read directly with
    BZPOPMIN. A process-local channel (`layer.new_channel(...)`) would go through
    channels_redis's shared receive: one coroutine per process holds the layer's receive
    lock and reads only its own channel's Redis key until a message arrives there, for as
    long as any websocket consumer is connected. A probe on a `health.<client>!` key was
    never read while a consumer waited on `specific.<client>!`, and /health/ timed out
    (503) whenever one websocket was open. (Ordinary channels are round-robined over
    `hosts`; Forge's layer has one host, so send and receive meet on it.)
    """
    layer = get_channel_layer()

    async def round_trip() -> None:
        channel = f"health.{uuid.uuid4().hex}"
        await layer.send(channel, {"type": "health.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "health.ping":
            raise CheckFailed("the channel layer returned a different message")

    async def bounded() -> None:
        await asyncio.wait_for(round_trip(), timeout=3)

    async_to_sync(bounded)()
    return "redis round trip ok"


@health_check_register("storage")
def _storage() -> str:
    name = default_storage.save(f"health/probe-{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        if not default_storage.exists(name):
            raise CheckFailed("the probe file was not found after writing it")
    finally:
        default_storage.delete(name)
    return "write and delete ok"


@health_check_register("task_queue", critical=False)
def _task_queue() -> str:
    from django_q.status import Stat

    clusters = Stat.get_all()
    if not clusters:
        raise CheckFailed("no qcluster heartbeat in the last few seconds; run `manage.py qcluster`")
    return f"{len(clusters)} cluster(s) alive"


def run_success_rate(kind: str) -> dict:
    """Return how runs of `kind` finished over the health window: counts and success rate.

    Only runs that ran count (succeeded or failed); canceled and expired ones say nothing
    about the service's health. `rate` is None below FORGE_HEALTH_SUCCESS_MIN_RUNS runs.
    """
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import Count, Q
    from django.utils import timezone

    from pipelines.models import GenerationPipeline, PipelineStatus

    since = timezone.now() - timedelta(seconds=settings.FORGE_HEALTH_SUCCESS_WINDOW_SECONDS)
    counts = GenerationPipeline.objects.filter(
        kind=kind,
        finished_at__gte=since,
        status__in=(PipelineStatus.SUCCEEDED, PipelineStatus.FAILED),
    ).aggregate(
        finished=Count("id"), succeeded=Count("id", filter=Q(status=PipelineStatus.SUCCEEDED))
    )
    finished, succeeded = counts["finished"], counts["succeeded"]
    enough = finished >= settings.FORGE_HEALTH_SUCCESS_MIN_RUNS
    return {
        "finished": finished,
        "succeeded": succeeded,
        "rate": round(succeeded / finished, 4) if enough else None,
        "minimum": settings.FORGE_HEALTH_SUCCESS_RATE_MIN,
    }


def _success_rate_check(kind: str, label: str) -> str:
    stats = run_success_rate(kind)
    if stats["rate"] is None:
        return f"{stats['finished']} {label} finished in the window; too few to judge"
    summary = f"{stats['succeeded']} of {stats['finished']} {label} succeeded ({stats['rate']:.0%})"
    if stats["rate"] < stats["minimum"]:
        raise CheckFailed(f"{summary}, below {stats['minimum']:.0%}")
    return summary


@health_check_register("exports", critical=False)
def _exports() -> str:
    return _success_rate_check("export", "exports")


@health_check_register("generation", critical=False)
def _generation() -> str:
    return _success_rate_check("generation", "generation runs")
