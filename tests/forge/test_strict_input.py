"""Write endpoints take exactly the fields they document: strings as strings, no unknown keys."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assets.models import Asset, CharacterConfiguration
from forge.models import ApiToken
from pipelines.models import GenerationPipeline
from tests.assets.factories import AssetFactory, sample_glb
from tests.forge.test_envelope import assert_error

pytestmark = pytest.mark.django_db

CHARACTERS = "/api/v1/characters/"


@pytest.fixture
def targets(user_client, user):
    """Real objects of the user's for every write endpoint, and a snapshot of what exists."""
    asset = AssetFactory(owner=user, files=False, name="Old", description="Kept")
    character = user_client.post(CHARACTERS, {"name": "Knight"}, format="json").json()["data"]
    source = user_client.post(CHARACTERS, {"name": "Source"}, format="json").json()["data"]
    return {
        "asset": f"/api/v1/assets/{asset.id}/",
        "character": f"{CHARACTERS}{character['id']}/",
        "retarget": f"{CHARACTERS}{character['id']}/retarget/",
        "rig_clips": f"/api/v1/assets/{asset.id}/rig/clips/",
        "source": source["id"],
        "asset_id": str(asset.id),
    }


def _state():
    """Everything a refused write must leave unchanged."""
    return (
        ApiToken.objects.count(),
        sorted(Asset.objects.values_list("name", "description")),
        sorted(CharacterConfiguration.objects.values_list("name", "version")),
        GenerationPipeline.objects.count(),
    )


# (method, url key or path, a valid body, the string fields in it)
ENDPOINTS = {
    "tokens create": ("post", "/api/v1/tokens/", {"name": "ci"}, ["name"]),
    "asset update": ("patch", "asset", {"name": "New"}, ["name", "description"]),
    "character create": ("post", CHARACTERS, {"name": "Bard"}, ["name"]),
    "character update": ("patch", "character", {"name": "Bard"}, ["name"]),
    "retarget": ("post", "retarget", {"clip": "wave"}, ["name", "source"]),
    "rig clips": ("post", "rig_clips", {"clips": ["walk"]}, ["source"]),
    "pipeline create": ("post", "/api/v1/pipelines/", {"prompt": "a stone tower"}, ["prompt"]),
    "export preset create": (
        "post",
        "/api/v1/exports/presets/",
        {"name": "Mine", "format": "glb"},
        ["name"],
    ),
    "export estimate": ("post", "/api/v1/exports/estimate/", {"format": "glb"}, []),
    "export create": ("post", "/api/v1/exports/", {"format": "glb"}, []),
}


def _send(client, targets, endpoint, body):
    method, where, valid, _ = ENDPOINTS[endpoint]
    url = targets.get(where, where)
    if endpoint == "retarget":
        body = {"source": targets["source"], **body}
    if endpoint in ("export estimate", "export create"):
        body = {"assets": [targets["asset_id"]], **body}
    return getattr(client, method)(url, {**valid, **body}, format="json")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_unknown_field_is_a_400_naming_it_and_changes_nothing(user_client, targets, endpoint):
    before = _state()
    error = assert_error(
        _send(user_client, targets, endpoint, {"zzz": 1}), 400, "validation_failed"
    )
    assert error["message"] == "Unknown field(s): zzz."
    assert error["details"]["non_field_errors"] == ["Unknown field(s): zzz."]
    assert _state() == before


@pytest.mark.parametrize(
    ("endpoint", "field"),
    [(endpoint, field) for endpoint, spec in ENDPOINTS.items() for field in spec[3]],
)
@pytest.mark.parametrize("number", [2**70, 7, 1.5, True])
def test_a_number_for_a_string_field_is_a_400_on_that_field(
    user_client, targets, endpoint, field, number
):
    before = _state()
    response = _send(user_client, targets, endpoint, {field: number})
    error = assert_error(response, 400, "validation_failed")
    assert error["details"][field] == ["Must be a string."]
    assert error["message"] == f"{field}: Must be a string."
    assert _state() == before


def test_a_number_in_a_list_of_strings_is_refused(user_client):
    response = user_client.post(
        "/api/v1/pipelines/", {"prompt": "a stone tower", "presets": [5, "gold"]}, format="json"
    )
    error = assert_error(response, 400, "validation_failed")
    assert error["details"]["presets"] == ["Must be a string."]  # pipelines flatten per field
    assert not GenerationPipeline.objects.exists()


