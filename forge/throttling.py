"""DRF throttles as fixed-window counters in Redis: one round trip per request, all throttles.

DRF's own throttles keep a list of every request's time in the cache, read it and write it
back (two round trips per throttle, and a pickle that grows with the rate). These count
instead: the first request of a window creates the key with the window as its time to live,
and every request adds 1 and reads the time left. A request over the limit is refused until
the window ends (its `Retry-After`); at a window's boundary a client can get up to twice its
rate in a short burst, the usual price of a fixed window.

Every window throttle of a view is counted in the same round trip: the first one DRF asks
counts them all with one Lua script (`EVALSHA`, one command however many counters) and
leaves the answers on the request for the others. An anonymous API call, which DRF's
default throttles count twice (per address as `anon` and as `user`), used to pay two
MULTI/EXEC round trips.

If Redis is unreachable the request is allowed (and a warning is logged): an outage of the
cache must not turn into an outage of the API.
"""

import structlog
from django.core.cache import cache
from rest_framework import throttling

log = structlog.get_logger("forge.throttling")

# KEYS: the counters; ARGV: each one's window in seconds. Returns count, seconds left, ...
# A counter found without a time to live (never expected) gets its window again.
_WINDOWS_SCRIPT = """
local out = {}
for i, key in ipairs(KEYS) do
  local window = tonumber(ARGV[i])
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, window) end
  local ttl = redis.call('TTL', key)
  if ttl < 0 then
    redis.call('EXPIRE', key, window)
    ttl = window
  end
  out[#out + 1] = count
  out[#out + 1] = ttl
end
return out
"""
_scripts: dict[int, object] = {}


def windows_hit(hits: list[tuple[str, int]]) -> list[tuple[int, int]]:
    """Count one request under each (key, window seconds); return (count, seconds left) each."""
    client = cache._cache.get_client(write=True)  # the cache's own Redis client
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_WINDOWS_SCRIPT)
    flat = script(keys=[key for key, _ in hits], args=[window for _, window in hits])
    return [(int(flat[i]), int(flat[i + 1])) for i in range(0, len(flat), 2)]


def window_hit(key: str, *, window_seconds: int) -> tuple[int, int]:
    """Count one request under `key`; return the count in its window and the seconds left."""
    return windows_hit([(key, window_seconds)])[0]


_NOT_COUNTED = object()


def _view_windows(request, view) -> dict | None:
    """Count the request against every window throttle of `view` at once; keep it on `request`.

    Returns {counter key: (count, seconds left)}, or None when Redis could not be reached.
    """
    counted = getattr(request, "_forge_throttle_windows", _NOT_COUNTED)
    if counted is not _NOT_COUNTED:
        return counted
    hits = {}
    for throttle in view.get_throttles():
        if isinstance(throttle, _WindowMixin) and throttle.rate is not None:
            key = throttle.get_cache_key(request, view)
            if key is not None:
                hits[cache.make_and_validate_key(f"forge:{key}")] = throttle.duration
    try:
        counts = windows_hit(list(hits.items())) if hits else []
    except Exception:
        log.warning("throttle_unavailable", exc_info=True)
        counted = None
    else:
        counted = dict(zip(hits, counts, strict=True))
    request._forge_throttle_windows = counted
    return counted


class _WindowMixin:
    """Replace `SimpleRateThrottle`'s history list with one counter per window."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self._wait = 0
        key = cache.make_and_validate_key(f"forge:{key}")
        counted = _view_windows(request, view)
        if counted is None:  # Redis unreachable
            return True
        result = counted.get(key)
        if result is None:  # a throttle the view does not list: counted on its own
            try:
                result = window_hit(key, window_seconds=self.duration)
            except Exception:
                log.warning("throttle_unavailable", scope=self.scope, exc_info=True)
                return True
        count, ttl = result
        if count <= self.num_requests:
            return True
        self._wait = ttl if ttl > 0 else self.duration
        return False

    def wait(self) -> float | None:
        return getattr(self, "_wait", None) or None


class AnonRateThrottle(_WindowMixin, throttling.AnonRateThrottle):
    """Limit anonymous callers per client address (`DEFAULT_THROTTLE_RATES['anon']`)."""


class UserRateThrottle(_WindowMixin, throttling.UserRateThrottle):
    """Limit signed-in callers per user (`DEFAULT_THROTTLE_RATES['user']`)."""
