"""Errors: every read the admin dashboard and the staff API make."""

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDay, TruncHour
from django.utils import timezone

from errors.models import (
    SEVERITY_ORDER,
    ErrorAggregation,
    ErrorAggregationState,
    ErrorGroup,
    ErrorGroupHourly,
    ErrorGroupStatus,
    ErrorOccurrence,
    occurrence_events,
)


def hour_floor(moment: datetime) -> datetime:
    """Return the start of the hour containing `moment`."""
    return moment.replace(minute=0, second=0, microsecond=0)


def day_floor(moment: datetime) -> datetime:
    """Return the start of the (UTC) day containing `moment`."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def error_group_list(
    *,
    status: str | None = None,
    severity: str | None = None,
    category: str | None = None,
    external_service: str | None = None,
    search: str | None = None,
) -> QuerySet[ErrorGroup]:
    """Return groups filtered as the dashboard and the API filter them."""
    qs = ErrorGroup.objects.select_related("resolved_by")
    if status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if category:
        qs = qs.filter(category=category)
    if external_service:
        qs = qs.filter(external_service=external_service)
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(culprit__icontains=search)
            | Q(error_type__icontains=search)
            | Q(fingerprint=search)
        )
    return qs


def error_group_get(*, group_id: int) -> ErrorGroup | None:
    """Return one group with who resolved it, or None."""
    return ErrorGroup.objects.select_related("resolved_by").filter(pk=group_id).first()


def error_occurrence_list(
    *,
    group_id: int | None = None,
    severity: str | None = None,
    request_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[ErrorOccurrence]:
    """Return occurrences, newest first, filtered."""
    qs = ErrorOccurrence.objects.select_related("user", "group")
    if group_id:
        qs = qs.filter(group_id=group_id)
    if severity:
        qs = qs.filter(severity=severity)
    if request_id:
        qs = qs.filter(request_id=request_id)
    if since:
        qs = qs.filter(occurred_at__gte=since)
    if until:
        qs = qs.filter(occurred_at__lt=until)
    return qs


def error_group_activity(*, group: ErrorGroup) -> QuerySet:
    """Return the group's audit trail, newest first."""
    return group.activity.select_related("actor")


def live_from() -> datetime | None:
    """Return the hour from which roll-ups may be incomplete (raw occurrences count there)."""
    state = ErrorAggregationState.objects.filter(key="hourly").first()
    return state.aggregated_until if state else None


def error_counts(
    *,
    start: datetime,
    end: datetime,
    bucket: str = "hour",
    split: str = "severity",
    route: str | None = None,
    severity: str | None = None,
    category: str | None = None,
    external_service: str | None = None,
) -> list[dict[str, Any]]:
    """Return occurrence counts per bucket (hour or day) and per `split` value.

    Hours the hourly roll-up has finished come from `ErrorAggregation`; later hours are
    counted from the raw occurrences, so the numbers are live. `users` sums the distinct
    users of each roll-up key, an upper bound when one user hits several keys.
    """
    start, end = hour_floor(start), end
    boundary = live_from()
    boundary = start if boundary is None else min(max(boundary, start), end)
    trunc = TruncDay if bucket == "day" else TruncHour
    filters = {
        k: v
        for k, v in {
            "route": route,
            "severity": severity,
            "category": category,
            "external_service": external_service,
        }.items()
        if v is not None
    }
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    rolled = (
        ErrorAggregation.objects.filter(hour__gte=start, hour__lt=boundary, **filters)
        .annotate(b=trunc("hour"))
        .values("b", split)
        .annotate(n=Sum("count"), u=Sum("users"))
    )
    for row in rolled:
        key = (row["b"], row[split] or "")
        totals[key][0] += row["n"]
        totals[key][1] += row["u"]
    raw_filters = dict(filters)
    if "external_service" in raw_filters and raw_filters["external_service"] == "":
        raw_filters.pop("external_service")
        raw_filters["external_service__isnull"] = True
    raw = (
        ErrorOccurrence.objects.filter(
            occurred_at__gte=boundary, occurred_at__lt=end, **raw_filters
        )
        .annotate(b=trunc("occurred_at"))
        .values("b", split)
        .annotate(n=occurrence_events(), u=Count("user_id", distinct=True))
    )
    for row in raw:
        key = (row["b"], row[split] or "")
        totals[key][0] += row["n"]
        totals[key][1] += row["u"]
    return [
        {"bucket": b, split: value, "count": n, "users": u}
        for (b, value), (n, u) in sorted(totals.items(), key=lambda item: (item[0][0], item[0][1]))
    ]


def error_hourly_by_severity(*, days: int = 7, now: datetime | None = None) -> dict[str, Any]:
    """Return the last `days` days as hours and one count series per severity."""
    now = now or timezone.now()
    end = hour_floor(now) + timedelta(hours=1)
    start = end - timedelta(days=days)
    hours = [start + timedelta(hours=i) for i in range(days * 24)]
    index = {h: i for i, h in enumerate(hours)}
    series = {s: [0] * len(hours) for s in SEVERITY_ORDER}
    for row in error_counts(start=start, end=end, bucket="hour", split="severity"):
        if row["bucket"] in index and row["severity"] in series:
            series[row["severity"]][index[row["bucket"]]] += row["count"]
    return {"hours": hours, "series": series}