def test_an_upload_with_an_unknown_field_is_a_400_naming_it(user_client):
    glb = SimpleUploadedFile("box.glb", sample_glb(), "model/gltf-binary")
    response = user_client.post("/api/v1/assets/", {"file": glb, "name": "Box", "zzz": "1"})
    error = assert_error(response, 400, "validation_failed")
    assert error["message"] == "Unknown field(s): zzz."
    assert not Asset.objects.exists()


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"specis": "quadruped"}, "data.specis"),
        ({"body": {"heigth": 2.0}}, "data.body.heigth"),
        ({"colours": {"skinn": "#000000"}}, "data.colours.skinn"),
        ({"borrowed_clips": [{"name": "x", "source": "s", "clip": "wave", "zz": 1}]},
         "data.borrowed_clips.0.zz"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("method", ["post", "patch"])
def test_an_unknown_key_in_a_character_configuration_is_a_400_naming_its_path(
    user_client, targets, data, path, method
):
    if "borrowed_clips" in data:
        data = {"borrowed_clips": [{**data["borrowed_clips"][0], "source": targets["source"]}]}
    before = _state()
    url = CHARACTERS if method == "post" else targets["character"]
    response = getattr(user_client, method)(url, {"name": "T", "data": data}, format="json")
    error = assert_error(response, 400, "validation_failed")
    assert error["message"] == f"{path}: Unknown field."
    assert _state() == before


def test_a_number_in_a_configuration_string_is_refused(user_client):
    response = user_client.post(
        CHARACTERS, {"name": "T", "data": {"presets": [123]}}, format="json"
    )
    error = assert_error(response, 400, "validation_failed")
    assert error["message"] == "data.presets.0: Must be a string."
    assert not CharacterConfiguration.objects.exists()


def test_patching_data_merges_into_the_stored_configuration(user_client):
    data = {
        "armor": ["helmet", "greaves"],
        "held": ["weapon"],
        "colours": {"skin": "#112233"},
        "clips": ["idle", "attack"],
        "gallery_armor": {},
    }
    character = user_client.post(CHARACTERS, {"name": "K", "data": data}, format="json")
    character = character.json()["data"]
    url = f"{CHARACTERS}{character['id']}/"

    response = user_client.patch(url, {"data": {"body": {"height": 2.0}}}, format="json")
    assert response.status_code == 200, response.json()
    patched = response.json()["data"]
    assert patched["version"] == 2
    assert patched["data"]["body"] == {**character["data"]["body"], "height": 2.0}
    assert {k: v for k, v in patched["data"].items() if k != "body"} == {
        k: v for k, v in character["data"].items() if k != "body"
    }

    # RFC 7386: null removes a key, which then takes its default; a list is replaced whole.
    response = user_client.patch(
        url, {"data": {"armor": None, "colours": {"skin": None, "hair": "#ABCDEF"}}}, format="json"
    )
    assert response.status_code == 200, response.json()
    patched = response.json()["data"]["data"]
    assert patched["armor"] == [] and patched["held"] == ["weapon"]
    assert patched["colours"]["skin"] == "#c68642" and patched["colours"]["hair"] == "#abcdef"
    assert patched["body"]["height"] == 2.0 and patched["clips"] == ["idle", "attack"]


def test_a_merged_configuration_is_validated_whole_and_a_bad_one_changes_nothing(user_client):
    character = user_client.post(
        CHARACTERS, {"name": "K", "data": {"armor": ["helmet"]}}, format="json"
    ).json()["data"]
    url = f"{CHARACTERS}{character['id']}/"
    response = user_client.patch(url, {"data": {"species": "quadruped"}}, format="json")
    error = assert_error(response, 400, "validation_failed")
    assert "species" in error["details"]
    assert user_client.get(url).json()["data"] == character


@pytest.mark.parametrize("path", ["resolve/", "ignore/"])
def test_the_errors_api_refuses_unknown_fields_too(staff_client, path):
    from tests.errors.factories import record

    occurrence = record()
    group = occurrence.group
    body = {"note": "x", "zzz": 1}
    if path == "ignore/":
        body["ignore_condition"] = "forever"
    response = staff_client.post(f"/api/v1/errors/groups/{group.id}/{path}", body, format="json")
    error = assert_error(response, 400, "validation_failed")
    assert error["message"] == "Unknown field(s): zzz."
