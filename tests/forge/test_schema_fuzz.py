"""Fuzz every API operation from the live OpenAPI schema: never a 5xx, always the envelope.

Schemathesis reads `/api/schema/` from the app itself and sends each operation valid and
invalid input (wrong types, boundary values, missing fields, other methods) in-process
through the WSGI app, authenticated as a staff user with an API token so the staff-only
errors API is exercised too. Each generated request is sent a second time aimed at real
objects (so handlers run past their 404s), in turn as generated, with a NUL added to every
string, with a lone surrogate added to every body string, and with every integer made too
big for an `integer` column: the classes of odd input the API must refuse with a 400.
The example count is bounded so the run takes seconds; it is part of the default suite.
"""

import itertools
import json
from contextlib import contextmanager
from urllib.parse import quote, urlencode

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from pipelines.services import pipeline_create
from tests.assets.factories import AssetFactory, MaterialPresetFactory
from tests.errors.factories import record
from tests.factories import ApiTokenFactory

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 8
ODD_INPUT = ["as generated", "nul", "surrogate", "huge integer"]
_variant = itertools.count()

# Read from the app at collection, as a client would; serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
schema.config.generation.update(
    modes=["positive", "negative"],
    max_examples=EXAMPLES_PER_OPERATION,
    deterministic=True,
    allow_x00=True,
    database="none",
)
# The coverage phase sends hundreds of boundary cases per operation (minutes on 2 cores);
# the odd-input variants below aim at the same boundaries in a few requests.
schema.config.phases.coverage.enabled = False


@contextmanager
def _test_connection_kept():
    """Stop a WSGI request from closing the connection that holds the test's transaction.

    Django's test client does the same around each of its requests (and reconnects the
    handlers after), so this wraps every call that goes through the WSGI app.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(staff_user):
    return ApiTokenFactory(user=staff_user).raw


@pytest.fixture
def real_ids(staff_user) -> dict[str, str]:
    """One real object for each path parameter, owned by the fuzzing staff user."""
    MaterialPresetFactory(slug="gold", name="Gold")
    occurrence = record("fuzzed failure", fingerprint="fuzz")
    pipeline, _ = pipeline_create(user=staff_user, config={"prompt": "a stone tower"})
    return {
        "asset_id": str(AssetFactory(owner=staff_user, files=False).id),
        "pipeline_id": str(pipeline.id),
        "group_id": str(occurrence.group_id),
        "occurrence_id": str(occurrence.pk),
        "token_id": str(ApiTokenFactory(user=staff_user).id),  # not the one fuzzing
    }


def _odd(value, variant: str, *, in_body: bool):
    """Return `value` with every string or integer in it made odd in the way `variant` names."""
    if isinstance(value, dict):
        return {k: _odd(v, variant, in_body=in_body) for k, v in value.items()}
    if isinstance(value, list):
        return [_odd(v, variant, in_body=in_body) for v in value]
    if isinstance(value, str) and variant == "nul":
        return value + "\x00"
    if isinstance(value, str) and variant == "surrogate" and in_body:
        return value + "\ud800"
    if isinstance(value, int) and not isinstance(value, bool) and variant == "huge integer":
        return 3_000_000_000 if value >= 0 else -3_000_000_000
    return value


def _assert_enveloped(sent: str, status: int, content: bytes, headers: dict[str, str]) -> None:
    assert status < 500, (sent, content[:500])
    if status == 204:
        assert content == b"", sent
        return
    assert headers["content-type"].startswith("application/json"), sent
    body = json.loads(content)
    assert set(body) == {"data", "meta", "error"}, (sent, body)
    assert body["meta"]["request_id"] == headers["x-request-id"], sent
    if status >= 400:
        assert body["data"] is None, sent
        assert set(body["error"]) == {"code", "message", "details", "retryable"}, sent
    else:
        assert body["error"] is None, sent


def _send_odd(case, variant: str, token: str, real_ids: dict[str, str]):
    """Send `case` again at real objects with odd query and JSON input.

    Through Django's client, which (unlike a schema-checking sender) transmits a lone
    surrogate as a JSON escape, as a hostile client would.
    """
    params = {k: quote(str(real_ids.get(k, v)), safe="") for k, v in case.path_parameters.items()}
    path = case.operation.path.format(**params)
    query = _odd(case.query, variant, in_body=False) if isinstance(case.query, dict) else {}
    if query:
        path += "?" + urlencode(query, doseq=True)
    kwargs = {}
    if isinstance(case.body, dict | list) and "json" in (case.media_type or ""):
        body = _odd(case.body, variant, in_body=True)
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    method = case.method.lower()
    if method not in {"get", "post", "put", "patch", "delete", "options", "head"}:
        return
    response = getattr(client, method)(path, **kwargs)
    sent = f"{variant}: {case.method} {path} {kwargs.get('data')!r}"[:600]
    headers = {k.lower(): v for k, v in response.headers.items()}
    _assert_enveloped(sent, response.status_code, response.content, headers)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_5xx_or_leaves_the_envelope(case, staff_token, real_ids):
    with _test_connection_kept():
        response = case.call(headers={"Authorization": f"Bearer {staff_token}"})
    sent = f"{case.method} {case.formatted_path} {case.query!r} {case.body!r}"[:600]
    headers = {k: v[0] for k, v in response.headers.items()}  # lower-case names, value lists
    _assert_enveloped(sent, response.status_code, response.content, headers)

    variant = ODD_INPUT[next(_variant) % len(ODD_INPUT)]
    _send_odd(case, variant, staff_token, real_ids)
