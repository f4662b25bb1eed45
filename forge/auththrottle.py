"""Brute-force protection: failed sign-ins and bearer tokens, counted per address and account.

Each failure adds 1 to a counter per client address (`forge.clientip.client_ip`) and, for
sign-ins, per account (the username, case-folded). A counter lives in the shared cache
(Redis) for a fixed window of `FORGE_AUTH_FAILURE_WINDOW_SECONDS` from its first failure,
so the limit holds across every web process. Once a counter reaches its limit
(`FORGE_AUTH_FAILURES_PER_ADDRESS`, `FORGE_AUTH_FAILURES_PER_ACCOUNT`), attempts are
refused before any credential is checked until the window ends.

A successful sign-in clears nothing: counters only expire. Otherwise an attacker could
sign into their own account between guesses to reset their address, and the owner
signing in would hand the attacker a fresh set of guesses at the account. The price is
that an account under attack stays locked for the rest of the window, for its owner too.

If the cache is unreachable, attempts are allowed (and a warning is logged): an outage
of Redis must not lock every user out.
"""

import hashlib

import structlog
from django.conf import settings
from django.core.cache import cache

from forge.cache import RedisDeferred

log = structlog.get_logger("forge.auth")


def _counters(*, address: str, account: str | None) -> list[tuple[str, int]]:
    counters = []
    if address:
        counters.append((f"authfail:addr:{address}", settings.FORGE_AUTH_FAILURES_PER_ADDRESS))
    if account is not None:
        # Hashed: a username is client input of any length and content.
        digest = hashlib.sha256(account.strip().casefold().encode("utf-8", "replace")).hexdigest()
        counters.append((f"authfail:acct:{digest[:40]}", settings.FORGE_AUTH_FAILURES_PER_ACCOUNT))
    return [(cache.make_and_validate_key(key), limit) for key, limit in counters]


def _wait(counters: list[tuple[str, int]], results: list) -> int:
    wait = 0
    for (_, limit), (count, ttl) in zip(counters, results, strict=True):
        if int(count or 0) >= limit:
            wait = max(wait, int(ttl) if ttl and int(ttl) > 0 else 1)
    return wait


class LockoutRead:
    """The lock-out for `address` (at `account`), read while the caller does other work.

    The GET and TTL of every counter go to Redis when this is made; `wait()` takes the answer.
    Bearer tokens are looked up in PostgreSQL in between (`forge.tokens.api_token_attempt`),
    so the lock-out check adds no round trip of its own; the token is only accepted after
    `wait()` says 0. A send or read that fails (Redis away, or a pooled connection Redis
    closed) lets the attempt through with a warning, as every cache step here does. Use it as a context manager: leaving the block gives the Redis connection back
    even if `wait()` was never called.
    """

    def __init__(self, *, address: str, account: str | None = None) -> None:
        self._counters = _counters(address=address, account=account)
        self._deferred = None
        if not self._counters:
            return
        commands = [
            command for key, _ in self._counters for command in (("GET", key), ("TTL", key))
        ]
        try:
            self._deferred = RedisDeferred(cache._cache.get_client(write=False), commands)
        except Exception:
            log.warning("auth_throttle_unavailable", exc_info=True)

    def wait(self) -> int:
        """Return the seconds until an attempt is allowed; 0 if now (or if Redis is away)."""
        if self._deferred is None:
            return 0
        try:
            flat = self._deferred.replies()
        except Exception:
            log.warning("auth_throttle_unavailable", exc_info=True)
            return 0
        return _wait(self._counters, list(zip(flat[::2], flat[1::2], strict=True)))

    def __enter__(self) -> "LockoutRead":
        return self

    def __exit__(self, *exc_info) -> None:
        if self._deferred is not None:
            self._deferred.close()


def auth_lockout_wait(*, address: str, account: str | None = None) -> int:
    """Return the seconds until an attempt from `address` (at `account`) is allowed; 0 if now."""
    with LockoutRead(address=address, account=account) as lockout:
        return lockout.wait()


def auth_failure_note(*, address: str, account: str | None = None) -> int:
    """Count one failed attempt from `address` (at `account`); return the wait now in force."""
    counters = _counters(address=address, account=account)
    if not counters:
        return 0
    window = settings.FORGE_AUTH_FAILURE_WINDOW_SECONDS
    try:
        client = cache._cache.get_client(write=True)
        pipe = client.pipeline(transaction=True)  # MULTI/EXEC: one atomic round trip
        for key, _ in counters:
            pipe.set(key, 0, ex=window, nx=True)  # the window starts at the first failure
            pipe.incr(key)
            pipe.ttl(key)
        flat = pipe.execute()
    except Exception:
        log.warning("auth_throttle_unavailable", exc_info=True)
        return 0
    results = list(zip(flat[1::3], flat[2::3], strict=True))
    wait = _wait(counters, results)
    if wait:
        log.warning("auth_lockout", address=address, wait_seconds=wait)
    return wait


def wait_phrase(seconds: int) -> str:
    """Return `seconds` as people say it: "in 45 seconds", "in 15 minutes"."""
    if seconds < 60:
        return f"in {seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"
