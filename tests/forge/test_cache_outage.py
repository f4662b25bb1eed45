"""Redis away: pages, the API, sign-in and new work go on; the cache misses and throttles open.

Found from the outside: with Django's own Redis cache every request raised
`redis.ConnectionError` (the throttle's `cache.get`), so the whole site answered 500 while
Redis was down. `forge.cache.RedisCache` fails open (docs/operations.md).
"""

import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from forge.tokens import api_token_create
from tests.assets.factories import AssetFactory

pytestmark = pytest.mark.django_db

CLOSED = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_away():
    caches = {"default": {**settings.CACHES["default"], "LOCATION": CLOSED}}
    with override_settings(CACHES=caches, FORGE_CACHE_RETRY_SECONDS=60):
        yield


def test_pages_api_and_sign_in_work_while_the_cache_is_away(redis_away, user):
    AssetFactory(owner=user, visibility="public", name="harbor crate")
    mine = AssetFactory(owner=user, name="private barrel", visibility="private")
    _, raw = api_token_create(user=user, name="ci")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    listed = api.get("/api/v1/assets/", {"owner": "me"})
    assert listed.status_code == 200, listed.content
    assert {a["name"] for a in listed.json()["data"]} == {"harbor crate", "private barrel"}
    assert api.get(f"/api/v1/assets/{mine.pk}/").status_code == 200
    assert api.get("/api/v1/presets/").status_code == 200
    created = api.post("/api/v1/pipelines/", {"prompt": "a wooden barrel"}, format="json")
    assert created.status_code == 202, created.content

    anonymous = Client()
    gallery = anonymous.get("/")
    assert gallery.status_code == 200
    assert "harbor crate" in gallery.content.decode()
    assert anonymous.get(f"/assets/{mine.pk}/").status_code == 404  # access rules still hold
    user.set_password("a long enough password 1")
    user.save()
    signed_in = anonymous.post(
        "/accounts/login/", {"username": user.username, "password": "a long enough password 1"}
    )
    assert signed_in.status_code == 302
    assert anonymous.get(f"/assets/{mine.pk}/").status_code == 200


def test_after_one_failure_the_cache_stops_trying_for_a_while(redis_away):
    started = time.monotonic()
    assert cache.get("anything", "fallback") == "fallback"
    for _ in range(50):
        assert cache.get_many(["a", "b"]) == {}
        assert cache.add("lock", 1) is False
        cache.set("k", 1)
        cache.delete("k")
    # One refused connection, then the breaker answers without a socket (a hanging Redis
    # would cost one timeout per process and period, not one per call).
    assert time.monotonic() - started < 30
    assert cache._cache._breaker.open()


def test_the_cache_works_again_when_redis_is_back():
    cache.set("forge-test-back", 7)
    assert cache.get("forge-test-back") == 7
    assert not cache._cache._breaker.open()
