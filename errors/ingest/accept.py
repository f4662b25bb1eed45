"""Store an accepted event durably, once, and make sure a worker will record it.

One INSERT per event into `errors_erroringestevent`, its own transaction (committed before
the SDK hears 200); the unique (project, event_id) key with ON CONFLICT DO NOTHING makes a
resent event a no-op. Then a drain task is queued unless one is already waiting
(`errors.services.ingest`); the minutely schedule catches anything a kick missed.
"""

import asyncio
import time
import uuid
from datetime import UTC, datetime

import structlog

from errors.ingest.db import pool
from errors.ingest.ratelimit import DRAIN_QUEUED_FLAG, flag_set

log = structlog.get_logger("errors.ingest")

_INSERT = """
INSERT INTO errors_erroringestevent (project_id, event_id, received_at, payload, client_ip)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (project_id, event_id) DO NOTHING
"""


async def event_store(
    *, project_id: int, event_id: uuid.UUID, payload: bytes, client_ip: str
) -> bool:
    """Write the raw event; return False if this project already had that event ID."""
    db = await pool()
    async with db.connection() as conn:
        cursor = await conn.execute(
            _INSERT, (project_id, event_id, datetime.now(UTC), payload, client_ip[:45])
        )
        stored = cursor.rowcount == 1
    if stored:
        await _kick()
    return stored


def _enqueue_drain() -> None:
    from django.db import connection
    from django_q.tasks import async_task

    try:
        async_task("errors.tasks.errors_ingest_drain", task_name="errors: ingest drain")
    except Exception:  # the minutely schedule drains anyway
        log.warning("ingest_kick_failed", exc_info=True)
    finally:
        connection.close()


_last_kick = 0.0


async def _kick() -> None:
    global _last_kick
    now = time.monotonic()
    if now - _last_kick < 0.2:  # a drain was queued a moment ago, or is already waiting
        return
    _last_kick = now
    if await flag_set(DRAIN_QUEUED_FLAG, 30):
        asyncio.get_running_loop().run_in_executor(None, _enqueue_drain)
