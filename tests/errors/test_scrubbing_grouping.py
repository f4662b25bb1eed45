import uuid

import pytest

from errors.grouping import message_normalize
from errors.models import ErrorGroup
from errors.scrubbing import scrub_data, scrub_text
from tests.errors.factories import record


def test_secrets_in_messages_are_filtered():
    text = scrub_text(
        "auth failed: Authorization: Bearer abcdef123456 token forge_AbC123xyz_456 "
        "password=hunter2 api_key: 'k-9' url=postgres://forge:s3cret@db:5432/forge"
    )
    for secret in ["abcdef123456", "forge_AbC123xyz_456", "hunter2", "k-9", "s3cret"]:
        assert secret not in text
    assert "postgres://forge:[Filtered]@db:5432/forge" in text
    assert "auth failed" in text


def test_sensitive_keys_are_filtered_at_any_depth_and_other_values_kept():
    data = scrub_data(
        {
            "headers": {"Cookie": "sessionid=abc", "X-CSRFToken": "t", "Accept": "text/html"},
            "payload": {"user": {"new_password": "p", "name": "Ada"}, "items": [{"secret_key": 1}]},
        }
    )
    assert data == {
        "headers": {"Cookie": "[Filtered]", "X-CSRFToken": "[Filtered]", "Accept": "text/html"},
        "payload": {
            "user": {"new_password": "[Filtered]", "name": "Ada"},
            "items": [{"secret_key": "[Filtered]"}],
        },
    }


def test_scrub_keys_are_a_setting(settings):
    settings.FORGE_ERRORS_SCRUB_KEYS = ["license"]
    assert scrub_data({"license_number": "L-1", "password": "kept now"}) == {
        "license_number": "[Filtered]",
        "password": "kept now",
    }


def test_messages_are_normalised_for_grouping():
    message = f"asset {uuid.uuid4()} at 0x7f3a2b failed after 3.5 s (hash 9f86d081884c)"
    assert message_normalize(message) == "asset <uuid> at <hex> failed after <n> s (hash <hex>)"
    assert message_normalize("decade facade added") == "decade facade added"


@pytest.mark.django_db
def test_variable_parts_do_not_split_a_group_but_route_and_type_do():
    record(f"asset {uuid.uuid4()} failed after 3 tries", route="/api/v1/assets/{id}/")
    record(f"asset {uuid.uuid4()} failed after 7 tries", route="/api/v1/assets/{id}/")
    record(f"asset {uuid.uuid4()} failed after 7 tries", route="/api/v1/pipelines/{id}/")
    assert sorted(ErrorGroup.objects.values_list("times_seen", flat=True)) == [1, 2]


def _raise_here():
    raise KeyError("name")


def _raise_there():
    raise KeyError("name")


@pytest.mark.django_db
def test_in_app_stack_frames_split_groups():
    from errors.services import error_record

    for func in (_raise_here, _raise_there, _raise_here):
        try:
            func()
        except KeyError as exc:
            error_record(exc=exc)
    groups = ErrorGroup.objects.order_by("-times_seen")
    assert [g.times_seen for g in groups] == [2, 1]
    assert groups[0].culprit.endswith("_raise_here")


@pytest.mark.django_db
def test_an_explicit_fingerprint_wins_over_the_message():
    record("timeout on task 1", fingerprint="meshy-timeout", external_service="meshy")
    record("completely different text", fingerprint="meshy-timeout", external_service="meshy")
    group = ErrorGroup.objects.get()
    assert group.times_seen == 2 and group.external_service == "meshy"


@pytest.mark.django_db
def test_a_group_takes_the_highest_severity_seen():
    record("disk filling up", fingerprint="disk", severity="warning")
    record("disk full", fingerprint="disk", severity="critical")
    record("disk filling up", fingerprint="disk", severity="warning")
    assert ErrorGroup.objects.get().severity == "critical"


@pytest.mark.django_db
def test_headers_and_fields_are_scrubbed_by_name_pattern_not_a_fixed_list():
    from rest_framework.test import APIClient

    from errors.models import ErrorOccurrence

    response = APIClient().post(
        "/api/v1/tokens/",
        {"apiKey": "k-live-1", "client_secret_v2": "cs-2", "name": "ok", "SessionData": "sd-3"},
        format="json",
        HTTP_AUTHORIZATION="Bearer forge_notarealtoken123",
        HTTP_AUTHENTICATION="Basic dXNlcjpzM2NyM3Q=",
        HTTP_X_AUTH="xauth-s3cr3t",
        HTTP_X_MY_PASSWORD_HASH="pw-4",
        HTTP_X_REQUEST_COLOUR="blue",
    )
    assert response.status_code == 401
    context = ErrorOccurrence.objects.get().context
    headers = context["headers"]
    for name in ["Authorization", "Authentication", "X-Auth", "X-My-Password-Hash"]:
        assert headers[name] == "[Filtered]"
    assert headers["X-Request-Colour"] == "blue"
    assert context["data"] == {
        "apiKey": "[Filtered]",
        "client_secret_v2": "[Filtered]",
        "name": "ok",
        "SessionData": "[Filtered]",
    }
    stored = str(context)
    for secret in ["dXNlcjpzM2NyM3Q", "xauth-s3cr3t", "k-live-1", "cs-2", "sd-3", "pw-4"]:
        assert secret not in stored


def test_exception_type_names_in_text_are_not_taken_for_secret_keys():
    text = scrub_text("KeyError: 'metalness'\nAuthenticationFailed: Invalid or revoked token.")
    assert text == "KeyError: 'metalness'\nAuthenticationFailed: Invalid or revoked token."
    assert scrub_text("X-Auth-Token: abc123 Password: hunter2") == (
        "X-Auth-Token: [Filtered] Password: [Filtered]"
    )
