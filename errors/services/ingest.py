"""Record the events the ingest endpoints accepted: claim a batch, group it, mark it done.

The web request only stored each raw event (`errors/ingest/accept.py`). A drain claims
pending rows with `FOR UPDATE SKIP LOCKED` (two workers never take the same row), maps
them (`errors/ingest/event.py`), records them with set-based statements
(`error_record_batch`) and marks them processed, all in one transaction. A worker killed
mid-batch commits nothing: its rows unlock and the next drain records them once. Kicked by
the endpoints and run every minute by schedule, so events accepted while every worker was
down are recorded when one comes back.

One event that cannot be recorded never holds up the others: when a batch fails for
anything but a lost connection or a deadlock, its events are recorded one by one, each in
its own savepoint, and the ones that still fail are marked processed with the reason in
`failure`. Their raw rows are kept (the processed-rows cleanup skips them) and listed in
the admin under "Ingest events", so staff can see what an SDK sent.
"""

import time
from datetime import datetime, timedelta

import structlog
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.utils import timezone

from errors.ingest.event import event_prepare
from errors.ingest.protocol import event_json_loads
from errors.ingest.ratelimit import DRAIN_QUEUED_FLAG, redis_key
from errors.services.record import PreparedError, error_record_batch

log = structlog.get_logger("errors.ingest")

_CLAIM_SQL = """
SELECT id, project_id, event_id, received_at, payload FROM errors_erroringestevent
WHERE processed_at IS NULL ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED
"""
_DONE_SQL = "UPDATE errors_erroringestevent SET processed_at = %s WHERE id = ANY(%s)"
_FAILED_SQL = """
UPDATE errors_erroringestevent AS e SET processed_at = %s, failure = f.failure
FROM unnest(%s::bigint[], %s::text[]) AS f(id, failure) WHERE e.id = f.id
"""
FAILURE_CHARS = 500


def _failure(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:FAILURE_CHARS].replace("\x00", "")


def _prepare(row) -> tuple[PreparedError, datetime] | str:
    """Map one raw row to what `error_record_batch` takes, or say why it cannot be."""
    row_id, project_id, event_id, received_at, payload = row
    try:
        event = event_json_loads(bytes(payload))
        if not isinstance(event, dict):
            raise ValueError("the event is not a JSON object")
        return event_prepare(
            event, project_id=project_id, event_id=event_id.hex, received_at=received_at
        ), received_at
    except Exception as exc:  # one unreadable event must not hold up the others
        log.warning("ingest_event_unreadable", ingest_id=row_id, exc_info=True)
        return _failure(exc)


def _record(prepared: dict[int, tuple[PreparedError, datetime]]) -> dict[int, str]:
    """Record `prepared` events (by row ID); return the rows that failed, with the reason.

    All at once first; if that fails (for a reason other than the connection), one by one
    in savepoints, so one bad event costs only itself.
    """
    if not prepared:
        return {}
    try:
        with transaction.atomic():
            error_record_batch(events=list(prepared.values()))
        return {}
    except OperationalError:
        raise
    except Exception:
        log.warning("ingest_batch_record_failed", events=len(prepared), exc_info=True)
    failed = {}
    for row_id, event in prepared.items():
        try:
            with transaction.atomic():
                error_record_batch(events=[event])
        except OperationalError:
            raise
        except Exception as exc:
            log.warning("ingest_event_unrecordable", ingest_id=row_id, exc_info=True)
            failed[row_id] = _failure(exc)
    return failed


@transaction.atomic
def ingest_batch_process(*, batch_size: int | None = None) -> int:
    """Record one batch of pending events; return how many rows it took (0: nothing pending)."""
    batch_size = batch_size or settings.FORGE_INGEST_BATCH_SIZE
    with connections["default"].cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [batch_size])
        rows = cursor.fetchall()
    if not rows:
        return 0
    prepared, failed = {}, {}
    for row in rows:
        outcome = _prepare(row)
        if isinstance(outcome, str):
            failed[row[0]] = outcome
        else:
            prepared[row[0]] = outcome
    failed.update(_record(prepared))
    now = timezone.now()
    with connections["default"].cursor() as cursor:
        cursor.execute(_DONE_SQL, [now, [row[0] for row in rows if row[0] not in failed]])
        if failed:
            cursor.execute(_FAILED_SQL, [now, list(failed), list(failed.values())])
    if failed:
        log.warning("ingest_events_failed", events=len(failed))
    return len(rows)


def _flag_clear() -> None:
    from django.core.cache import cache

    try:
        cache._cache.get_client(write=True).delete(redis_key(DRAIN_QUEUED_FLAG))
    except Exception:  # the flag expires by itself
        log.warning("ingest_flag_clear_failed", exc_info=True)


def _another_drain() -> None:
    from django.core.cache import cache
    from django_q.tasks import async_task

    try:
        client = cache._cache.get_client(write=True)
        if client.set(redis_key(DRAIN_QUEUED_FLAG), 1, nx=True, ex=30):
            async_task("errors.tasks.errors_ingest_drain", task_name="errors: ingest drain")
    except Exception:  # the minutely schedule drains anyway
        log.warning("ingest_kick_failed", exc_info=True)


def ingest_drain(*, max_seconds: float = 50.0, batch_size: int | None = None) -> int:
    """Record pending events batch after batch until none is left; return how many.

    While batches come back full, one more drain is queued so that a second worker joins
    in; after `max_seconds` the drain hands over to a queued one (a task must end).
    """
    _flag_clear()
    batch_size = batch_size or settings.FORGE_INGEST_BATCH_SIZE
    started = time.monotonic()
    total = 0
    while True:
        try:
            done = ingest_batch_process(batch_size=batch_size)
        except OperationalError:  # a deadlock or a lost connection: the rows wait for next time
            log.warning("ingest_batch_failed", exc_info=True)
            _another_drain()
            break
        total += done
        if done < batch_size:
            break
        _another_drain()
        if time.monotonic() - started > max_seconds:
            break
    if total:
        log.info("ingest_drained", events=total, seconds=round(time.monotonic() - started, 2))
    return total


def ingest_events_delete_processed(*, now: datetime | None = None) -> int:
    """Delete raw events recorded more than `FORGE_INGEST_KEEP_PROCESSED_HOURS` ago.

    Events that failed to record are kept for staff (their project's retention removes them).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.FORGE_INGEST_KEEP_PROCESSED_HOURS)
    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute(
            "DELETE FROM errors_erroringestevent WHERE processed_at < %s AND failure = ''",
            [cutoff],
        )
        deleted = cursor.rowcount
        cursor.execute(
            """
            DELETE FROM errors_erroringestevent e USING errors_errorproject p
            WHERE p.id = e.project_id AND e.failure <> ''
              AND e.received_at < %s - make_interval(days => p.retention_days)
            """,
            [now],
        )
        return deleted + cursor.rowcount
