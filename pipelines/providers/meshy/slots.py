"""Cap how many Meshy tasks run at once, per worker process and per user, in shared Redis.

Each running remote task holds a slot: a member of a Redis sorted set per scope whose score
is the moment it lapses. The holder renews it while it waits; a worker that crashes stops
renewing and its slots lapse after `ttl` seconds, so nothing needs cleaning up by hand.
A cap of 0 means no limit for that scope.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import structlog

from pipelines.providers.meshy import errors
from pipelines.providers.meshy.client import sleep_or_cancel

log = structlog.get_logger("pipelines.providers.meshy")

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
RETRY_SECONDS = 0.25

# KEYS: the scopes' sorted sets. ARGV: ttl seconds, token, then one cap per key.
# Uses Redis's clock, so workers on several machines agree on when a slot lapses.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ttl = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then return 0 end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + ttl, ARGV[2])
  redis.call('EXPIRE', key, math.ceil(ttl) + 60)
end
return 1
"""
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now + tonumber(ARGV[1]), ARGV[2])
  redis.call('EXPIRE', key, math.ceil(tonumber(ARGV[1])) + 60)
end
return 1
"""


class TaskSlots:
    """Hand out slots for remote tasks, at most `per_worker` and `per_user` at a time."""

    def __init__(self, *, per_worker: int, per_user: int, ttl: float, wait: float):
        self.per_worker = per_worker
        self.per_user = per_user
        self.ttl = ttl
        self.wait = wait

    @classmethod
    def from_settings(cls) -> TaskSlots:
        """Return slots configured by the `MESHY_MAX_TASKS_*` settings."""
        from django.conf import settings

        return cls(
            per_worker=settings.MESHY_MAX_TASKS_PER_WORKER,
            per_user=settings.MESHY_MAX_TASKS_PER_USER,
            ttl=settings.MESHY_SLOT_TTL_SECONDS,
            wait=settings.MESHY_SLOT_WAIT_SECONDS,
        )

    def _scopes(self, owner: str) -> list[tuple[str, int]]:
        from django.core.cache import cache

        scopes = []
        if self.per_worker > 0:
            scopes.append((cache.make_key(f"meshy:slots:worker:{WORKER_ID}"), self.per_worker))
        if self.per_user > 0 and owner:
            scopes.append((cache.make_key(f"meshy:slots:user:{owner}"), self.per_user))
        return scopes

    @staticmethod
    def _redis():
        from django.core.cache import cache

        return cache._cache.get_client(write=True)  # the Redis backend's own client

    def in_use(self, owner: str = "") -> dict[str, int]:
        """Return how many slots each scope holds right now (for admin pages and tests)."""
        client = self._redis()
        now = time.time()
        return {key: int(client.zcount(key, now, "+inf")) for key, _ in self._scopes(owner)}

    @contextmanager
    def hold(
        self, *, owner: str, should_cancel: Callable[[], bool]
    ) -> Iterator[Callable[[], None]]:
        """Wait for a free slot and hold it for the block; yield a function that renews it.

        Raises a retryable `provider_busy` error after `wait` seconds without one.
        """
        scopes = self._scopes(owner)
        if not scopes:
            yield lambda: None
            return
        keys = [key for key, _ in scopes]
        caps = [cap for _, cap in scopes]
        token = uuid.uuid4().hex
        client = self._redis()
        acquire = client.register_script(_ACQUIRE)
        renew_script = client.register_script(_RENEW)
        deadline = time.monotonic() + self.wait
        waited = False
        while not acquire(keys=keys, args=[self.ttl, token, *caps]):
            if not waited:
                log.info("provider.meshy.slot_wait", owner=owner or None, worker=WORKER_ID)
                waited = True
            if time.monotonic() > deadline:
                raise errors.error(
                    "Forge is already running as many Meshy tasks as it allows; "
                    "the pipeline will try again later.",
                    code=errors.BUSY,
                    retryable=True,
                )
            sleep_or_cancel(RETRY_SECONDS, should_cancel)
        last = time.monotonic()

        def renew() -> None:
            nonlocal last
            if time.monotonic() - last >= self.ttl / 3:
                renew_script(keys=keys, args=[self.ttl, token])
                last = time.monotonic()

        try:
            yield renew
        finally:
            for key in keys:
                client.zrem(key, token)
