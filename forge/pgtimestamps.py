"""Timestamps read by psycopg's C loader instead of Django's pure-Python one.

Django registers a `timestamptz` loader on every PostgreSQL connection that subclasses
psycopg's Python `TimestamptzLoader` to force each value's tzinfo to the connection's
(`django/db/backends/postgresql/psycopg_any.py`, `BaseTzLoader`). psycopg substitutes its C
loaders only for its own classes, and the C class cannot be subclassed, so every timestamp
Forge reads was parsed in Python: about 2.3 µs more per value than the C loader, 0.11 ms for
a gallery page of 24 rows (two timestamps each), measured in docs/benchmarks.md.

Under `USE_TZ` Django sets each connection's `TimeZone` to UTC (`ensure_timezone`), and then
psycopg's C loader already returns datetimes whose tzinfo is `datetime.timezone.utc`: the
value Django's loader makes. `TimestamptzLoader` below uses the C loader in exactly that
case and Django's own loader otherwise (a session that changed its `TimeZone`, or psycopg
without its C extension), so what a query returns never changes; tests compare the two.

It keeps a `timezone` attribute equal to Django's because Django's `create_cursor` compares
it with the connection's before every query, and would otherwise re-register its own.
Written here because neither Django nor psycopg offers the switch.
"""

import datetime

from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from django.db.backends.signals import connection_created
from psycopg import pq
from psycopg.adapt import Loader

try:  # psycopg's C implementation, present with psycopg[binary] or psycopg[c]
    from psycopg_binary._psycopg import TimestamptzLoader as _CTimestamptzLoader
except ImportError:  # pragma: no cover - Forge installs psycopg[binary]
    try:
        from psycopg_c._psycopg import TimestamptzLoader as _CTimestamptzLoader
    except ImportError:
        _CTimestamptzLoader = None

UTC = datetime.UTC


class DjangoUtcTimestamptzLoader(BaseTzLoader):
    """Django's own loader for a UTC connection (what `register_tzloader(UTC, …)` makes)."""

    timezone = UTC


class TimestamptzLoader(Loader):
    """psycopg's C `timestamptz` loader while the session's TimeZone is UTC, else Django's."""

    timezone = UTC

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        utc_session = self.connection is not None and self.connection.info.timezone is UTC
        if utc_session and _CTimestamptzLoader is not None:
            # The C loader's own method: no Python frame per value.
            self.load = _CTimestamptzLoader(oid, context).load
        else:
            self._django = DjangoUtcTimestamptzLoader(oid, context)

    def load(self, data):
        """Django's conversion, for a session that is not on UTC."""
        return self._django.load(data)


def fast_timestamps_available() -> bool:
    return _CTimestamptzLoader is not None and pq.__impl__ in ("binary", "c")


def _register(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql" or getattr(connection, "timezone", None) is not UTC:
        return
    if fast_timestamps_available():
        connection.connection.adapters.register_loader("timestamptz", TimestamptzLoader)


def timestamps_connect() -> None:
    """Register the loader on every PostgreSQL connection Django opens (called in `ready`)."""
    connection_created.connect(_register, dispatch_uid="forge.pgtimestamps")
