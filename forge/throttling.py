"""DRF throttles as fixed-window counters in Redis: one round trip per request.

DRF's own throttles keep a list of every request's time in the cache, read it and write it
back (two round trips, and a pickle that grows with the rate). These count instead: the
first request of a window creates the key with the window as its time to live, and every
request adds 1 and reads the time left, all in one MULTI/EXEC. A request over the limit is
refused until the window ends (its `Retry-After`); at a window's boundary a client can get
up to twice its rate in a short burst, the usual price of a fixed window.

If Redis is unreachable the request is allowed (and a warning is logged): an outage of the
cache must not turn into an outage of the API.
"""

import structlog
from django.core.cache import cache
from rest_framework import throttling

log = structlog.get_logger("forge.throttling")


def window_hit(key: str, *, window_seconds: int) -> tuple[int, int]:
    """Count one request under `key`; return the count in its window and the seconds left."""
    client = cache._cache.get_client(write=True)  # the cache's own Redis client
    pipe = client.pipeline(transaction=True)
    pipe.set(key, 0, ex=window_seconds, nx=True)  # the window starts at its first request
    pipe.incr(key)
    pipe.ttl(key)
    _, count, ttl = pipe.execute()
    return int(count), int(ttl) if ttl and int(ttl) > 0 else window_seconds


class _WindowMixin:
    """Replace `SimpleRateThrottle`'s history list with one counter per window."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self._wait = 0
        try:
            count, ttl = window_hit(
                cache.make_and_validate_key(f"forge:{key}"), window_seconds=self.duration
            )
        except Exception:
            log.warning("throttle_unavailable", scope=self.scope, exc_info=True)
            return True
        if count <= self.num_requests:
            return True
        self._wait = ttl
        return False

    def wait(self) -> float | None:
        return getattr(self, "_wait", None) or None


class AnonRateThrottle(_WindowMixin, throttling.AnonRateThrottle):
    """Limit anonymous callers per client address (`DEFAULT_THROTTLE_RATES['anon']`)."""


class UserRateThrottle(_WindowMixin, throttling.UserRateThrottle):
    """Limit signed-in callers per user (`DEFAULT_THROTTLE_RATES['user']`)."""
