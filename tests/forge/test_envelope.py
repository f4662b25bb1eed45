import json

import pytest
from rest_framework.test import APIClient

from tests.factories import ApiTokenFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.forge.urls")]

ENVELOPE_KEYS = {"data", "meta", "error"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["data"] is None
    assert set(body["error"]) == {"code", "message", "details", "retryable"}
    assert body["error"]["code"] == code
    assert body["meta"]["request_id"] == response["X-Request-ID"]
    assert body["meta"]["timestamp"].endswith("Z")
    assert body["meta"]["duration_ms"] >= 0
    return body["error"]


def test_success_is_enveloped(user):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get("/api/v1/tokens/")
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == [] and body["error"] is None
    assert body["meta"]["request_id"] == response["X-Request-ID"]


def test_400_names_the_field(user):
    client = APIClient()
    client.force_authenticate(user)
    error = assert_error(
        client.post("/api/v1/tokens/", {"name": ""}, format="json"), 400, "validation_failed"
    )
    assert "name" in error["details"]
    assert error["message"].startswith("name:")


def test_400_for_malformed_json(user):
    client = APIClient()
    client.force_authenticate(user)
    response = client.post("/api/v1/tokens/", "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_401_without_credentials_says_how_to_authenticate():
    response = APIClient().get("/api/v1/tokens/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_401_for_a_bad_token():
    response = APIClient().get("/api/v1/tokens/", HTTP_AUTHORIZATION="Bearer forge_nope")
    assert_error(response, 401, "authentication_failed")


def test_403_for_a_session_write_without_csrf(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/v1/tokens/", {"name": "x"}, format="json")
    assert_error(response, 403, "csrf_failed")


def test_403_for_django_permission_denied_inside_api():
    assert_error(APIClient().get("/api/v1/test/django-403/"), 403, "permission_denied")


def test_404_for_unknown_api_urls():
    error = assert_error(APIClient().get("/api/v1/nope/"), 404, "not_found")
    assert "/api/v1/nope/" in error["message"]
    assert_error(APIClient().get("/api/whatever"), 404, "not_found")


def test_404_for_django_http404_inside_api():
    assert_error(APIClient().get("/api/v1/test/django-404/"), 404, "not_found")


def test_405_for_a_wrong_method(user):
    client = APIClient()
    client.force_authenticate(user)
    assert_error(client.put("/api/v1/tokens/", {}, format="json"), 405, "method_not_allowed")


def test_409_from_an_application_error():
    error = assert_error(APIClient().get("/api/v1/test/conflict/"), 409, "conflict")
    assert error["details"] == {"id": "x"}
    assert error["message"] == "Already exists."


def test_415_for_an_unsupported_content_type(user):
    client = APIClient()
    client.force_authenticate(user)
    response = client.post("/api/v1/tokens/", "name=x", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


def test_429_is_retryable_with_retry_after():
    client = APIClient()
    assert client.get("/api/v1/test/throttled/").status_code == 200
    assert client.get("/api/v1/test/throttled/").status_code == 200
    response = client.get("/api/v1/test/throttled/")
    error = assert_error(response, 429, "rate_limited")
    assert error["retryable"] is True
    assert int(response["Retry-After"]) > 0


def test_500_in_drf_says_only_internal_error_and_the_request_id():
    response = APIClient().get("/api/v1/test/boom/", HTTP_X_REQUEST_ID="req-500")
    error = assert_error(response, 500, "internal_error")
    assert "req-500" in error["message"]
    assert "hunter2" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert error["details"] is None


def test_500_in_a_plain_django_view_inside_api_is_enveloped():
    response = APIClient().get("/api/v1/test/django-boom/")
    assert_error(response, 500, "internal_error")
    assert "plain django view failed" not in response.content.decode()


def test_token_auth_and_session_auth_both_work(user):
    token = ApiTokenFactory(user=user)
    by_token = APIClient().get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Bearer {token.raw}")
    assert by_token.status_code == 200
    session = APIClient()
    session.force_login(user)
    assert session.get("/api/v1/tokens/").status_code == 200


def test_html_pages_keep_html_errors(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_unknown_api_path_with_a_newline_is_an_enveloped_404_even_with_debug_on(settings):
    settings.DEBUG = True
    assert_error(APIClient().get("/api/v1/assets/%0A/"), 404, "not_found")
    assert_error(APIClient().get("/api/v1/%0Anope"), 404, "not_found")


def test_token_post_to_an_unknown_api_url_is_a_404_not_a_csrf_failure(user):
    token = ApiTokenFactory(user=user)
    client = APIClient(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/nope/", {}, format="json", HTTP_AUTHORIZATION=f"Bearer {token.raw}"
    )
    assert_error(response, 404, "not_found")
    assert_error(client.post("/api/v1/nope/"), 404, "not_found")


def test_401_for_another_scheme_names_the_expected_one(user):
    token = ApiTokenFactory(user=user)
    response = APIClient().get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Token {token.raw}")
    error = assert_error(response, 401, "not_authenticated")
    assert "`Token`" in error["message"]
    assert "Authorization: Bearer <token>" in error["message"]


def test_a_session_request_with_a_foreign_authorization_header_still_works(user):
    client = APIClient()
    client.force_login(user)
    response = client.get("/api/v1/tokens/", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert response.status_code == 200


def test_415_says_json_is_expected(user):
    client = APIClient()
    client.force_authenticate(user)
    response = client.post("/api/v1/tokens/", "name=x", content_type="text/plain")
    error = assert_error(response, 415, "unsupported_media_type")
    assert "application/json" in error["message"]


def test_405_comes_before_authentication():
    response = APIClient().delete("/api/v1/assets/")
    error = assert_error(response, 405, "method_not_allowed")
    assert "DELETE" in error["message"]
    assert set(response["Allow"].split(", ")) == {"GET", "POST", "HEAD", "OPTIONS"}
    assert_error(APIClient().put("/api/v1/pipelines/"), 405, "method_not_allowed")
    assert APIClient().get("/api/v1/pipelines/").status_code == 401


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/no-such-endpoint/", 404),  # Django's URL resolver, outside DRF
        ("/api/v1/tokens/?name=%00", 400),  # refused by middleware before the view
        ("/api/v1/tokens/", 401),  # DRF
    ],
)
def test_every_error_body_is_written_the_same_compact_way(path, status):
    response = APIClient().get(path)
    assert response.status_code == status
    compact = json.dumps(response.json(), separators=(",", ":")).encode()
    assert response.content == compact
