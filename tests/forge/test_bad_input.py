"""Odd input anywhere in the API is a 400 in the envelope and changes nothing, never a 500."""

import json

import pytest
from rest_framework.test import APIClient

from assets.models import Asset
from errors.models import ErrorGroup
from pipelines.models import GenerationPipeline
from tests.assets.factories import AssetFactory
from tests.errors.factories import record
from tests.forge.test_envelope import assert_error

pytestmark = pytest.mark.django_db

PIPELINES = "/api/v1/pipelines/"


def _json(client, method: str, url: str, raw: str):
    return getattr(client, method)(url, raw, content_type="application/json")


def test_nul_in_a_query_parameter_is_a_400_naming_it(api_client):
    error = assert_error(api_client.get("/api/v1/presets/?category=%00"), 400, "validation_failed")
    assert error["details"] == {"category": ["Null characters are not allowed."]}
    assert_error(api_client.get("/api/v1/assets/?q=a%00b"), 400, "validation_failed")


@pytest.mark.parametrize(
    "raw, message",
    [
        ('{"prompt": "a\\u0000b"}', "Null characters are not allowed."),
        ('{"prompt": "a stone \\ud800 tower"}', "Unpaired surrogate characters are not allowed."),
        ('{"prompt": "a stone tower", "presets": ["\\udfff"]}', "Unpaired"),
    ],
)
def test_nul_or_lone_surrogate_in_a_json_body_is_a_400(user_client, raw, message):
    error = assert_error(_json(user_client, "post", PIPELINES, raw), 400, "validation_failed")
    field = next(iter(error["details"]))
    assert field in {"prompt", "presets.0"}
    assert error["details"][field][0].startswith(message)
    assert not GenerationPipeline.objects.exists()


def test_a_surrogate_pair_is_a_real_character_and_accepted(user_client):
    response = _json(user_client, "post", PIPELINES, '{"prompt": "a stone tower \\ud83d\\uddfc"}')
    assert response.status_code == 202, response.content
    assert response.json()["data"]["config"]["prompt"].endswith("\U0001f5fc")


def test_nul_in_a_form_body_is_a_400(user_client):
    response = user_client.post(
        PIPELINES, "prompt=a%00b", content_type="application/x-www-form-urlencoded"
    )
    error = assert_error(response, 400, "validation_failed")
    assert error["details"] == {"prompt": ["Null characters are not allowed."]}
    assert not GenerationPipeline.objects.exists()


def test_lone_surrogate_in_asset_tags_is_a_400_and_changes_nothing(user_client, user):
    asset = AssetFactory(owner=user, tags=["stone"], files=False)
    response = _json(user_client, "patch", f"/api/v1/assets/{asset.id}/", '{"tags": ["\\ud800"]}')
    error = assert_error(response, 400, "validation_failed")
    assert error["details"] == {"tags.0": ["Unpaired surrogate characters are not allowed."]}
    assert Asset.objects.get(pk=asset.pk).tags == ["stone"]


def test_nul_in_an_upload_form_field_is_a_400(user_client):
    response = user_client.post(
        "/api/v1/assets/", {"name": "cr\x00te", "file": b"glTF"}, format="multipart"
    )
    assert_error(response, 400, "validation_failed")
    assert not Asset.objects.exists()


def test_deeply_nested_json_is_a_400_not_a_recursion_error(user_client):
    response = _json(user_client, "post", PIPELINES, "[" * 100_000)
    error = assert_error(response, 400, "parse_error")
    assert "deep" in error["message"]
    response = _json(
        user_client, "post", "/api/v1/tokens/", '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    assert_error(response, 400, "parse_error")


def test_brackets_inside_strings_do_not_count_as_nesting(user_client):
    response = _json(user_client, "post", "/api/v1/tokens/", json.dumps({"name": "[" * 90 + "{"}))
    assert response.status_code == 201, response.content


def test_an_out_of_range_integer_is_a_400_and_changes_nothing(staff_client):
    group = record("boom", fingerprint="g-int").group
    response = staff_client.post(
        f"/api/v1/errors/groups/{group.pk}/ignore/",
        {"ignore_condition": "until_rate", "ignore_threshold": 3_000_000_000},
        format="json",
    )
    error = assert_error(response, 400, "validation_failed")
    assert "ignore_threshold" in error["details"]
    assert ErrorGroup.objects.get(pk=group.pk).status == "unresolved"


def test_an_out_of_range_id_filter_is_a_400(staff_client):
    response = staff_client.get("/api/v1/errors/occurrences/?group=99999999999999999999")
    assert_error(response, 400, "validation_failed")


def test_anonymous_callers_get_the_same_guards():
    assert_error(APIClient().get("/api/v1/assets/?tag=%00"), 400, "validation_failed")


@pytest.mark.parametrize(
    "raw, reason",
    [
        ('{"name": "a\\u0000", "name": "ok"}', "repeated"),  # the NUL copy would be dropped
        ('{"name": "a\\ud800", "name": "ok"}', "repeated"),
        ('{"name": "first", "name": "second"}', "'name' is repeated"),
        ('{"name": "x", "extra": {"k": 1, "k": 2}}', "'k' is repeated"),
        ('{"name": 1e400}', "too large"),
        ('{"name": -1e400}', "too large"),
    ],
)
def test_repeated_keys_and_infinite_numbers_are_parse_errors(user_client, raw, reason):
    from forge.models import ApiToken

    before = ApiToken.objects.count()
    error = assert_error(_json(user_client, "post", "/api/v1/tokens/", raw), 400, "parse_error")
    assert reason in error["message"]
    assert ApiToken.objects.count() == before


def test_a_repeated_key_holding_a_nul_is_not_echoed(user_client):
    raw = '{"a\\u0000": 1, "a\\u0000": 2}'
    error = assert_error(_json(user_client, "post", "/api/v1/tokens/", raw), 400, "parse_error")
    assert "\x00" not in error["message"] and "\\u0000" not in error["message"]


@pytest.mark.parametrize("encoding", ["gzip", "br", "deflate", "GZIP, identity"])
def test_a_compressed_api_body_is_a_415_and_changes_nothing(user_client, encoding):
    import gzip

    from forge.models import ApiToken

    before = ApiToken.objects.count()
    for body in (gzip.compress(b'{"name": "x"}'), b'{"name": "x"}'):
        response = user_client.generic(
            "POST",
            "/api/v1/tokens/",
            body,
            content_type="application/json",
            HTTP_CONTENT_ENCODING=encoding,
        )
        assert_error(response, 415, "unsupported_media_type")
    assert ApiToken.objects.count() == before


def test_identity_content_encoding_is_accepted(user_client):
    response = user_client.generic(
        "POST",
        "/api/v1/tokens/",
        b'{"name": "plain"}',
        content_type="application/json",
        HTTP_CONTENT_ENCODING="identity",
    )
    assert response.status_code == 201, response.content


def test_an_unknown_response_format_is_a_406_naming_the_formats(user_client):
    error = assert_error(user_client.get("/api/v1/tokens/?format=xml"), 406, "not_acceptable")
    assert "'xml'" in error["message"] and "json" in error["message"]
    assert user_client.get("/api/v1/tokens/?format=json").status_code == 200
