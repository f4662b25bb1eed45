import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from errors.context import request_context_extract
from errors.models import ErrorGroup, ErrorOccurrence
from errors.services import error_record
from tests.errors.urls import CREATED_USERNAME

pytestmark = pytest.mark.urls("tests.errors.urls")


def _boom(client, item_id):
    return client.post(
        f"/api/v1/errors-test/boom/{item_id}/?page=2&api_key=abc123",
        {"title": "x", "password": "hunter2"},
        format="json",
        HTTP_X_AUTH_TOKEN="tok-123456",
        HTTP_COOKIE="sessionid=s3cr3t; theme=dark",
        HTTP_USER_AGENT="pytest-agent/1.0",
    )


@pytest.mark.django_db
def test_api_500_inside_a_transaction_is_recorded_with_context_and_no_secrets(user):
    client = APIClient()
    client.force_authenticate(user)
    item_id = uuid.uuid4()
    response = _boom(client, item_id)

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert not get_user_model().objects.filter(username__startswith=CREATED_USERNAME).exists()
    occurrence = ErrorOccurrence.objects.get()
    assert occurrence.route == "/api/v1/errors-test/boom/{item_id}/"
    assert occurrence.method == "POST"
    assert occurrence.http_status == 500
    assert occurrence.request_id == response["X-Request-ID"]
    assert occurrence.user == user
    assert occurrence.error_type == "RuntimeError"
    assert occurrence.severity == "error" and occurrence.category == "internal"
    assert "password=[Filtered]" in occurrence.message and "hunter2" not in occurrence.message
    assert "_write_then_fail" in occurrence.stack_trace
    assert "hunter2" not in occurrence.stack_trace
    context = occurrence.context
    assert context["headers"]["Cookie"] == "[Filtered]"
    assert context["headers"]["X-Auth-Token"] == "[Filtered]"
    assert context["user_agent"] == "pytest-agent/1.0"
    assert context["query"] == {"page": "2", "api_key": "[Filtered]"}
    assert context["data"] == {"title": "x", "password": "[Filtered]"}
    assert str(item_id) not in occurrence.route
    group = occurrence.group
    assert group.times_seen == 1 and group.culprit == "POST /api/v1/errors-test/boom/{item_id}/"


@pytest.mark.django_db
def test_the_same_failure_on_other_ids_falls_into_one_group(user):
    client = APIClient()
    for _ in range(3):
        _boom(client, uuid.uuid4())
    assert ErrorGroup.objects.get().times_seen == 3
    assert ErrorOccurrence.objects.count() == 3


@pytest.mark.django_db
def test_html_view_exception_is_recorded_once_through_the_signal():
    client = Client(raise_request_exception=False)
    response = client.get("/errors-test/page/first/")
    assert response.status_code == 500
    occurrence = ErrorOccurrence.objects.get()
    assert occurrence.route == "/errors-test/page/{slug}/"
    assert occurrence.method == "GET"
    assert ErrorGroup.objects.get().times_seen == 1


@pytest.mark.django_db
def test_external_service_failure_is_recorded_with_its_service():
    response = APIClient().get("/api/v1/errors-test/provider/")
    assert response.status_code == 502
    occurrence = ErrorOccurrence.objects.get()
    assert occurrence.external_service == "meshy"
    assert occurrence.category == "external_service"
    assert occurrence.error_code == "external_service_error"
    assert occurrence.severity == "error"


@pytest.mark.django_db
def test_chosen_client_errors_are_recorded_as_warnings_and_others_are_not():
    client = APIClient()
    assert client.get("/api/v1/errors-test/throttled/").status_code == 200
    assert client.get("/api/v1/errors-test/throttled/").status_code == 429
    assert client.get("/api/v1/nope/").status_code == 404
    assert client.get("/api/v1/tokens/").status_code == 401  # not authenticated: not chosen
    bad = client.get("/api/v1/tokens/", HTTP_AUTHORIZATION="Bearer forge_notarealtoken123")
    assert bad.status_code == 401

    rows = {o.error_code: o for o in ErrorOccurrence.objects.all()}
    assert set(rows) == {"rate_limited", "authentication_failed"}
    assert rows["rate_limited"].severity == "warning"
    assert rows["rate_limited"].category == "rate_limit"
    assert rows["rate_limited"].route == "/api/v1/errors-test/throttled/"
    assert rows["authentication_failed"].category == "authentication"
    assert rows["authentication_failed"].context["headers"]["Authorization"] == "[Filtered]"


@pytest.mark.django_db
def test_client_error_codes_are_a_setting(settings):
    settings.FORGE_ERRORS_CLIENT_ERROR_CODES = ["not_found"]
    client = APIClient()
    client.get("/api/v1/nope/")
    client.get("/api/v1/tokens/", HTTP_AUTHORIZATION="Bearer forge_notarealtoken123")
    assert list(ErrorOccurrence.objects.values_list("error_code", flat=True)) == []
    # Unknown URLs are answered by a plain view, not DRF's handler: nothing to record.
    settings.FORGE_ERRORS_CLIENT_ERROR_CODES = ["authentication_failed"]
    client.get("/api/v1/tokens/", HTTP_AUTHORIZATION="Bearer forge_notarealtoken123")
    assert ErrorOccurrence.objects.count() == 1


