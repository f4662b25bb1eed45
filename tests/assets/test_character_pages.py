"""The character editor pages: new, edit, live draft preview, retarget, piece thumbnails."""

import pytest

from assets.character_services import character_create
from assets.glb_container import glb_read
from assets.models import CharacterConfiguration
from pipelines.models import GenerationPipeline
from tests.assets.factories import AssetFactory

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Knight", "visibility": "private", "species": "humanoid", "height": "1.8",
    "build": "0.6", "head_size": "1.0", "limb_length": "1.0", "colour_skin": "#c68642",
    "colour_hair": "#2b1b10", "colour_eyes": "#2a4d8f", "colour_shirt": "#8c2f2f",
    "colour_trousers": "#3a3f4a", "colour_boots": "#5a3a22", "colour_armor": "#b8bec6",
    "colour_trim": "#c9a043", "colour_fur": "#8a6a4a", "armor": ["helmet", "greaves"],
    "held": ["weapon"], "clips": ["idle", "wave", "grip", "attack"], "play": "wave",
}  # fmt: skip


@pytest.fixture
def client_in(client, user):
    client.force_login(user)
    return client


def test_the_editor_needs_a_signed_in_user(client):
    response = client.get("/characters/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_new_page_shows_sliders_pickers_and_a_live_preview(client_in):
    page = client_in.get("/characters/new/").content.decode()
    assert 'type="range"' in page and 'name="height"' in page
    assert "/characters/pieces/helmet.png" in page
    assert "<model-viewer" in page and "/characters/preview.glb?" in page
    assert 'hx-get="/characters/preview/"' in page


def test_saving_creates_the_character_and_starts_its_build(client_in, user):
    response = client_in.post("/characters/new/", FORM)
    assert response.status_code == 302
    character = CharacterConfiguration.objects.get(owner=user)
    assert character.data["armor"] == ["helmet", "greaves"]
    assert character.data["body"]["height"] == 1.8
    run = GenerationPipeline.objects.get(kind="character")
    assert response["Location"] == f"/characters/{character.id}/?pipeline={run.id}"
    page = client_in.get(response["Location"]).content.decode()
    assert "follow the run" in page and "version 1" in page


def test_bad_values_are_form_errors_and_save_nothing(client_in):
    response = client_in.post("/characters/new/", {**FORM, "height": "7", "colour_skin": "pink"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "field-invalid" in page
    assert not CharacterConfiguration.objects.exists()


def test_the_draft_preview_is_a_rigged_glb_of_the_form_values(client_in):
    query = "&".join(
        f"{k}={v}" for k, vs in FORM.items() for v in (vs if isinstance(vs, list) else [vs])
    )
    response = client_in.get(f"/characters/preview.glb?{query.replace('#', '%23')}")
    assert response.status_code == 200 and response["Content-Type"] == "model/gltf-binary"
    doc, _ = glb_read(response.content)
    assert [a["name"] for a in doc["animations"]] == ["idle", "wave", "grip", "attack"]
    names = {n["name"] for n in doc["nodes"]}
    assert {"helmet", "leftGreave", "weapon"} <= names and "shield" not in names
    panel = client_in.get(f"/characters/preview/?{query.replace('#', '%23')}").content.decode()
    assert 'animation-name="wave"' in panel
    assert '<select name="play" id="id_play" hx-swap-oob="true">' in panel
    assert '<option value="attack">' in panel and '<option value="walk">' not in panel
    bad = client_in.get("/characters/preview.glb?height=9")
    assert bad.status_code == 400
    errors = client_in.get("/characters/preview/?height=9").content.decode()
    assert 'role="alert"' in errors and "height" in errors and "<model-viewer" not in errors


def test_a_gallery_armor_piece_is_worn_in_the_preview(client_in, user):
    from django.core.files.base import ContentFile

    from tests.assets.glb_samples import box_glb

    helmet = AssetFactory(owner=user, kind="armor", name="Box helm")
    helmet.model_file.save("model.glb", ContentFile(box_glb()), save=True)
    page = client_in.get("/characters/new/").content.decode()
    assert "Box helm" in page and f'name="gallery_{helmet.id}"' in page
    form = {**FORM, "armor": [], f"gallery_{helmet.id}": "helmet"}
    query = "&".join(
        f"{k}={v}" for k, vs in form.items() for v in (vs if isinstance(vs, list) else [vs])
    )
    response = client_in.get(f"/characters/preview.glb?{query.replace('#', '%23')}")
    assert response.status_code == 200
    names = {n["name"] for n in glb_read(response.content)[0]["nodes"]}
    assert "helmet_gallery" in names


def test_other_users_characters_are_missing(client_in, other_user):
    theirs = character_create(owner=other_user, name="Theirs", data={})
    assert client_in.get(f"/characters/{theirs.id}/").status_code == 404
    assert client_in.post(f"/characters/{theirs.id}/", FORM).status_code == 404
    assert client_in.get(f"/characters/preview.glb?character={theirs.id}").status_code == 404


def test_retargeting_a_clip_adds_it_and_plays_it(client_in, user):
    giant = character_create(owner=user, name="Giant", data={"body": {"height": 2.2}})
    knight = character_create(owner=user, name="Knight", data={})
    response = client_in.post(f"/characters/{knight.id}/retarget/",
                              {"source": str(giant.id), "clip": "wave"})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"/characters/{knight.id}/?play=wave_from_giant"
    page = client_in.get(response["Location"]).content.decode()
    assert 'animation-name="wave_from_giant"' in page
    knight.refresh_from_db()
    assert knight.version == 2


def test_piece_thumbnails_are_pngs(client):
    response = client.get("/characters/pieces/shield.png")
    assert response.status_code == 200 and response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/characters/pieces/cape.png").status_code == 404


def test_the_build_run_shows_on_the_pipeline_page(client_in, user):
    from pipelines.services import pipeline_run

    client_in.post("/characters/new/", FORM)
    run = GenerationPipeline.objects.get(kind="character")
    assert pipeline_run(pipeline_id=run.id).status == "succeeded"
    page = client_in.get(f"/pipelines/{run.id}/")
    assert page.status_code == 200
    assert "Build character" in page.content.decode()
    character = CharacterConfiguration.objects.get(owner=user)
    detail = client_in.get(f"/characters/{character.id}/").content.decode()
    assert f"/assets/{character.asset_id}/" in detail
    listing = client_in.get("/characters/").content.decode()
    assert "Knight" in listing and "not built yet" not in listing


def test_staff_see_characters_in_the_admin(client, staff_user, user):
    character_create(owner=user, name="Seen by staff", data={})
    client.force_login(staff_user)
    page = client.get("/admin/assets/characterconfiguration/")
    assert page.status_code == 200 and "Seen by staff" in page.content.decode()
