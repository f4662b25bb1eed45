import json
import logging

import pytest


@pytest.mark.django_db
def test_a_well_formed_request_id_is_returned_in_the_header_and_meta(client):
    response = client.get("/api/v1/nope/", HTTP_X_REQUEST_ID="client-id_1.2:3")
    assert response["X-Request-ID"] == "client-id_1.2:3"
    assert response.json()["meta"]["request_id"] == "client-id_1.2:3"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    ["has space", "x" * 129, "semi;colon", "new\nline", "<script>", ""],
)
def test_a_malformed_request_id_is_replaced_by_a_generated_one(client, bad):
    response = client.get("/api/v1/nope/", HTTP_X_REQUEST_ID=bad)
    generated = response["X-Request-ID"]
    assert generated != bad
    assert len(generated) == 32 and generated.isalnum()
    assert response.json()["meta"]["request_id"] == generated


@pytest.mark.django_db
def test_every_response_carries_a_request_id_even_html(client):
    first = client.get("/accounts/login/")["X-Request-ID"]
    second = client.get("/accounts/login/")["X-Request-ID"]
    assert first and second and first != second


@pytest.mark.django_db
def test_each_request_logs_one_access_line_with_its_id(client, caplog, user):
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="forge.access"):
        client.get("/api/v1/tokens/", HTTP_X_REQUEST_ID="trace-me")
    lines = [r for r in caplog.records if r.name == "forge.access"]
    assert len(lines) == 1
    event = lines[0].msg
    assert isinstance(event, dict)
    assert event["request_id"] == "trace-me"
    assert event["user_id"] == user.pk
    assert event["method"] == "GET"
    assert event["route"] == "/api/v1/tokens/"
    assert event["status"] == 200
    assert event["duration_ms"] >= 0
    json.dumps(event)  # JSON-serialisable for the production renderer
