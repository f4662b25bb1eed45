"""Demo errors so the dashboard looks alive after `make run` (deterministic, idempotent)."""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from errors import grouping, services
from errors.models import ErrorGroup, ErrorGroupStatus, ErrorOccurrence

_TRACE = """Traceback (most recent call last):
  File "/srv/forge/{module}.py", line {line}, in {function}
    {code}
{error_type}: {message}
"""

# fingerprint key, title fields, where, how often per day, and the story staff will find.
DEMO_GROUPS = [
    {
        "key": "demo-api-500",
        "error_type": "KeyError",
        "message": "'metalness'",
        "severity": "error",
        "category": "internal",
        "service": None,
        "route": "/api/v1/pipelines/",
        "method": "POST",
        "status": 500,
        "per_day": 12,
        "frame": (
            "pipelines/services",
            214,
            "pipeline_create",
            "preset = presets[name]['metalness']",
        ),
    },
    {
        "key": "demo-meshy-timeout",
        "error_type": "httpx.ReadTimeout",
        "message": "meshy: polling task 0f3c… timed out after 30 s",
        "severity": "error",
        "category": "timeout",
        "service": "meshy",
        "route": "",
        "method": "",
        "status": None,
        "per_day": 40,
        "frame": (
            "pipelines/providers/meshy",
            88,
            "task_poll",
            "response = client.get(url, timeout=30)",
        ),
    },
    {
        "key": "demo-rate-limited",
        "error_type": "rest_framework.exceptions.Throttled",
        "message": "Request was throttled. Expected available in 12 seconds.",
        "severity": "warning",
        "category": "rate_limit",
        "service": None,
        "route": "/api/v1/assets/",
        "method": "GET",
        "status": 429,
        "per_day": 60,
        "frame": None,
    },
    {
        "key": "demo-bad-token",
        "error_type": "rest_framework.exceptions.AuthenticationFailed",
        "message": "Invalid or revoked token.",
        "severity": "warning",
        "category": "authentication",
        "service": None,
        "route": "/api/v1/pipelines/{id}/",
        "method": "GET",
        "status": 401,
        "per_day": 8,
        "frame": None,
    },
    {
        "key": "demo-storage-full",
        "error_type": "OSError",
        "message": "[Errno 28] No space left on device",
        "severity": "critical",
        "category": "external_service",
        "service": "storage",
        "route": "",
        "method": "",
        "status": None,
        "per_day": 3,
        "frame": (
            "assets/services",
            131,
            "asset_files_save",
            "default_storage.save(path, content)",
        ),
    },
]
DAYS = 6


def _occurrences(spec: dict, group: ErrorGroup, users, now, rng: random.Random) -> list:
    rows = []
    start = now - timedelta(days=DAYS)
    total = spec["per_day"] * DAYS
    trace = ""
    if spec["frame"]:
        module, line, function, code = spec["frame"]
        trace = _TRACE.format(
            module=module,
            line=line,
            function=function,
            code=code,
            error_type=spec["error_type"],
            message=spec["message"],
        )
    for i in range(total):
        # Busier in the afternoon and in the last two days, so the chart has a shape.
        offset = rng.random() ** 0.7 * DAYS * 86400
        when = start + timedelta(seconds=offset)
        when = when.replace(hour=min(23, max(0, int(rng.gauss(15, 4)))))
        if when > now:
            when = now - timedelta(minutes=rng.randint(1, 50))
        user = users.user if spec["status"] and rng.random() < 0.6 else None
        rows.append(
            ErrorOccurrence(
                group=group,
                occurred_at=when,
                request_id=f"demo{i:05d}{spec['key'][-4:]}",
                route=spec["route"],
                method=spec["method"],
                http_status=spec["status"],
                severity=spec["severity"],
                category=spec["category"],
                external_service=spec["service"],
                error_type=spec["error_type"],
                message=spec["message"],
                stack_trace=trace,
                context={
                    "headers": {
                        "Authorization": "[Filtered]",
                        "User-Agent": "forge-demo/1.0",
                        "Accept": "application/json",
                    },
                    "user_agent": "forge-demo/1.0",
                }
                if spec["route"]
                else {"extra": {"pipeline_stage": "generate", "attempt": 1 + i % 3}},
                user=user,
                fingerprint=group.fingerprint,
            )
        )
    return rows


def seed_demo(users, stdout) -> None:
    """Create demo error groups with a week of occurrences, one resolved and regressed."""
    with transaction.atomic():
        created = _groups_create(users)
    if not created:
        stdout.write("Demo errors exist.")
        return
    # It happens again: recorded like any other error, it reopens as a regression.
    services.error_record(
        message="[Errno 28] No space left on device",
        severity="critical",
        category="external_service",
        external_service="storage",
        fingerprint="demo-storage-full",
    )
    ErrorGroup.objects.filter(status=ErrorGroupStatus.UNRESOLVED).update(alert_pending="")
    services.error_aggregations_update(since=timezone.now() - timedelta(days=DAYS + 1))
    stdout.write(f"Demo errors: {len(DEMO_GROUPS)} groups with a week of occurrences.")


def _groups_create(users) -> bool:
    fingerprints = {s["key"]: grouping.fingerprint_compute(
        error_type="", route="", message="", frames=[], explicit=s["key"]
    ) for s in DEMO_GROUPS}  # fmt: skip
    if ErrorGroup.objects.filter(fingerprint__in=fingerprints.values()).exists():
        return False
    now = timezone.now()
    rng = random.Random(6)  # noqa: S311 - demo data, deterministic on purpose
    for spec in DEMO_GROUPS:
        short = spec["error_type"].rsplit(".", 1)[-1]
        group = ErrorGroup.objects.create(
            fingerprint=fingerprints[spec["key"]],
            title=f"{short}: {spec['message']}"[:255],
            culprit=f"{spec['method']} {spec['route']}".strip()
            or (spec["frame"][0].replace("/", ".") + "." + spec["frame"][2]),
            error_type=spec["error_type"],
            severity=spec["severity"],
            category=spec["category"],
            external_service=spec["service"],
            first_seen=now,
            last_seen=now,
        )
        ErrorOccurrence.objects.bulk_create(
            _occurrences(spec, group, users, now, rng), batch_size=1000
        )
        stats = group.occurrences.aggregate(
            n=Count("id"), first=Min("occurred_at"), last=Max("occurred_at")
        )
        ErrorGroup.objects.filter(pk=group.pk).update(
            times_seen=stats["n"], first_seen=stats["first"], last_seen=stats["last"]
        )
    staff = users.staff
    groups = {
        s["key"]: ErrorGroup.objects.get(fingerprint=fingerprints[s["key"]]) for s in DEMO_GROUPS
    }
    services.error_group_ignore(
        group=groups["demo-meshy-timeout"],
        actor=staff,
        condition="until_rate",
        threshold=20,
        reason="Meshy times out a few times an hour; the pipeline retries. Wake us on a spike.",
    )
    services.error_group_ignore(
        group=groups["demo-rate-limited"],
        actor=staff,
        condition="forever",
        reason="Clients hitting the throttle is expected; tracked for trends only.",
    )
    storage = services.error_group_resolve(
        group=groups["demo-storage-full"],
        actor=staff,
        note="Media volume grown from 20 GB to 100 GB.",
    )
    ErrorGroup.objects.filter(pk=storage.pk).update(resolved_at=now - timedelta(days=2))
    return True
