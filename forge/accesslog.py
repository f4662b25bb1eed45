"""Access-log aggregates in SQL: per-minute request counts and latency buckets, for the SLOs.

Each process adds requests to an in-memory buffer (a dict increment under a lock) and
writes it with one upsert every FORGE_ACCESS_AGGREGATE_FLUSH_SECONDS, and at exit. The
request that finds a flush due only wakes a background thread that writes it, so no request
waits for the upsert: the cost per request is a few microseconds, and one small statement
per process every few seconds off the request path. A flush that fails is logged and
dropped: losing a few seconds of counts must never fail a request.
"""

import atexit
import threading
import time
from datetime import UTC, datetime, timedelta

import structlog
from django.conf import settings
from django.db import connection, transaction

from forge.models import LATENCY_EDGES_MS, RequestAggregate, RouteClass

log = structlog.get_logger("forge.accesslog")

_BUCKET_COLUMNS = [f"le_{edge}" for edge in LATENCY_EDGES_MS]
_COLUMNS = ["count", "duration_ms_sum", *_BUCKET_COLUMNS]
_PREFIXES = (
    ("/api/", RouteClass.API),
    ("/admin/", RouteClass.ADMIN),
    ("/static/", RouteClass.STATIC),
    ("/media/", RouteClass.STATIC),
    ("/health/", RouteClass.PROBE),
    ("/metrics", RouteClass.PROBE),
)


def route_class_of(path: str) -> str:
    """Return the route class of a request path (`api`, `page`, `admin`, `static`, `probe`)."""
    for prefix, route_class in _PREFIXES:
        if path.startswith(prefix):
            return route_class
    return RouteClass.PAGE


class _Buffer:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: dict[tuple[int, str, int], list[float]] = {}
        self.flushed_at = time.monotonic()

    def add(self, route_class: str, status: int, duration_ms: float, now: float) -> bool:
        """Count one request; return True when a flush is due."""
        key = (int(now // 60) * 60, route_class, max(1, min(5, status // 100)))
        with self.lock:
            row = self.rows.get(key)
            if row is None:
                row = self.rows[key] = [0.0] * len(_COLUMNS)
            row[0] += 1
            row[1] += duration_ms
            for index, edge in enumerate(LATENCY_EDGES_MS, start=2):
                if duration_ms <= edge:
                    row[index] += 1
            due = (
                time.monotonic() - self.flushed_at >= settings.FORGE_ACCESS_AGGREGATE_FLUSH_SECONDS
            )
        return due

    def take(self) -> dict[tuple[int, str, int], list[float]]:
        with self.lock:
            rows, self.rows = self.rows, {}
            self.flushed_at = time.monotonic()
        return rows


_buffer = _Buffer()


class _Flusher:
    """A daemon thread that writes the buffer when a request says a flush is due."""

    def __init__(self) -> None:
        self.due = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def wake(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._loop, name="access-aggregates-flush", daemon=True
                )
                self.thread.start()
        self.due.set()

    def _loop(self) -> None:
        from django.db import connection as thread_connection

        while True:
            self.due.wait()
            self.due.clear()
            try:
                access_aggregates_flush()
            finally:
                thread_connection.close()  # no idle connection held between flushes


_flusher = _Flusher()
_flush_lock = threading.Lock()  # one flush at a time: an explicit flush waits for the thread's


def access_record(*, path: str, status: int, duration_ms: float) -> None:
    """Count one answered request into this process's buffer; wake the flusher when due."""
    if _buffer.add(route_class_of(path), status, duration_ms, time.time()):
        _buffer.flushed_at = time.monotonic()  # one wake per interval
        _flusher.wake()


def access_aggregates_flush() -> int:
    """Add this process's buffered counts to the SQL aggregates; return the rows written."""
    with _flush_lock:
        return _flush()


def _flush() -> int:
    rows = _buffer.take()
    if not rows:
        return 0
    table = RequestAggregate._meta.db_table
    columns = ", ".join(_COLUMNS)
    placeholders = ", ".join(["%s"] * (3 + len(_COLUMNS)))
    updates = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in _COLUMNS)
    sql = (
        f"INSERT INTO {table} (minute, route_class, status_class, {columns}) "  # noqa: S608 - names are constants
        f"VALUES ({placeholders}) "
        f"ON CONFLICT (minute, route_class, status_class) DO UPDATE SET {updates}"
    )
    params = [
        [
            datetime.fromtimestamp(minute, tz=UTC),
            route_class,
            status_class,
            int(values[0]),
            values[1],
            *(int(v) for v in values[2:]),
        ]
        for (minute, route_class, status_class), values in sorted(rows.items())
    ]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, params)
    except Exception:  # counts are best effort; a request must never fail for them
        log.exception("access_aggregates_flush_failed", rows=len(params))
        return 0
    return len(params)


def access_aggregates_delete_expired(*, now: datetime | None = None) -> int:
    """Delete request aggregates older than FORGE_ACCESS_AGGREGATE_RETENTION_DAYS; return how many."""
    now = now or datetime.now(tz=UTC)
    cutoff = now - timedelta(days=settings.FORGE_ACCESS_AGGREGATE_RETENTION_DAYS)
    deleted, _ = RequestAggregate.objects.filter(minute__lt=cutoff).delete()
    return deleted


def _flush_at_exit() -> None:
    try:
        access_aggregates_flush()
    except Exception:  # the process is ending; nothing more to do
        log.warning("access_aggregates_flush_at_exit_failed")


atexit.register(_flush_at_exit)
