"""Django's Redis cache, made to fail open and to reuse its Redis clients.

Failing open: an outage of Redis is not an outage of Forge.

Everything Forge keeps in the cache can be done without: gallery pages and counts are
recomputed from PostgreSQL, sessions read through to the database (`cached_db`), throttles
and lock-outs let the request through, the errors app's key lookups go to the database. With
Django's own backend, though, every `cache.get` raises `redis.ConnectionError` while Redis is
away, so every page and API request became a 500 (found by running Forge against a closed
Redis port).

Here a cache operation that cannot reach Redis answers as a miss (`get` gives the default,
`get_many` nothing, `set`/`add`/`delete`/`touch` report "not done") and logs one warning.
After a failure the process stops trying for `FORGE_CACHE_RETRY_SECONDS` (a small circuit
breaker), so a Redis that hangs rather than refuses costs one socket timeout per process
and period, not one per call. `incr`/`decr` still raise: a counter that cannot count must
be handled by its caller (`forge/ratelimit.py` does).

Code that uses the Redis client directly (`cache._cache.get_client()`: throttles, rate
limits, the ingest drain flag) catches `redis.RedisError` itself.

One client per pool: `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache
operation; building one registers every response callback again, which costs more than the
round trip it wraps (about 0.1 ms a call on a session read, a throttle and an auth-lockout
check of every request). A client is a thin, thread-safe front to its connection pool, so it
is made once per pool and kept.
"""

import threading
import time
from functools import wraps

import structlog
from django.conf import settings
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = structlog.get_logger("forge.cache")

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# What each operation answers while Redis is away: a miss, or "not done".
_MISS = {
    "get": None,  # replaced by the caller's default
    "get_many": {},
    "set": None,
    "set_many": [],
    "add": False,
    "touch": False,
    "delete": False,
    "delete_many": None,
    "has_key": False,
}


class _Breaker:
    """Per process: whether Redis failed recently, and one warning per outage."""

    def __init__(self) -> None:
        self._down_until = 0.0
        self._lock = threading.Lock()

    def open(self) -> bool:
        return time.monotonic() < self._down_until

    def trip(self, operation: str, exc: BaseException) -> None:
        with self._lock:
            first = self._down_until == 0.0 or time.monotonic() >= self._down_until
            self._down_until = time.monotonic() + settings.FORGE_CACHE_RETRY_SECONDS
        if first:
            log.warning("cache_unreachable", operation=operation, error=repr(exc))

    def close(self) -> None:
        self._down_until = 0.0


def _fail_open(name: str):
    method = getattr(RedisCacheClient, name)

    @wraps(method)
    def wrapper(self, *args, **kwargs):
        if not self._breaker.open():
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self._breaker.trip(name, exc)
        if name == "get":  # get(key, default)
            return args[1] if len(args) > 1 else kwargs.get("default")
        value = _MISS[name]
        return value.copy() if isinstance(value, dict | list) else value

    return wrapper


class FailOpenRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client whose reads miss and writes give up while Redis is away,
    with one Redis client object per connection pool."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._breaker = _Breaker()
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    get = _fail_open("get")
    get_many = _fail_open("get_many")
    set = _fail_open("set")
    set_many = _fail_open("set_many")
    add = _fail_open("add")
    touch = _fail_open("touch")
    delete = _fail_open("delete")
    delete_many = _fail_open("delete_many")
    has_key = _fail_open("has_key")


class RedisCache(DjangoRedisCache):
    """`django.core.cache.backends.redis.RedisCache` that fails open and reuses its clients."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient


class RedisDeferred:
    """Redis commands sent now, their replies read later: a round trip that overlaps other work.

    A redis-py pipeline sends its commands and waits for the replies in one call. Split in
    two, the caller can run something else while Redis answers (the bearer token's lookup in
    PostgreSQL while the brute-force lock-out is read), so that round trip adds nothing to
    the request. redis-py has no public way to do this; its connection's own `pack_commands`,
    `send_packed_command` and `read_response` (what its pipeline uses) do it here.

    The connection is held from the send to the read and always goes back to its pool clean:
    with every reply read, or disconnected (`close()`, or leaving the `with` block without
    reading). Errors are redis-py's (`RedisError`, `OSError`), raised by the constructor or
    by `replies()`; the caller decides whether to fail open.
    """

    def __init__(self, client, commands: list[tuple]) -> None:
        self._pool = client.connection_pool
        self._count = len(commands)
        self._replies: list | None = None
        self._connection = self._pool.get_connection()
        try:
            self._connection.send_packed_command(self._connection.pack_commands(commands))
        except BaseException:
            self.close()
            raise

    def replies(self) -> list:
        """Wait for and return the raw replies, one per command, in order."""
        if self._replies is None:
            if self._connection is None:
                raise RuntimeError("RedisDeferred: closed before its replies were read.")
            try:
                replies = [self._connection.read_response() for _ in range(self._count)]
            except BaseException:
                self.close()
                raise
            self._pool.release(self._connection)
            self._connection = None
            self._replies = replies
        return self._replies

    def close(self) -> None:
        """Give the connection back without reading: disconnected, as its replies may be due."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.disconnect()
            finally:
                self._pool.release(connection)

    def __enter__(self) -> "RedisDeferred":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