@pytest.mark.django_db
def test_error_record_never_raises_and_coerces_bad_input():
    class Unserialisable:
        def __str__(self):
            return "odd object"

    occurrence = error_record(
        message="weird",
        severity="catastrophic",
        category="nonsense",
        context={"x": Unserialisable()},
    )
    assert occurrence is not None
    assert occurrence.severity == "error" and occurrence.category == "internal"
    assert ErrorOccurrence.objects.get().context == {"extra": {"x": "odd object"}}


@pytest.mark.django_db(transaction=True, databases=["default", "errors"])
def test_api_500_is_recorded_when_the_request_transaction_rolls_back_for_real():
    response = _boom(APIClient(), uuid.uuid4())
    assert response.status_code == 500
    assert not get_user_model().objects.filter(username__startswith=CREATED_USERNAME).exists()
    assert ErrorOccurrence.objects.count() == 1


@pytest.mark.django_db(transaction=True, databases=["default", "errors"])
def test_a_record_made_inside_the_callers_transaction_survives_its_rollback():
    with pytest.raises(RuntimeError), transaction.atomic():
        get_user_model().objects.create(username="rolled-back")
        occurrence = error_record(message="provider failed", external_service="meshy")
        raise RuntimeError("stage failed")

    assert occurrence is not None
    assert not get_user_model().objects.filter(username="rolled-back").exists()
    assert ErrorOccurrence.objects.get().message == "provider failed"
    assert ErrorGroup.objects.get().external_service == "meshy"


@pytest.mark.django_db(transaction=True, databases=["default", "errors"])
def test_a_record_survives_even_when_the_callers_transaction_is_already_broken():
    with pytest.raises(RuntimeError), transaction.atomic():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1/0")
        except Exception as exc:
            occurrence = error_record(exc=exc, category="database")
        raise RuntimeError("give up")
    assert occurrence is not None
    assert ErrorOccurrence.objects.get().category == "database"


@pytest.mark.django_db(transaction=True, databases=["default", "errors"])
def test_a_user_created_in_the_rolled_back_transaction_is_kept_as_an_id_only():
    with pytest.raises(RuntimeError), transaction.atomic():
        ghost = get_user_model().objects.create(username="ghost")
        error_record(message="signup side effect failed", user=ghost)
        raise RuntimeError("signup failed")
    occurrence = ErrorOccurrence.objects.get()
    assert occurrence.user is None
    assert occurrence.context["user_id"] == ghost.pk


@pytest.mark.django_db
def test_a_nul_in_the_query_is_refused_before_any_token_is_checked():
    # The API guard answers before authentication, so a NUL cannot be used to try tokens
    # without the failures being counted: no token is looked at at all.
    response = APIClient().get(
        "/api/v1/tokens/?x=%00", HTTP_AUTHORIZATION="Bearer forge_notarealtoken123"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_failed"
    assert not ErrorOccurrence.objects.filter(error_code="authentication_failed").exists()


@pytest.mark.django_db
def test_nul_and_lone_surrogates_anywhere_are_recorded_not_dropped():
    # The parsers refuse NUL in bodies and queries; headers still carry them to a 500.
    response = APIClient().post(
        f"/api/v1/errors-test/boom/{uuid.uuid4()}/",
        '{"title": "fine"}',
        content_type="application/json",
        HTTP_X_NOTE="a\x00b",
    )
    assert response.status_code == 500
    occurrence = ErrorOccurrence.objects.get()
    assert occurrence.context["headers"]["X-Note"] == "a\ufffdb"
    # Request data that reached the capture layer with NUL and surrogates is stored cleaned.
    factory_request = RequestFactory().post(
        "/x/?q=a%00b",
        '{"title": "nul\\u0000here", "bad\\u0000name": "\\ud800"}',
        content_type="application/json",
    )
    context = request_context_extract(factory_request)
    recorded = error_record(message="boom", request_context=context)
    stored = ErrorOccurrence.objects.get(pk=recorded.pk)
    assert "\x00" not in str(stored.context)

    direct = error_record(
        message="bad\x00byte \udc80",
        error_code="x\x00",
        route="/r\x00/",
        external_service="s\x00",
        fingerprint="fp\ud800",
        context={"k\x00": ["\ud800", b"\x00".decode()]},
    )
    assert direct is not None
    stored = ErrorOccurrence.objects.get(pk=direct.pk)
    assert stored.message == "bad\ufffdbyte \ufffd"
    assert stored.context == {"extra": {"k\ufffd": ["\ufffd", "\ufffd"]}}
