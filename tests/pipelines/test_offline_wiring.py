"""The offline provider wired through a whole run: inferred kinds, honest approximate results,
one GLB carrying every variant, and a generate form that remembers the user's choices."""

import pytest
from django.test import Client

from assets.glb_container import glb_read
from assets.models import Asset
from pipelines.events import pipeline_event_build
from pipelines.models import GenerationPipeline, GenerationPreferences
from pipelines.services import pipeline_create, pipeline_run
from tests.assets.factories import MaterialPresetFactory
from tests.pipelines.conftest import gltf_errors

pytestmark = pytest.mark.django_db(transaction=True)

NONSENSE = "a flibbertigibbet"
PROTECTED_ROLES = {"skin", "eye"}


def run(user, **config) -> GenerationPipeline:
    pipeline, created = pipeline_create(user=user, config={"quality": "draft", **config})
    assert created
    pipeline_run(pipeline_id=pipeline.id)
    pipeline.refresh_from_db()
    assert pipeline.status == "succeeded", (pipeline.error_code, pipeline.error_message)
    return pipeline


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_kind_left_out_is_inferred_from_the_prompt(user):
    pipeline = run(user, prompt="a spaceship")

    asset = Asset.objects.get(pk=pipeline.asset_id)
    assert pipeline.config["kind"] == ""
    assert asset.kind == "vehicle" and pipeline.result["kind"] == "vehicle"
    assert pipeline.result["kind_inferred"] is True
    assert pipeline.result["approximate"] is False and pipeline.result["reason"] == ""
    assert asset.generation_params["object_kind"] == "spaceship"


def test_a_kind_the_user_chose_is_kept(user):
    pipeline = run(user, prompt="a spaceship", kind="prop")

    assert Asset.objects.get(pk=pipeline.asset_id).kind == "prop"
    assert pipeline.result["kind_inferred"] is False


def test_an_approximate_result_asked_public_is_held_private_and_says_why_everywhere(user):
    pipeline = run(user, prompt=NONSENSE, visibility="public")

    asset = Asset.objects.get(pk=pipeline.asset_id)
    result = pipeline.result
    assert asset.visibility == "private"
    assert result["approximate"] is True and result["visibility_held"] is True
    assert "flibbertigibbet" in result["reason"] and len(result["suggestions"]) >= 1
    assert result["visibility"] == "private" and result["visibility_note"]
    # Watchers of the live status learn it from the last event.
    event = pipeline_event_build(pipeline)
    assert event["result"]["approximate"] is True
    assert event["result"]["reason"] == result["reason"]
    assert event["result"]["visibility_held"] is True

    client = browser(user)
    page = client.get(f"/pipelines/{pipeline.id}/").content.decode()
    assert "Approximate result." in page and result["reason"].replace("'", "&#x27;") in page
    assert result["suggestions"][0] in page and "Kept private" in page
    api = client.get(f"/api/v1/pipelines/{pipeline.id}/").json()["data"]
    assert api["result"]["approximate"] is True and api["result"]["suggestions"]

    asset_page = client.get(f"/assets/{asset.id}/").content.decode()
    assert 'id="asset-approximate"' in asset_page and "Publish anyway" in asset_page
    assert result["suggestions"][0] in asset_page


def test_the_owner_publishes_a_held_asset_anyway_and_no_one_else_can(user, other_user):
    pipeline = run(user, prompt=NONSENSE, visibility="public")
    asset_id = pipeline.asset_id

    response = browser(other_user).post(f"/assets/{asset_id}/publish/")
    assert response.status_code == 404
    assert Asset.objects.get(pk=asset_id).visibility == "private"

    client = browser(user)
    response = client.post(f"/assets/{asset_id}/publish/", follow=True)
    assert response.status_code == 200
    assert Asset.objects.get(pk=asset_id).visibility == "public"
    page = response.content.decode()
    assert "is public now" in page and "Publish anyway" not in page
    assert "Approximate result." in page  # still honest about what it is


def test_confirming_approximate_results_publishes_them_as_asked(user):
    pipeline = run(user, prompt=NONSENSE, visibility="public", confirm_approximate=True)

    assert Asset.objects.get(pk=pipeline.asset_id).visibility == "public"
    assert pipeline.result["approximate"] is True and pipeline.result["visibility_held"] is False
    page = browser(user).get(f"/assets/{pipeline.asset_id}/").content.decode()
    assert "Approximate result." in page and "Publish anyway" not in page


def test_a_recognised_public_result_is_published_without_a_note(user):
    pipeline = run(user, prompt="a golden crown with rubies", visibility="public")

    asset = Asset.objects.get(pk=pipeline.asset_id)
    assert asset.visibility == "public" and asset.kind == "prop"
    assert asset.generation_params["object_kind"] == "crown"
    page = browser(user).get(f"/assets/{asset.id}/").content.decode()
    assert "Approximate result." not in page


def test_a_non_boolean_confirm_approximate_is_a_400_and_creates_nothing(user_client):
    body = {"prompt": "a crown", "confirm_approximate": "perhaps"}
    response = user_client.post("/api/v1/pipelines/", body, format="json")
    assert response.status_code == 400
    assert "confirm_approximate" in response.json()["error"]["details"]
    assert not GenerationPipeline.objects.exists()


