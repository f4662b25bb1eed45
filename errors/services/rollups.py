"""Roll occurrences up per hour, and delete expired ones."""

from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from errors.models import (
    ErrorAggregationState,
    ErrorOccurrence,
)

log = structlog.get_logger("errors")

# One statement, one scan of the occurrences: `base` counts events (a row is 1 + its
# repeats) per hour × group × key × user (hash aggregation, no sort of the raw rows);
# both roll-up tables are filled from it.
_AGGREGATE_SQL = """
WITH base AS MATERIALIZED (
    SELECT date_trunc('hour', occurred_at) AS hour, group_id, route, severity, category,
           COALESCE(external_service, '') AS service, user_id, sum(1 + repeats) AS n
    FROM errors_erroroccurrence
    WHERE occurred_at >= %(start)s AND occurred_at < %(end)s
    GROUP BY 1, 2, 3, 4, 5, 6, 7
), per_key AS (
    INSERT INTO errors_erroraggregation
        (hour, route, severity, category, external_service, count, users)
    SELECT hour, route, severity, category, service, sum(n), count(DISTINCT user_id)
    FROM base
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (hour, route, severity, category, external_service)
    DO UPDATE SET count = EXCLUDED.count, users = EXCLUDED.users
    RETURNING 1
)
INSERT INTO errors_errorgrouphourly (group_id, hour, count)
SELECT group_id, hour, sum(n) FROM base GROUP BY 1, 2
ON CONFLICT (group_id, hour) DO UPDATE SET count = EXCLUDED.count
RETURNING (SELECT count(*) FROM per_key)
"""

_AGGREGATION_LOCK = 0x6572726F7273  # "errors": one roll-up at a time


def hour_floor(moment: datetime) -> datetime:
    """Return the start of the hour containing `moment`."""
    return moment.replace(minute=0, second=0, microsecond=0)


@transaction.atomic
def error_aggregations_update(
    *, now: datetime | None = None, since: datetime | None = None
) -> dict[str, Any]:
    """Roll occurrences up per hour, redoing every hour since the last run; idempotent.

    Each hour's rows are recomputed from the raw occurrences (counts are set, never
    added), so running twice gives the same numbers and a run after downtime catches up
    on every missed hour. The previous hour is always redone, for late commits; `since`
    redoes everything from that moment too (a backfill).
    """
    now = now or timezone.now()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AGGREGATION_LOCK])
        # Room to hash-aggregate a large catch-up in memory (this transaction only).
        cursor.execute("SET LOCAL work_mem = '128MB'")
    state = ErrorAggregationState.objects.filter(key="hourly").first()
    if state is not None:
        start = state.aggregated_until - timedelta(hours=1)
    else:
        first = (
            ErrorOccurrence.objects.order_by("occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        start = hour_floor(first or now)
    if since is not None:
        start = min(start, hour_floor(since))
    end = hour_floor(now) + timedelta(hours=1)
    params = {"start": start, "end": end}
    with connections["default"].cursor() as cursor:
        cursor.execute(_AGGREGATE_SQL, params)
        returned = cursor.fetchall()
        rows = returned[0][0] if returned else 0
    ErrorAggregationState.objects.update_or_create(
        key="hourly", defaults={"aggregated_until": hour_floor(now), "last_run_at": now}
    )
    hours = int((end - start).total_seconds() // 3600)
    log.info("errors_aggregated", start=start.isoformat(), hours=hours, rows=rows)
    return {"start": start, "end": end, "hours": hours, "rows": rows}


def error_occurrences_delete_expired(
    *, now: datetime | None = None, batch_size: int | None = None
) -> int:
    """Delete occurrences older than the retention period, in batches; return how many.

    Forge's own errors keep `FORGE_ERRORS_RETENTION_DAYS`; a reporting project's keep that
    project's `retention_days`.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.FORGE_ERRORS_RETENTION_BATCH
    cutoff = now - timedelta(days=settings.FORGE_ERRORS_RETENTION_DAYS)
    total = 0
    while True:
        with transaction.atomic(), connections["default"].cursor() as cursor:
            cursor.execute(
                """
                DELETE FROM errors_erroroccurrence WHERE id IN (
                    SELECT o.id FROM errors_erroroccurrence o
                    LEFT JOIN errors_errorproject p ON p.id = o.project_id
                    WHERE o.occurred_at < %(now)s - make_interval(
                        days => COALESCE(p.retention_days, %(days)s))
                    ORDER BY o.occurred_at LIMIT %(batch)s
                )
                """,
                {"now": now, "days": settings.FORGE_ERRORS_RETENTION_DAYS, "batch": batch_size},
            )
            deleted = cursor.rowcount
        total += deleted
        if deleted < batch_size:
            break
    log.info("errors_retention_done", deleted=total, cutoff=cutoff.isoformat())
    return total
