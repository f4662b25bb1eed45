"""A fixed-window counter in the shared cache, to bound how often one thing may happen."""

import hashlib

from django.core.cache import cache


def rate_limit_hit(*, scope: str, ident: str, limit: int, window_seconds: int) -> bool:
    """Count one attempt for `ident` in `scope`; tell whether it is within `limit` per window.

    `ident` is hashed into the key, so an email address or token never sits in Redis as is.
    The window starts at the first attempt; every process shares the count through Redis.
    """
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"forge:ratelimit:{scope}:{digest}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this attempt opens a new window
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