def error_group_sparklines(
    *, group_ids: list[int], hours: int = 24, now: datetime | None = None
) -> dict[int, list[int]]:
    """Return each group's occurrences per hour over the last `hours` hours, oldest first."""
    now = now or timezone.now()
    end = hour_floor(now) + timedelta(hours=1)
    start = end - timedelta(hours=hours)
    result = {gid: [0] * hours for gid in group_ids}
    if not group_ids:
        return result
    boundary = live_from()
    boundary = start if boundary is None else min(max(boundary, start), end)

    def add(gid: int, hour: datetime, n: int) -> None:
        i = int((hour - start).total_seconds() // 3600)
        if 0 <= i < hours:
            result[gid][i] += n

    for gid, hour, n in ErrorGroupHourly.objects.filter(
        group_id__in=group_ids, hour__gte=start, hour__lt=boundary
    ).values_list("group_id", "hour", "count"):
        add(gid, hour, n)
    raw = (
        ErrorOccurrence.objects.filter(
            group_id__in=group_ids, occurred_at__gte=boundary, occurred_at__lt=end
        )
        .annotate(h=TruncHour("occurred_at"))
        .values_list("group_id", "h")
        .annotate(n=occurrence_events())
    )
    for gid, hour, n in raw:
        add(gid, hour, n)
    return result


def error_top_groups(*, since: datetime, limit: int = 10) -> list[tuple[ErrorGroup, int]]:
    """Return the groups with the most occurrences since `since`, with their counts."""
    boundary = live_from()
    boundary = hour_floor(since) if boundary is None else max(boundary, hour_floor(since))
    counts: dict[int, int] = defaultdict(int)
    for gid, n in (
        ErrorGroupHourly.objects.filter(hour__gte=hour_floor(since), hour__lt=boundary)
        .values_list("group_id")
        .annotate(n=Sum("count"))
    ):
        counts[gid] += n
    for gid, n in (
        ErrorOccurrence.objects.filter(occurred_at__gte=boundary)
        .values_list("group_id")
        .annotate(n=occurrence_events())
    ):
        counts[gid] += n
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    groups = ErrorGroup.objects.in_bulk([gid for gid, _ in top])
    return [(groups[gid], n) for gid, n in top if gid in groups]


def error_stats(*, now: datetime | None = None) -> dict[str, Any]:
    """Return the dashboard summary: groups by status, today's news, the last 24 hours."""
    now = now or timezone.now()
    today = day_floor(now)
    by_status = dict(
        ErrorGroup.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    last_day = error_counts(start=now - timedelta(hours=24), end=now + timedelta(seconds=1))
    by_severity = {s: 0 for s in SEVERITY_ORDER}
    for row in last_day:
        by_severity[row["severity"]] = by_severity.get(row["severity"], 0) + row["count"]
    return {
        "groups": {s: by_status.get(s, 0) for s in ErrorGroupStatus.values},
        "new_groups_today": ErrorGroup.objects.filter(first_seen__gte=today).count(),
        "regressions_today": ErrorGroup.objects.filter(regressed_at__gte=today).count(),
        "occurrences_24h": sum(by_severity.values()),
        "occurrences_24h_by_severity": by_severity,
        "occurrences_total": ErrorGroup.objects.aggregate(n=Coalesce(Sum("times_seen"), 0))["n"],
    }


def error_frontend_key() -> tuple[int, str] | None:
    """Return (project ID, active public key) of Forge's own front-end project, cached briefly."""
    from django.conf import settings
    from django.core.cache import cache

    from errors.models import ErrorProjectKey

    cache_key = "errors:frontend-key"
    hit = cache.get(cache_key)
    if hit is not None:
        return tuple(hit)
    key = (
        ErrorProjectKey.objects.filter(
            project__name=settings.FORGE_INGEST_FRONTEND_PROJECT, is_active=True
        )
        .order_by("-created_at")
        .values_list("project_id", "public_key")
        .first()
    )
    if key is not None:
        cache.set(cache_key, list(key), timeout=60)
    return key


def error_group_tag_facets(*, group_id: int, sample: int = 500) -> dict[str, list[tuple[str, int]]]:
    """Return each tag of the group's latest `sample` occurrences with its values, most common first."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH recent AS (
                SELECT context->'tags' AS tags, 1 + repeats AS n FROM errors_erroroccurrence
                WHERE group_id = %s AND context ? 'tags'
                ORDER BY occurred_at DESC LIMIT %s
            )
            SELECT t.key, t.value, sum(recent.n) AS n
            FROM recent, jsonb_each_text(recent.tags) AS t
            GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2
            """,
            [group_id, sample],
        )
        rows = cursor.fetchall()
    facets: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for key, value, n in rows:
        facets[key].append((value, n))
    return dict(facets)


def error_occurrence_values(*, field: str, limit: int = 50) -> list[str]:
    """Return the distinct non-empty `environment` or `release` values of recent occurrences."""
    if field not in {"environment", "release"}:
        raise ValueError(field)
    return list(
        ErrorOccurrence.objects.exclude(**{field: ""})
        .values_list(field, flat=True)
        .distinct()
        .order_by(field)[:limit]
    )
