"""The fixed cost of an API request, held by query counts: a regression fails here, not in timing.

The minimal view (`tests/forge/urls.py`) returns a constant through the default
authentication, permission and throttles, so whatever it queries every API request queries.
"""

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import cache
from django.test import Client

from forge.tokens import api_token_create

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.forge.urls")]

FLOOR = "/api/v1/test/floor/"


def test_an_anonymous_request_runs_no_query(django_assert_num_queries):
    client = Client()
    client.get(FLOOR)
    with django_assert_num_queries(0):
        response = client.get(FLOOR)
    assert response.status_code == 200 and response.json()["data"] == {"ok": True}


def test_a_session_request_runs_one_query_for_the_user_and_none_for_the_session(
    user, django_assert_num_queries
):
    client = Client()
    client.force_login(user)
    client.get(FLOOR)
    with django_assert_num_queries(1) as captured:
        response = client.get(FLOOR)
    assert response.status_code == 200
    assert "auth_user" in captured.captured_queries[0]["sql"]


def test_a_token_request_runs_one_query_joining_token_and_user(user, django_assert_num_queries):
    _, raw = api_token_create(user=user, name="ci")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get(FLOOR)  # the first use notes `last_used_at` (at most once a minute)
    with django_assert_num_queries(1) as captured:
        response = client.get(FLOOR)
    assert response.status_code == 200
    sql = captured.captured_queries[0]["sql"]
    assert "forge_apitoken" in sql and "auth_user" in sql


def test_a_token_request_reads_its_lockout_while_the_token_query_runs(user, monkeypatch):
    # The lock-out read is sent before the token query and its reply read after: that Redis
    # round trip overlaps the query instead of adding to it.
    from django.db import connection

    from forge import cache as forge_cache

    _, raw = api_token_create(user=user, name="ci")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get(FLOOR)
    events = []

    class Recorded(forge_cache.RedisDeferred):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            events.append("lockout sent")

        def replies(self):
            events.append("lockout read")
            return super().replies()

    def sql(execute, sql, params, many, context):
        events.append("token query" if "forge_apitoken" in sql else "other query")
        return execute(sql, params, many, context)

    monkeypatch.setattr("forge.auththrottle.RedisDeferred", Recorded)
    with connection.execute_wrapper(sql):
        response = client.get(FLOOR)
    assert response.status_code == 200
    assert events == ["lockout sent", "token query", "lockout read"]


def test_token_requests_keep_working_while_redis_is_down(user, settings):
    _, raw = api_token_create(user=user, name="ci")
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:8299/0"}
    }
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/tokens/").status_code == 200
    wrong = Client(HTTP_AUTHORIZATION="Bearer forge_wrong")
    assert wrong.get("/api/v1/tokens/").status_code == 401


def test_a_session_outlives_the_cache(user):
    # Sessions are read from the cache but written through to the database.
    client = Client()
    client.force_login(user)
    cache.delete(KEY_PREFIX + client.session.session_key)
    response = client.get("/api/v1/tokens/")
    assert response.status_code == 200


def test_signed_in_requests_keep_working_while_redis_is_down(user, settings):
    client = Client()
    client.force_login(user)
    # Nothing listens on this port (one of this project's test ports): every cache call fails.
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:8299/0"}
    }
    response = client.get(FLOOR)
    assert response.status_code == 200 and response.json()["data"] == {"ok": True}
    response = client.get("/api/v1/tokens/")  # a view that needs the signed-in user
    assert response.status_code == 200


def test_a_signed_in_client_is_throttled_by_its_window(user):
    client = Client()
    client.force_login(user)
    url = "/api/v1/test/user-throttled/"
    statuses = [client.get(url).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get(url)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60


def test_every_throttle_of_a_view_is_counted_in_one_round_trip(monkeypatch):
    from forge import throttling

    calls = []
    real = throttling.windows_hit

    def counting(hits):
        calls.append(len(hits))
        return real(hits)

    monkeypatch.setattr(throttling, "windows_hit", counting)
    client = Client(REMOTE_ADDR="10.9.8.7")
    statuses = [client.get("/api/v1/test/two-throttles/").status_code for _ in range(4)]
    assert statuses == [200, 200, 429, 429]  # the anonymous 2/min, before the 3/min
    assert calls == [2, 2, 2, 2]  # one call a request, both counters in it
    response = client.get("/api/v1/test/two-throttles/")
    assert 0 < int(response["Retry-After"]) <= 60


def test_a_counter_left_without_a_time_to_live_gets_its_window_again():
    from forge.throttling import window_hit

    key = cache.make_and_validate_key("forge:test-no-ttl")
    client = cache._cache.get_client(write=True)
    client.set(key, 5)  # as if its EXPIRE had been lost
    count, ttl = window_hit(key, window_seconds=60)
    assert count == 6 and 0 < ttl <= 60
    assert 0 < client.ttl(key) <= 60
