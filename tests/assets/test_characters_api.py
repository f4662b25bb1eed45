"""The characters API: configurations CRUD, versions, build (cached by hash), clips, retarget."""

import pytest

from assets.glb_container import glb_read
from assets.models import Asset, CharacterConfiguration, CharacterConfigurationVersion
from pipelines.models import GenerationPipeline
from pipelines.services import pipeline_run
from tests.assets.factories import AssetFactory, MaterialPresetFactory
from tests.gltf_validator import validate_glb

pytestmark = pytest.mark.django_db

LIST = "/api/v1/characters/"


def create(client, **data):
    body = {"name": data.pop("name", "Knight"), "data": data}
    response = client.post(LIST, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def test_a_new_character_is_private_version_one_with_every_default(user_client):
    character = create(user_client, armor=["helmet"])
    assert character["visibility"] == "private" and character["version"] == 1
    data = character["data"]
    assert data["body"] == {"height": 1.75, "build": 0.5, "head_size": 1.0, "limb_length": 1.0}
    assert data["armor"] == ["helmet"] and data["colours"]["skin"] == "#c68642"
    assert character["built"] is False and character["asset"] is None
    listed = user_client.get(LIST).json()["data"]
    assert [c["id"] for c in listed] == [character["id"]]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": {"height": 9}}, "body"),
        ({"colours": {"skin": "red"}}, "colours"),
        ({"clips": ["moonwalk"]}, "clips"),
        ({"armor": ["helmet", "helmet"]}, "armor"),
        ({"armor": ["cape"]}, "armor"),
        ({"gallery_armor": {"helmet": "00000000-0000-0000-0000-000000000000"}}, "gallery_armor"),
        ({"species": "quadruped", "armor": ["helmet"]}, "species"),
        ({"borrowed_clips": [{"name": "x", "source": "nope", "clip": "wave"}]}, "borrowed_clips"),
    ],
)
def test_bad_configurations_are_refused_and_change_nothing(user_client, data, field):
    response = user_client.post(LIST, {"name": "Bad", "data": data}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed" and field in str(error["details"])
    assert not CharacterConfiguration.objects.exists()


def test_a_gallery_piece_must_be_an_armor_asset_you_may_see(user_client, user, other_user):
    private = AssetFactory(owner=other_user, kind="armor", visibility="private")
    response = user_client.post(
        LIST, {"name": "K", "data": {"armor": ["helmet"], "gallery_armor": {"helmet": str(private.id)}}},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "gallery_armor" in response.json()["error"]["details"]


def test_changing_the_configuration_makes_a_new_version_and_an_equal_one_does_not(user_client):
    character = create(user_client)
    url = f"{LIST}{character['id']}/"
    same = user_client.patch(url, {"data": character["data"]}, format="json").json()["data"]
    assert same["version"] == 1
    changed = {**character["data"], "colours": {**character["data"]["colours"], "shirt": "#112233"}}
    updated = user_client.patch(url, {"data": changed}, format="json").json()["data"]
    assert updated["version"] == 2 and updated["config_hash"] != character["config_hash"]
    versions = CharacterConfigurationVersion.objects.filter(configuration_id=character["id"])
    assert sorted(versions.values_list("version", flat=True)) == [1, 2]
    bad = user_client.patch(url, {"data": {"body": {"build": 5}}}, format="json")
    assert bad.status_code == 400
    assert user_client.get(url).json()["data"]["version"] == 2


def test_other_users_characters_are_missing(user_client, other_user):
    from assets.character_services import character_create

    theirs = character_create(owner=other_user, name="Theirs", data={})
    for method, suffix in (("get", ""), ("patch", ""), ("delete", ""), ("post", "build/"),
                           ("get", "clips/")):  # fmt: skip
        response = getattr(user_client, method)(f"{LIST}{theirs.id}/{suffix}", {}, format="json")
        assert response.status_code == 404, (method, suffix)
        assert response.json()["error"]["code"] == "not_found"
    mine = create(user_client)
    response = user_client.post(
        f"{LIST}{mine['id']}/retarget/", {"source": str(theirs.id), "clip": "wave"}, format="json"
    )
    assert response.status_code == 404
    assert CharacterConfiguration.objects.get(pk=theirs.id).version == 1


def test_anonymous_clients_are_asked_to_sign_in(api_client):
    assert api_client.get(LIST).status_code in (401, 403)


def test_build_makes_a_character_asset_with_variants_and_caches_by_hash(user_client, user):
    MaterialPresetFactory(slug="gold", name="Gold", base_color="#d4af37", metallic=1.0,
                          texture_prompt="polished gold")  # fmt: skip
    character = create(user_client, armor=["helmet", "breastplate"], held=["weapon"],
                       clips=["idle", "walk", "wave", "grip", "attack"], presets=["gold"])  # fmt: skip
    url = f"{LIST}{character['id']}/build/"
    started = user_client.post(url)
    assert started.status_code == 202
    body = started.json()["data"]
    assert body["cached"] is False and body["pipeline"]
    # The same configuration asked again joins the same run.
    assert user_client.post(url).json()["data"]["pipeline"] == body["pipeline"]
    assert pipeline_run(pipeline_id=body["pipeline"]).status == "succeeded"

    asset = Asset.objects.get(character_configuration__id=character["id"])
    assert asset.kind == "character" and asset.visibility == "private"
    glb = asset.model_file.read()
    issues = validate_glb(glb)["issues"]
    assert (issues["numErrors"], issues["numWarnings"]) == (0, 0)
    doc, _ = glb_read(glb)
    assert [a["name"] for a in doc["animations"]] == ["idle", "walk", "wave", "grip", "attack"]
    (variant,) = asset.variants.all()
    assert variant.preset.slug == "gold"
    # Role-aware recolouring: the armor turns gold, the face does not.
    recoloured = {m["name"]: m for m in glb_read(variant.model_file.read())[0]["materials"]}
    original = {m["name"]: m for m in doc["materials"]}
    assert recoloured["armor"] != original["armor"]
    assert recoloured["skin"] == original["skin"]
    assert recoloured["eye"] == original["eye"]

    again = user_client.post(url)
    assert again.status_code == 200
    assert again.json()["data"] == {"cached": True, "asset": str(asset.id), "pipeline": None,
                                    "websocket_url": None}  # fmt: skip
    assert GenerationPipeline.objects.filter(kind="character").count() == 1
    shown = user_client.get(f"{LIST}{character['id']}/").json()["data"]
    assert shown["built"] is True and shown["asset"] == str(asset.id)


def test_clips_list_and_retarget_from_another_character(user_client):
    giant = create(user_client, name="Giant", body={"height": 2.2, "limb_length": 1.15})
    knight = create(user_client, held=["weapon"], clips=["idle", "attack"])
    clips = user_client.get(f"{LIST}{knight['id']}/clips/").json()["data"]
    assert [(c["name"], c["loop"]) for c in clips] == [("idle", True), ("attack", True)]
    response = user_client.post(
        f"{LIST}{knight['id']}/retarget/", {"source": giant["id"], "clip": "wave"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["data"]["version"] == 2
    clips = user_client.get(f"{LIST}{knight['id']}/clips/").json()["data"]
    assert clips[-1] == {"name": "wave_from_giant", "duration": 1.2, "loop": True,
                         "source": giant["id"]}  # fmt: skip
    bad = user_client.post(f"{LIST}{knight['id']}/retarget/", {"source": giant["id"],
                                                               "clip": "dance"}, format="json")  # fmt: skip
    assert bad.status_code == 400


def test_delete_keeps_the_built_asset_out_of_reach_of_the_configuration(user_client):
    character = create(user_client)
    assert user_client.delete(f"{LIST}{character['id']}/").status_code == 204
    assert not CharacterConfiguration.objects.exists()
    assert user_client.get(f"{LIST}{character['id']}/").status_code == 404


def test_an_uploaded_rigged_asset_is_recognised_and_receives_forge_clips(user_client, user):
    from assets.services import asset_upload
    from tests.pipelines.character.test_retarget import mixamo_glb

    rigged = asset_upload(owner=user, name="Mixamo guy", kind="character", glb=mixamo_glb())
    report = user_client.get(f"/api/v1/assets/{rigged.id}/rig/").json()["data"]
    assert report["humanoid"] is True and report["joint_count"] == 52
    assert "mixamorig:LeftHandIndex1" in report["joint_names"]
    response = user_client.post(f"/api/v1/assets/{rigged.id}/rig/clips/",
                                {"clips": ["walk", "wave"]}, format="json")  # fmt: skip
    assert response.status_code == 201
    created = Asset.objects.get(pk=response.json()["data"]["id"])
    assert created.owner == user and created.visibility == "private"
    glb = created.model_file.read()
    assert [a["name"] for a in glb_read(glb)[0]["animations"]] == ["walk", "wave"]
    issues = validate_glb(glb)["issues"]
    assert (issues["numErrors"], issues["numWarnings"]) == (0, 0)
    bad = user_client.post(f"/api/v1/assets/{rigged.id}/rig/clips/", {"clips": []}, format="json")
    assert bad.status_code == 400


def test_an_unrigged_asset_is_a_clear_error(user_client, user):
    from assets.services import asset_upload
    from tests.assets.glb_samples import box_glb

    plain = asset_upload(owner=user, name="Box", glb=box_glb())
    response = user_client.get(f"/api/v1/assets/{plain.id}/rig/")
    assert response.status_code == 400 and "not rigged" in response.json()["error"]["message"]
    response = user_client.post(f"/api/v1/assets/{plain.id}/rig/clips/", {"clips": ["walk"]},
                                format="json")  # fmt: skip
    assert response.status_code == 400
    assert Asset.objects.count() == 1


def test_a_deleted_build_or_a_failed_run_is_built_again(user_client, user):
    from pipelines.services import pipeline_cancel

    character = create(user_client)
    url = f"{LIST}{character['id']}/build/"
    first = user_client.post(url).json()["data"]["pipeline"]
    pipeline_cancel(pipeline=GenerationPipeline.objects.get(pk=first))
    second = user_client.post(url)
    assert second.status_code == 202 and second.json()["data"]["pipeline"] != first
    assert pipeline_run(pipeline_id=second.json()["data"]["pipeline"]).status == "succeeded"
    asset = Asset.objects.get(character_configuration__id=character["id"])
    assert user_client.delete(f"/api/v1/assets/{asset.id}/").status_code == 204
    third = user_client.post(url)
    assert third.status_code == 202
    assert third.json()["data"]["pipeline"] not in (first, second.json()["data"]["pipeline"])
