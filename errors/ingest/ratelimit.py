"""Events per project per minute, counted in Redis so every web process shares the limit.

Also the short-lived flags the endpoints and the drain share (one drain queued at a time).

A fixed window: the first event of a minute starts a counter that expires with it. Over
the project's `rate_limit_per_minute`, the endpoints answer 429 with the seconds left in
the window (`Retry-After`, `X-Sentry-Rate-Limits`). If Redis is unreachable events are
let through: losing error reports would be worse than a burst.
"""

import time

import structlog
from django.conf import settings
from django.core.cache import cache
from redis.asyncio import Redis

log = structlog.get_logger("errors.ingest")
_client: Redis | None = None
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


async def rate_limit_wait(project_id: int, limit: int) -> int:
    """Count one request for the project; return 0 if allowed, else seconds until allowed."""
    now = time.time()
    minute = int(now // 60)
    key = counter_key(project_id, minute)
    try:
        pipe = _redis().pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, 120)
        count, _ = await pipe.execute()
    except Exception:
        log.warning("ingest_rate_limit_unavailable", exc_info=True)
        return 0
    if count <= limit:
        return 0
    return max(1, int((minute + 1) * 60 - now) + 1)


async def flag_set(name: str, seconds: int) -> bool:
    """Set a short-lived flag shared by every process; True if this call set it."""
    try:
        return bool(await _redis().set(redis_key(name), 1, nx=True, ex=seconds))
    except Exception:
        log.warning("ingest_flag_unavailable", exc_info=True)
        return True
