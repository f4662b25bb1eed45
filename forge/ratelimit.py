"""A fixed-window counter in the shared cache, to bound how often one thing may happen."""

import hashlib

import structlog
from django.core.cache import cache
from redis.exceptions import RedisError

log = structlog.get_logger("forge.ratelimit")


def rate_limit_hit(*, scope: str, ident: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt for `ident` in `scope`; tell whether it is within `limit` per window.

    `ident` is hashed into the key, so an email address or token never sits in Redis as is.
    The window starts at the first attempt; every process shares the count through Redis.
    While Redis is away the attempt is allowed (and a warning logged): the limit resumes with it.
    """
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"forge:ratelimit:{scope}:{digest}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this attempt opens a new window
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    except RedisError:
        log.warning("rate_limit_unavailable", scope=scope)
        return True
    return count <= limit


def rate_limit_take(*, scope: str, ident: str, limit: int, window_seconds: int) -> int:
    """Take one of `limit` slots per window for `ident` in `scope`; return 0, or the wait in seconds.

    A refused attempt does not use a slot (it is given back at once), so a client that keeps
    asking is told the same wait and gets in as soon as the window ends. The count and its
    time to live are read in one MULTI/EXEC round trip on the shared Redis.
    """
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = cache.make_and_validate_key(f"forge:ratelimit:{scope}:{digest}")
    client = cache._cache.get_client(write=True)
    pipe = client.pipeline(transaction=True)
    pipe.set(key, 0, ex=window_seconds, nx=True)  # the window starts at the first attempt
    pipe.incr(key)
    pipe.ttl(key)
    _, count, ttl = pipe.execute()
    if int(count) <= limit:
        return 0
    client.decr(key)
    return int(ttl) if ttl and int(ttl) > 0 else 1


def rate_limit_refund(*, scope: str, ident: str) -> None:
    """Give back the slot `rate_limit_take` took, when what it counted did not happen after all."""
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = cache.make_and_validate_key(f"forge:ratelimit:{scope}:{digest}")
    client = cache._cache.get_client(write=True)
    if client.exists(key):
        client.decr(key)
