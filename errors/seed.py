"""Demo errors so the dashboard looks alive after `make run` (deterministic, idempotent)."""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Max, Min
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone
from rest_framework import exceptions as drf_exceptions

from errors import grouping, services
from errors.categories import category_for_code
from errors.context import request_context_extract
from errors.models import ErrorGroup, ErrorGroupStatus, ErrorOccurrence, occurrence_events
from forge.authentication import BearerTokenAuthentication

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
        # Grouped as real capture groups it (see _captured_first).
        "captured": {"code": "rate_limited", "path": "/api/v1/assets/"},
    },
    {
        "key": "demo-bad-token",
        "error_type": "rest_framework.exceptions.AuthenticationFailed",
        "message": "Invalid or revoked token.",
        "severity": "warning",
        "category": "authentication",
        "service": None,
        "route": "/api/v1/pipelines/{pipeline_id}/",
        "method": "GET",
        "status": 401,
        "per_day": 8,
        "frame": None,
        "captured": {
            "code": "authentication_failed",
            "path": "/api/v1/pipelines/00000000-0000-4000-8000-000000000000/",
        },
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


def _captured_exception(code: str) -> BaseException:
    """Return the exception real capture records for `code`, made by the real code."""
    if code == "authentication_failed":
        # The real authenticator, so the stack (and the fingerprint's frames) are real.
        # No address: the throttle does not count this made-up failure.
        request = RequestFactory().get(
            "/", HTTP_AUTHORIZATION="Bearer forge_demo-not-a-real-token", REMOTE_ADDR=""
        )
        try:
            BearerTokenAuthentication().authenticate(request)
        except drf_exceptions.AuthenticationFailed as exc:
            # Drop this function's own frame: in a real request DRF, not Forge, catches it.
            return exc.with_traceback(exc.__traceback__.tb_next)
        raise RuntimeError("A made-up token authenticated.")
    # DRF raises this from its own code: no in-app frame goes into the fingerprint.
    return drf_exceptions.Throttled(wait=12)


def _captured_first(spec: dict) -> ErrorGroup:
    """Record one occurrence of `spec` the way capture records a real one; return its group.

    The request goes through the same extraction and `error_record` call as
    `errors.capture.capture_client_error`, so a real failure of the same kind on the same
    route lands in this group.
    """
    captured = spec["captured"]
    request = RequestFactory().generic(spec["method"], captured["path"], REMOTE_ADDR="")
    request.resolver_match = resolve(captured["path"])
    occurrence = services.error_record(
        exc=_captured_exception(captured["code"]),
        request_context=request_context_extract(request),
        http_status=spec["status"],
        error_code=captured["code"],
        severity=spec["severity"],
        category=category_for_code(captured["code"]),
    )
    if occurrence is None:
        raise RuntimeError(f"Could not record the demo error {spec['key']!r}.")
    return ErrorGroup.objects.get(pk=occurrence.group_id)


def _explicit_fingerprint(spec: dict) -> str:
    return grouping.fingerprint_compute(
        error_type="", route="", message="", frames=[], explicit=spec["key"]
    )


def seed_demo(users, stdout) -> None:
    """Create demo error groups with a week of occurrences, one resolved and regressed.

    Also makes sure Forge's own front-end project (the pages' browser SDK reports there) exists.
    """
    services.error_project_frontend_ensure()
    explicit = [_explicit_fingerprint(s) for s in DEMO_GROUPS if "captured" not in s]
    if ErrorGroup.objects.filter(fingerprint__in=explicit).exists():
        stdout.write("Demo errors exist.")
        return
    # Recorded before the transaction below, as capture would: through its own connection.
    captured = {s["key"]: _captured_first(s) for s in DEMO_GROUPS if "captured" in s}
    with transaction.atomic():
        _groups_create(users, captured)
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


def _groups_create(users, captured: dict[str, ErrorGroup]) -> None:
    now = timezone.now()
    rng = random.Random(6)  # noqa: S311 - demo data, deterministic on purpose
    groups = dict(captured)
    for spec in DEMO_GROUPS:
        if spec["key"] in captured:
            group = captured[spec["key"]]
            ErrorOccurrence.objects.bulk_create(
                _occurrences(spec, group, users, now, rng), batch_size=1000
            )
            _group_stats_update(group)
            continue
        short = spec["error_type"].rsplit(".", 1)[-1]
        group = ErrorGroup.objects.create(
            fingerprint=_explicit_fingerprint(spec),
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
        _group_stats_update(group)
        groups[spec["key"]] = group
    staff = users.staff
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


def _group_stats_update(group: ErrorGroup) -> None:
    stats = group.occurrences.aggregate(
        n=occurrence_events(), first=Min("occurred_at"), last=Max("occurred_at")
    )
    ErrorGroup.objects.filter(pk=group.pk).update(
        times_seen=stats["n"], first_seen=stats["first"], last_seen=stats["last"]
    )
