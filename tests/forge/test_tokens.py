import hashlib

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from forge.models import ApiToken
from tests.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db


def test_create_returns_the_token_once_and_stores_only_its_hash(user_client, user):
    response = user_client.post("/api/v1/tokens/", {"name": "build server"}, format="json")
    assert response.status_code == 201
    data = response.json()["data"]
    raw = data["token"]
    assert raw.startswith("forge_") and len(raw) > 40
    stored = ApiToken.objects.get(id=data["id"])
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(stored.__dict__.values())
    listed = user_client.get("/api/v1/tokens/").json()["data"]
    assert [t["name"] for t in listed] == ["build server"]
    assert "token" not in listed[0]


def test_a_token_authenticates_until_revoked(user):
    token = ApiTokenFactory(user=user, name="ci")
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token.raw}")
    assert client.get("/api/v1/tokens/").status_code == 200
    assert client.delete(f"/api/v1/tokens/{token.id}/").status_code == 204
    response = client.get("/api/v1/tokens/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_token_writes_without_csrf(user):
    token = ApiTokenFactory(user=user)
    client = APIClient(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token.raw}")
    assert client.post("/api/v1/tokens/", {"name": "second"}, format="json").status_code == 201


def test_users_cannot_revoke_each_others_tokens(user, other_user):
    theirs = ApiTokenFactory(user=other_user)
    client = APIClient()
    client.force_authenticate(user)
    response = client.delete(f"/api/v1/tokens/{theirs.id}/")
    assert response.status_code == 404
    assert ApiToken.objects.get(id=theirs.id).revoked_at is None


def test_account_page_creates_shows_once_lists_and_revokes(client, user):
    client.force_login(user)
    response = client.post("/account/", {"name": "laptop"}, follow=True)
    page = response.content.decode()
    token = ApiToken.objects.get(user=user)
    raw = response.context["new_token"]["token"]
    assert raw in page and "laptop" in page
    assert hashlib.sha256(raw.encode()).hexdigest() == token.key_hash
    again = client.get("/account/").content.decode()
    assert raw not in again and "laptop" in again
    client.post(f"/account/tokens/{token.id}/revoke/")
    assert list(client.get("/account/").context["tokens"]) == []
    assert APIClient().get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_account_page_shows_a_form_error_for_an_empty_name(client, user):
    client.force_login(user)
    response = client.post("/account/", {"name": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_account_page_needs_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _bad_token(client, n, **extra):
    return client.get(
        "/api/v1/tokens/", HTTP_AUTHORIZATION=f"Bearer forge_random{n:06d}guess", **extra
    )


def test_random_bearer_tokens_are_throttled_per_address_with_retry_after(user, settings):
    settings.FORGE_AUTH_FAILURES_PER_ADDRESS = 5
    client = APIClient(REMOTE_ADDR="10.7.7.7")
    assert [_bad_token(client, n).status_code for n in range(5)] == [401] * 5

    response = _bad_token(client, 5)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.FORGE_AUTH_FAILURE_WINDOW_SECONDS
    error = response.json()["error"]
    assert error["code"] == "rate_limited" and error["retryable"] is True
    assert error["message"] == ("Too many wrong tokens from your address. Try again in 15 minutes.")
    assert error["details"]["retry_after_seconds"] == int(response["Retry-After"])
    # Locked: not even a valid token is accepted from that address, and the refusal writes
    # nothing (not the token's last use, not another failure); other addresses are fine.
    token = ApiTokenFactory(user=user)
    auth = f"Bearer {token.raw}"
    counter = cache.make_and_validate_key("authfail:addr:10.7.7.7")
    failures = cache._cache.get_client().get(counter)
    assert client.get("/api/v1/tokens/", HTTP_AUTHORIZATION=auth).status_code == 429
    assert client.get("/api/v1/tokens/", HTTP_AUTHORIZATION="Bearer").status_code == 429
    token.refresh_from_db()
    assert token.last_used_at is None
    assert cache._cache.get_client().get(counter) == failures
    other = APIClient(REMOTE_ADDR="10.7.7.8")
    assert other.get("/api/v1/tokens/", HTTP_AUTHORIZATION=auth).status_code == 200


def test_forwarded_for_counts_only_behind_a_trusted_proxy(settings):
    settings.FORGE_AUTH_FAILURES_PER_ADDRESS = 2
    # Untrusted peer: its X-Forwarded-For is ignored, so rotating it does not help.
    direct = APIClient(REMOTE_ADDR="10.8.8.8")
    codes = [
        _bad_token(direct, n, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(3)
    ]
    assert codes == [401, 401, 429]
    # Behind a trusted proxy, each client address is counted on its own.
    settings.FORGE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxy = APIClient(REMOTE_ADDR="10.1.1.1")
    first = [_bad_token(proxy, n, HTTP_X_FORWARDED_FOR="198.51.100.7, 10.2.2.2") for n in range(3)]
    assert [r.status_code for r in first] == [401, 401, 429]
    assert _bad_token(proxy, 9, HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 401
