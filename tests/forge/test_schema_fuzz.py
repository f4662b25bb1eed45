"""Fuzz every API operation from the live OpenAPI schema: never a 5xx, always the envelope.

Schemathesis reads `/api/schema/` from the app itself and sends each operation valid and
invalid input (wrong types, out-of-range numbers, NUL and odd Unicode, missing fields)
in-process through the WSGI app, authenticated as a staff user with an API token so the
staff-only errors API is exercised too. The example count is bounded so the whole run takes
seconds; it is part of the default suite.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def _keep_the_test_connection(db):
    """Stop each request from closing the connection that holds the test's transaction.

    Django's own test client does the same; the WSGI app would otherwise close it when a
    request finishes.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(staff_user):
    return ApiTokenFactory(user=staff_user).raw


# Read from the app at collection, as a client would; serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
schema.config.generation.update(
    modes=["positive", "negative"],
    max_examples=EXAMPLES_PER_OPERATION,
    deterministic=True,
    allow_x00=True,
    database="none",
)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_5xx_or_leaves_the_envelope(
    case, staff_token, _keep_the_test_connection
):
    response = case.call(headers={"Authorization": f"Bearer {staff_token}"})
    sent = f"{case.method} {case.formatted_path} {case.query} {case.body!r}"[:500]
    assert response.status_code < 500, (sent, response.text[:500])
    if response.status_code == 204:
        assert response.content == b""
        return
    headers = response.headers  # lower-case names, lists of values
    assert headers["content-type"][0].startswith("application/json"), sent
    body = json.loads(response.content)
    assert set(body) == {"data", "meta", "error"}, (sent, body)
    assert body["meta"]["request_id"] == headers["x-request-id"][0]
    if response.status_code >= 400:
        assert body["data"] is None, sent
        assert set(body["error"]) == {"code", "message", "details", "retryable"}, sent
    else:
        assert body["error"] is None, sent
