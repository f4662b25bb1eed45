"""Reads of pipelines: access-scoped lists and getters, and statistics computed in SQL."""

from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from forge.exceptions import NotFoundError, ValidationFailedError
from forge.prepared import PreparedList
from pipelines.models import (
    FINISHED_STATUSES,
    GenerationPipeline,
    GenerationPreferences,
    PipelineKind,
    PipelineStage,
    PipelineStatus,
)

MAX_STATS_DAYS = 365


def generation_preferences_get(*, user) -> GenerationPreferences | None:
    """Return what `user` last chose on the generate form, or None before their first run."""
    if not getattr(user, "is_authenticated", False):
        return None
    return GenerationPreferences.objects.filter(user=user).first()


def _pipelines(
    *, kind: str, user_id: int | None = None, status: str | None = None
) -> QuerySet[GenerationPipeline]:
    queryset = (
        GenerationPipeline.objects.filter(kind=kind)
        .select_related("asset", "user")
        .prefetch_related("stages")
    )
    if user_id is not None:
        queryset = queryset.filter(user_id=user_id)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def _pipeline_filters(*, user, status: str | None, kind: str) -> dict:
    if status and status not in PipelineStatus.values:
        raise ValidationFailedError(
            f"status: must be one of {', '.join(PipelineStatus.values)}.",
            details={"status": [f"Must be one of: {', '.join(PipelineStatus.values)}."]},
        )
    filters = {"kind": str(kind)}
    if not user.is_staff:
        filters["user_id"] = user.pk
    if status:
        filters["status"] = status
    return filters


def pipeline_list(
    *, user, status: str | None = None, kind: str = PipelineKind.GENERATION
) -> QuerySet[GenerationPipeline]:
    """Return the runs of `kind` `user` may see (staff: everyone's), newest first, with stages."""
    return _pipelines(**_pipeline_filters(user=user, status=status, kind=kind))


def pipeline_list_prepared(
    *, user, status: str | None = None, kind: str = PipelineKind.GENERATION
) -> PreparedList:
    """`pipeline_list` for the API's cursor pages, each page a prepared query."""
    filters = _pipeline_filters(user=user, status=status, kind=kind)
    return PreparedList(_pipelines, model=GenerationPipeline, values=filters)


def pipeline_get_for_user(*, user, pipeline_id) -> GenerationPipeline:
    """Return pipeline `pipeline_id` if `user` may see it; otherwise raise NotFoundError."""
    queryset = GenerationPipeline.objects.select_related("asset", "user").prefetch_related("stages")
    if not user.is_staff:
        queryset = queryset.filter(user=user)
    pipeline = queryset.filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFoundError("Pipeline not found.")
    return pipeline


def pipeline_stats(*, user, days: int = 7) -> dict[str, Any]:
    """Return counts by status, success rate and duration percentiles over the last `days` days.

    Staff see everyone's pipelines, others their own. Durations are from start to finish
    of succeeded pipelines and of succeeded stages, in seconds; all computed in SQL.
    """
    if not 1 <= days <= MAX_STATS_DAYS:
        raise ValidationFailedError(
            f"days: must be from 1 to {MAX_STATS_DAYS}.",
            details={"days": [f"Must be from 1 to {MAX_STATS_DAYS}."]},
        )
    since = timezone.now() - timedelta(days=days)
    pipelines = GenerationPipeline._meta.db_table
    stages = PipelineStage._meta.db_table
    scope = "" if user.is_staff else "AND p.user_id = %(user_id)s"
    scope += " AND p.kind = %(kind)s"  # generation runs only (exports have their own pages)
    params = {
        "since": since,
        "user_id": user.pk,
        "succeeded": PipelineStatus.SUCCEEDED,
        "kind": PipelineKind.GENERATION,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.status, count(*) FROM {pipelines} p "  # noqa: S608 - table names only
            f"WHERE p.created_at >= %(since)s {scope} GROUP BY p.status",
            params,
        )
        counts = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*), "  # noqa: S608 - only table names are interpolated
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM p.finished_at - p.started_at)), "
            "percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM p.finished_at - p.started_at)) "
            f"FROM {pipelines} p WHERE p.created_at >= %(since)s {scope} "
            "AND p.status = %(succeeded)s AND p.started_at IS NOT NULL",
            params,
        )
        total_row = cursor.fetchone()
        cursor.execute(
            "SELECT s.name, count(*), "  # noqa: S608 - only table names are interpolated
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.finished_at - s.started_at)), "
            "percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM s.finished_at - s.started_at)), "
            'min(s."order") '
            f"FROM {stages} s JOIN {pipelines} p ON p.id = s.pipeline_id "
            f"WHERE p.created_at >= %(since)s {scope} AND s.status = %(succeeded)s "
            "AND s.started_at IS NOT NULL AND s.finished_at IS NOT NULL "
            'GROUP BY s.name ORDER BY min(s."order")',
            params,
        )
        stage_rows = cursor.fetchall()

    by_status = {status: int(counts.get(status, 0)) for status in PipelineStatus.values}
    finished = sum(by_status[status] for status in FINISHED_STATUSES)

    def seconds(value) -> float | None:
        return None if value is None else round(float(value), 3)

    return {
        "window_days": days,
        "since": since.isoformat().replace("+00:00", "Z"),
        "scope": "all" if user.is_staff else "own",
        "total": sum(by_status.values()),
        "by_status": by_status,
        "finished": finished,
        "success_rate": round(by_status[PipelineStatus.SUCCEEDED] / finished, 4)
        if finished
        else None,
        "duration_seconds": {
            "count": int(total_row[0]),
            "p50": seconds(total_row[1]),
            "p95": seconds(total_row[2]),
        },
        "stages": [
            {"name": name, "count": int(count), "p50": seconds(p50), "p95": seconds(p95)}
            for name, count, p50, p95, _order in stage_rows
        ],
    }
