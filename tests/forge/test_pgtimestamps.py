"""Timestamps come from psycopg's C loader (forge/pgtimestamps.py) and equal Django's own."""

import datetime

import pytest
from django.db import DataError, connection, connections
from psycopg.postgres import types
from psycopg.pq import Format

from forge.pgtimestamps import (
    DjangoUtcTimestamptzLoader,
    TimestamptzLoader,
    _CTimestamptzLoader,
    fast_timestamps_available,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(databases=["default", "errors"])

TIMESTAMPTZ = types["timestamptz"].oid
VALUES = [
    "0001-01-01 00:00:00+00",
    "1969-12-31 23:59:59.999999+00",
    "2000-02-29 12:00:00+00",
    "2026-12-04 06:47:05.123456+00",
    "2020-01-01 12:00:00.5+05:30",
    "2020-06-01 00:00:00-09:30",
    "9999-12-31 23:59:59.999999+00",
]
UNREADABLE = ["infinity", "-infinity", "0001-01-01 00:00:00 BC"]


def _loader(conn):
    return conn.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)


def _read(conn, loader, values):
    conn.connection.adapters.register_loader("timestamptz", loader)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT v::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(v, n) "
                "ORDER BY n",
                [values],
            )
            return [row[0] for row in cursor.fetchall()]
    finally:
        conn.connection.adapters.register_loader("timestamptz", TimestamptzLoader)


def test_every_connection_reads_timestamps_with_the_fast_loader():
    assert fast_timestamps_available()
    for alias in ("default", "errors"):
        conn = connections[alias]
        conn.ensure_connection()
        assert _loader(conn) is TimestamptzLoader
    with connection.cursor() as cursor:  # Django's per-cursor check keeps it (same timezone)
        cursor.execute("SELECT now()")
        assert type(cursor.cursor._tx.get_loader(TIMESTAMPTZ, 0)) is TimestamptzLoader


def test_it_uses_psycopgs_c_loader_on_a_utc_session():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        loader = cursor.cursor._tx.get_loader(TIMESTAMPTZ, 0)
    assert loader.load.__self__.__class__ is _CTimestamptzLoader


def test_values_equal_djangos_loader_to_the_microsecond_with_the_same_tzinfo():
    connection.ensure_connection()
    fast = _read(connection, TimestamptzLoader, VALUES)
    django = _read(connection, DjangoUtcTimestamptzLoader, VALUES)
    assert fast == django
    assert [repr(v) for v in fast] == [repr(v) for v in django]
    assert all(v.tzinfo is datetime.UTC for v in fast)
    assert fast[4] == datetime.datetime(2020, 1, 1, 6, 30, 0, 500000, tzinfo=datetime.UTC)


@pytest.mark.parametrize("value", UNREADABLE)
def test_values_python_cannot_hold_fail_as_djangos_do(value):
    connection.ensure_connection()
    for loader in (TimestamptzLoader, DjangoUtcTimestamptzLoader):
        with pytest.raises(DataError):
            _read(connection, loader, [value])


def test_a_session_that_left_utc_gets_djangos_loader_and_its_values():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'Europe/Paris'")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            loader = cursor.cursor._tx.get_loader(TIMESTAMPTZ, 0)
        assert loader.load.__func__ is TimestamptzLoader.load  # Django's conversion
        in_range = VALUES[:-1]  # the last is in year 10000 in Paris, which neither reads
        assert _read(connection, TimestamptzLoader, in_range) == _read(
            connection, DjangoUtcTimestamptzLoader, in_range
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")


def test_models_read_through_the_orm_keep_their_timestamps():
    user = UserFactory()
    stamp = datetime.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=datetime.UTC)
    type(user).objects.filter(pk=user.pk).update(date_joined=stamp)
    user.refresh_from_db()
    assert user.date_joined == stamp and user.date_joined.tzinfo is datetime.UTC
