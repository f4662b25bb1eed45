"""`RedisDeferred`: commands sent at once, replies read later, the connection always left clean."""

import pytest
import redis
from django.conf import settings

from forge.cache import RedisDeferred

KEY = "forge-test:deferred"


@pytest.fixture
def one_connection_client():
    # A pool of one connection: whatever the deferred commands leave on it, the next command
    # meets, so a reply read by the wrong caller would show.
    pool = redis.ConnectionPool.from_url(settings.CACHES["default"]["LOCATION"], max_connections=1)
    client = redis.Redis(connection_pool=pool)
    client.delete(KEY)
    yield client
    client.delete(KEY)
    pool.disconnect()


def test_replies_come_back_in_order_after_other_work(one_connection_client):
    client = one_connection_client
    with RedisDeferred(client, [("SET", KEY, "7"), ("INCR", KEY), ("GET", KEY), ("TTL", KEY)]) as d:
        assert client.connection_pool._in_use_connections  # held while the caller works
        replies = d.replies()
        assert d.replies() is replies  # read once
    assert replies[1:] == [8, b"8", -1]
    assert not client.connection_pool._in_use_connections
    assert client.get(KEY) == b"8"


@pytest.mark.parametrize("leave", ["unread", "error"])
def test_a_block_left_before_reading_hands_back_a_clean_connection(one_connection_client, leave):
    client = one_connection_client
    client.set(KEY, "right")

    def block():
        with RedisDeferred(client, [("SET", KEY, "deferred"), ("GET", KEY)]):
            if leave == "error":
                raise ValueError("the caller's own work failed")

    if leave == "error":
        with pytest.raises(ValueError):
            block()
    else:
        block()
    assert not client.connection_pool._in_use_connections
    # The one connection was dropped with its replies unread: the next command gets its own.
    assert client.get(KEY) == b"deferred"
    assert client.incr(KEY + ":n") == 1
    client.delete(KEY + ":n")


def test_a_closed_deferred_says_so():
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    deferred = RedisDeferred(client, [("PING",)])
    deferred.close()
    with pytest.raises(RuntimeError, match="closed"):
        deferred.replies()
    client.close()


def test_an_unreachable_redis_raises_from_the_constructor_and_holds_nothing():
    # Nothing listens on this port (one of this project's test ports).
    client = redis.Redis.from_url("redis://127.0.0.1:8299/0", socket_connect_timeout=1)
    with pytest.raises(redis.ConnectionError):
        RedisDeferred(client, [("GET", KEY)])
    assert not client.connection_pool._in_use_connections


def test_a_connection_redis_closed_is_replaced_by_the_pool(one_connection_client):
    # As after a Redis restart: the pooled connection is dead. redis-py's pool checks a
    # connection as it hands it out (data or EOF waiting on it) and reconnects it, so the
    # deferred commands still answer.
    client = one_connection_client
    client.set(KEY, "kept")
    admin = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    try:
        for _ in range(5):
            admin.client_kill_filter(_id=client.client_id())  # the pool's one connection
            with RedisDeferred(client, [("GET", KEY), ("TTL", KEY)]) as deferred:
                assert deferred.replies() == [b"kept", -1]
            assert not client.connection_pool._in_use_connections
    finally:
        admin.close()
