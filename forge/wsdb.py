"""Database access from websocket consumers without a new PostgreSQL connection per call.

Channels' `database_sync_to_async` closes the connection after every call when
`CONN_MAX_AGE` is 0, so each websocket connect paid for one or two fresh PostgreSQL backends
(a fork each): 1,000 watchers connecting at 100 a second overran daphne's 5 s handshake
timeout. Consumer code runs in the one shared sync thread (no per-request thread context as
HTTP has), so that thread can keep its connection: this helper closes it only when it is
broken, and checks it before use after an idle spell.
"""

import time

from asgiref.sync import SyncToAsync
from django.db import connections

# A connection idle longer than this is pinged before use (as CONN_HEALTH_CHECKS does).
_CHECK_AFTER_IDLE_SECONDS = 30
_last_used: dict[str, float] = {}


def _prepare() -> None:
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        idle = now - _last_used.get(conn.alias, now)
        if conn.errors_occurred or idle > _CHECK_AFTER_IDLE_SECONDS:
            if not conn.is_usable():
                conn.close()
            conn.errors_occurred = False


def _finish() -> None:
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if conn.in_atomic_block or (conn.errors_occurred and not conn.is_usable()):
            conn.close()
        else:
            _last_used[conn.alias] = now


class KeepConnectionSyncToAsync(SyncToAsync):
    """`sync_to_async` for consumers: reuse the thread's connection, drop it only when broken."""

    def thread_handler(self, loop, *args, **kwargs):
        _prepare()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            _finish()


def consumer_database_sync_to_async(func):
    """Run `func` in the shared sync thread with a kept database connection."""
    return KeepConnectionSyncToAsync(func, thread_sensitive=True)
