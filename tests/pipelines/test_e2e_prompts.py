"""Prompts a game team would type, through the API and a real qcluster, as a new user sees them.

Recognised prompts get the object asked for, with the kind inferred; a prompt naming nothing
Forge can build says so plainly on the API, the pipeline page and the asset page and is kept
private; a gold knight's asset GLB carries the Gold variant with the face left alone.
"""

import pytest
from django.test import Client

from assets.glb_container import glb_read
from assets.models import Asset
from pipelines.models import FINISHED_STATUSES, GenerationPipeline
from tests.pipelines.conftest import gltf_errors
from tests.pipelines.providers import providers_env
from tests.processes import process_env, qcluster_args, running, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# (prompt, extra config, object built, asset kind)
RECOGNISED = [
    ("a spaceship", {}, "spaceship", "vehicle"),
    ("a golden crown with rubies", {}, "crown", "prop"),
    ("a fire-breathing dragon", {}, "dragon", "creature"),
    ("a tall pine tree covered in snow", {}, "pine", "environment"),
]
NONSENSE = "a quantum flux capacitor"


def start(client, **config) -> str:
    response = client.post("/api/v1/pipelines/", {"quality": "draft", **config}, format="json")
    assert response.status_code == 202, response.content
    return response.json()["data"]["id"]


def all_finished(ids) -> bool:
    return GenerationPipeline.objects.filter(pk__in=ids, status__in=FINISHED_STATUSES).count() == (
        len(ids)
    )


def test_prompts_across_genres_are_built_or_honestly_approximated(
    user, user_client, presets, provider_dir, tmp_path
):
    env = process_env(FORGE_Q_POLL="0.05", FORGE_TEST_PROVIDER_DIR=str(provider_dir))
    env.update(providers_env())
    with running(qcluster_args(), env=env, log_path=tmp_path / "q.log"):
        recognised = {prompt: start(user_client, prompt=prompt) for prompt, *_ in RECOGNISED}
        vague = start(user_client, prompt=NONSENSE, visibility="public")
        knight = start(user_client, prompt="a knight in full armor", presets=["gold"])
        ids = [*recognised.values(), vague, knight]
        wait_until(lambda: all_finished(ids), timeout=180, what="every pipeline to finish")
    log = (tmp_path / "q.log").read_text()[-3000:]

    for prompt, _extra, object_kind, asset_kind in RECOGNISED:
        data = user_client.get(f"/api/v1/pipelines/{recognised[prompt]}/").json()["data"]
        assert data["status"] == "succeeded", (prompt, data["error"], log)
        assert data["result"]["approximate"] is False, prompt
        assert data["result"]["object_kind"] == object_kind, prompt
        asset = Asset.objects.get(pk=data["asset"]["id"])
        assert asset.kind == asset_kind, prompt

    # The approximate one: private, with the reason and suggestions wherever the user looks.
    data = user_client.get(f"/api/v1/pipelines/{vague}/").json()["data"]
    assert data["status"] == "succeeded", log
    result = data["result"]
    assert result["approximate"] is True and result["visibility_held"] is True
    assert result["reason"].startswith("No builder for") and result["suggestions"]
    asset = Asset.objects.get(pk=data["asset"]["id"])
    assert asset.visibility == "private"
    browser = Client()
    browser.force_login(user)
    pipeline_page = browser.get(f"/pipelines/{vague}/").content.decode()
    asset_page = browser.get(f"/assets/{asset.id}/").content.decode()
    for page in (pipeline_page, asset_page):
        assert "Approximate result." in page and "No builder for" in page
        assert result["suggestions"][0] in page
    assert "Publish anyway" in asset_page

    # The gold knight: one GLB with the Gold variant; metal turns gold, skin stays skin.
    data = user_client.get(f"/api/v1/pipelines/{knight}/").json()["data"]
    assert data["status"] == "succeeded", log
    asset = Asset.objects.get(pk=data["asset"]["id"])
    assert asset.kind == "character"
    glb = asset.model_file.read()
    assert gltf_errors(glb) == 0
    document, _ = glb_read(glb)
    variants = document["extensions"]["KHR_materials_variants"]["variants"]
    assert [v["name"] for v in variants] == ["Gold"]
    materials = document["materials"]
    for mesh in document["meshes"]:
        for primitive in mesh["primitives"]:
            default = materials[primitive["material"]]
            role = (default.get("extras") or {}).get("forge_role")
            mappings = primitive.get("extensions", {}).get("KHR_materials_variants", {})
            gold = next((materials[m["material"]] for m in mappings.get("mappings", [])), default)
            if role in ("skin", "eye"):
                assert gold["pbrMetallicRoughness"] == default["pbrMetallicRoughness"]
            if role == "metal":
                assert gold["pbrMetallicRoughness"]["baseColorFactor"] != (
                    default["pbrMetallicRoughness"].get("baseColorFactor")
                )