def _roles(document: dict) -> dict[int, str]:
    return {
        index: (material.get("extras") or {}).get("forge_role", "")
        for index, material in enumerate(document["materials"])
    }


def test_the_asset_glb_carries_every_variant_and_gold_spares_the_knights_face(user, presets):
    pipeline = run(user, prompt="a brave knight", presets=["gold", "oak"])

    asset = Asset.objects.get(pk=pipeline.asset_id)
    glb = asset.model_file.read()
    assert gltf_errors(glb) == 0
    document, _ = glb_read(glb)
    names = [v["name"] for v in document["extensions"]["KHR_materials_variants"]["variants"]]
    assert names == ["Gold", "Oak"]  # the preset names the asset page shows
    assert asset.generation_params["variant_names"] == ["Gold", "Oak"]
    assert pipeline.result["variants_merged"] is True
    gold = names.index("Gold")
    roles = _roles(document)
    materials = document["materials"]
    gold_armour = skin_checked = 0
    for mesh in document["meshes"]:
        for primitive in mesh["primitives"]:
            default = primitive["material"]
            mappings = primitive.get("extensions", {}).get("KHR_materials_variants", {})
            chosen = next(
                (m["material"] for m in mappings.get("mappings", []) if gold in m["variants"]),
                default,
            )
            if roles[default] in PROTECTED_ROLES:
                skin_checked += 1
                assert materials[chosen] == materials[default] or (
                    materials[chosen]["pbrMetallicRoughness"]
                    == materials[default]["pbrMetallicRoughness"]
                )
            if roles[default] == "metal":
                pbr = materials[chosen]["pbrMetallicRoughness"]
                gold_armour += pbr.get("metallicFactor", 1.0) == 1.0 and pbr[
                    "baseColorFactor"
                ] != materials[default]["pbrMetallicRoughness"].get("baseColorFactor")
    assert skin_checked and gold_armour
    # The per-variant GLBs stay downloadable.
    assert all(v.model_file.read()[:4] == b"glTF" for v in asset.variants.all())


def test_the_asset_page_switches_variants_on_the_one_file(user, presets):
    pipeline = run(user, prompt="a wooden barrel", presets=["gold", "oak"])
    asset = Asset.objects.get(pk=pipeline.asset_id)
    gold = asset.variants.get(preset__slug="gold")
    client = browser(user)

    page = client.get(f"/assets/{asset.id}/").content.decode()
    assert 'data-variant-name="Gold" data-in-model="true"' in page
    assert f'data-asset-model="{asset.model_file.url}"' in page

    selected = client.get(f"/assets/{asset.id}/?variant={gold.id}").content.decode()
    assert 'variant-name="Gold"' in selected
    assert f'src="{asset.model_file.url}"' in selected  # the geometry is the asset's own
    assert f'href="{gold.model_file.url}" download' in selected  # its own GLB to download


def test_the_generate_form_remembers_style_quality_and_most_used_presets(user, presets):
    MaterialPresetFactory(slug="ice", name="Ice", display_order=0)
    run(user, prompt="a crown", presets=["oak"], art_style="stylized", quality="draft")
    pipeline_create(user=user, config={"prompt": "a ring", "presets": ["gold", "oak"]})
    pipeline_create(
        user=user,
        config={"prompt": "a goblet", "presets": ["gold"], "art_style": "voxel", "quality": "high"},
    )

    preferences = GenerationPreferences.objects.get(user=user)
    assert preferences.presets_by_use() == ["gold", "oak"]
    page = browser(user).get("/pipelines/new/").content.decode()
    # Most used first (gold twice, oak twice: ties by name), never used last.
    assert page.index('value="gold"') < page.index('value="oak"') < page.index('value="ice"')
    assert 'value="gold" checked' in page and 'value="oak" checked' not in page
    assert '<option value="voxel" selected>' in page
    assert 'value="high" id="id_quality_2" checked' in page
    assert '<option value="" selected>Infer from the prompt</option>' in page


def test_a_new_user_gets_the_plain_defaults(other_user, presets):
    page = browser(other_user).get("/pipelines/new/").content.decode()
    assert '<option value="" selected>Infer from the prompt</option>' in page
    assert 'value="gold" checked' not in page


def test_a_variant_added_later_loads_its_own_glb_on_the_asset_page(user, presets):
    from assets.services import asset_variant_add

    pipeline = run(user, prompt="a wooden barrel", presets=["gold"])
    asset = Asset.objects.get(pk=pipeline.asset_id)
    ice = MaterialPresetFactory(slug="ice", name="Ice")
    added = asset_variant_add(asset=asset, actor=user, preset=ice)

    assert gltf_errors(added.model_file.read()) == 0
    page = browser(user).get(f"/assets/{asset.id}/?variant={added.id}").content.decode()
    assert 'data-variant-name="Gold" data-in-model="true"' in page
    assert 'data-variant-name="Ice" data-in-model="false"' in page
    assert f'src="{added.model_file.url}"' in page and ' variant-name="Ice"' not in page
