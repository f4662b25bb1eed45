"""Events per project per minute, counted in Redis so every web process shares the limit.

Also the short-lived flags the endpoints and the drain share (one drain queued at a time).

A fixed window: the first request of a minute starts a counter that expires with it. Over
the project's `rate_limit_per_minute`, the endpoints answer 429 with the seconds left in
the window (`Retry-After`, `X-Sentry-Rate-Limits`). If Redis is unreachable events are
let through: losing error reports would be worse than a burst.
"""

import time
from dataclasses import dataclass

import structlog
from django.conf import settings
from django.core.cache import cache
from redis.asyncio import Redis

log = structlog.get_logger("errors.ingest")
_client: Redis | None = None
_NEAR = 0.8
_SYNC_EVERY = 50
_SYNC_SECONDS = 0.25
# Set while a drain task is queued and not yet started (errors/services/ingest.py).
DRAIN_QUEUED_FLAG = "drain-queued"


def _redis() -> Redis:
    global _client
    if _client is None:
        _client = Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    return _client


def redis_key(name: str) -> str:
    """Return the Redis key for `name` under this installation's cache prefix."""
    return f"{cache.key_prefix}:errors:ingest:{name}"


def counter_key(project_id: int, minute: int) -> str:
    """Return the Redis key counting `project_id`'s requests in `minute` (epoch minutes)."""
    return redis_key(f"rate:{project_id}:{minute}")


@dataclass
class _Window:
    """This process's view of one project's counter in one minute."""

    minute: int
    known: int = 0  # the shared count when this process last synced
    unsent: int = 0  # requests counted here and not yet added to the shared count
    synced_at: float = 0.0


_windows: dict[int, _Window] = {}


async def rate_limit_wait(project_id: int, limit: int) -> int:
    """Count one request for the project; return 0 if allowed, else seconds until allowed.

    Far below the limit, a process adds its requests to the shared counter in batches
    (every `_SYNC_EVERY` requests or `_SYNC_SECONDS`), which spares a Redis round trip per
    event; from `_NEAR` of the limit on, every request goes to Redis, so the limit is exact
    where it matters.
    """
    now = time.time()
    minute = int(now // 60)
    window = _windows.get(project_id)
    if window is None or window.minute != minute:
        if len(_windows) > 10_000:
            _windows.clear()
        window = _windows[project_id] = _Window(minute=minute)
    window.unsent += 1
    estimate = window.known + window.unsent
    if (
        estimate >= limit * _NEAR
        or window.unsent >= _SYNC_EVERY
        or now - window.synced_at > _SYNC_SECONDS
    ):
        unsent, window.unsent, window.synced_at = window.unsent, 0, now
        key = counter_key(project_id, minute)
        try:
            pipe = _redis().pipeline(transaction=False)
            pipe.incrby(key, unsent)
            pipe.expire(key, 120)
            count, _ = await pipe.execute()
        except Exception:
            log.warning("ingest_rate_limit_unavailable", exc_info=True)
            return 0
        window.known = max(window.known, int(count))
        estimate = window.known + window.unsent
    if estimate <= limit:
        return 0
    return max(1, int((minute + 1) * 60 - now) + 1)


async def flag_set(name: str, seconds: int) -> bool:
    """Set a short-lived flag shared by every process; True if this call set it."""
    try:
        return bool(await _redis().set(redis_key(name), 1, nx=True, ex=seconds))
    except Exception:
        log.warning("ingest_flag_unavailable", exc_info=True)
        return True
