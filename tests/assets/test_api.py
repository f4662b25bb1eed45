"""The assets API: gallery list, visibility, detail, variants, presets, upload, update, delete."""

import struct
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from assets.models import Asset, VariantStatistics
from tests.assets.factories import (
    AssetFactory,
    AssetVariantFactory,
    MaterialPresetFactory,
)
from tests.assets.glb_samples import box_glb, glb_from_json, sphere_glb

pytestmark = pytest.mark.django_db

LIST = "/api/v1/assets/"


def _names(response) -> list[str]:
    return [item["name"] for item in response.json()["data"]]


def _stored_files(media) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


def _aged(asset, minutes: int):
    """Give `asset` a creation time `minutes` ago (factories otherwise share one instant)."""
    Asset.objects.filter(pk=asset.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    return asset


# ---- listing and visibility ---------------------------------------------------------------


def test_anonymous_list_shows_only_public_ready_assets(api_client, user):
    AssetFactory(owner=user, name="Public sword", files=False)
    AssetFactory(owner=user, name="Private sword", visibility="private", files=False)
    AssetFactory(owner=user, name="Unlisted sword", visibility="unlisted", files=False)
    AssetFactory(owner=user, name="Failed sword", status="failed", files=False)
    response = api_client.get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert _names(response) == ["Public sword"]
    item = body["data"][0]
    assert item["owner"]["username"] == user.username
    assert item["url"].startswith("http://testserver/api/v1/assets/")
    assert body["meta"]["pagination"]["total"] == 1


def test_list_item_has_absolute_file_urls(api_client):
    AssetFactory(name="Crate")
    item = api_client.get(LIST).json()["data"][0]
    assert item["thumbnail"].startswith("http://testserver/media/assets/")
    assert item["model_file"].endswith("/model.glb")
    assert item["triangle_count"] == 12


def test_filters_narrow_the_list(api_client):
    AssetFactory(
        name="Iron axe", kind="weapon", art_style="realistic", tags=["axe", "iron"], files=False
    )
    AssetFactory(
        name="Toy axe", kind="weapon", art_style="cartoon", tags=["axe", "toy"], files=False
    )
    AssetFactory(name="Barrel", kind="prop", art_style="cartoon", tags=["wood"], files=False)
    assert sorted(_names(api_client.get(LIST, {"kind": "weapon"}))) == ["Iron axe", "Toy axe"]
    assert sorted(_names(api_client.get(LIST, {"art_style": "cartoon"}))) == ["Barrel", "Toy axe"]
    assert _names(api_client.get(LIST, {"tag": "Toy"})) == ["Toy axe"]
    assert _names(api_client.get(LIST, {"kind": "weapon", "art_style": "realistic"})) == [
        "Iron axe"
    ]


def test_search_matches_name_description_and_tags_with_stemming(api_client):
    AssetFactory(name="Dragon statue", files=False)
    AssetFactory(name="Old chest", description="Guarded by dragons.", files=False)
    AssetFactory(name="Banner", tags=["dragon", "flag"], files=False)
    AssetFactory(name="Lamp post", files=False)
    assert sorted(_names(api_client.get(LIST, {"q": "dragon"}))) == [
        "Banner",
        "Dragon statue",
        "Old chest",
    ]
    assert _names(api_client.get(LIST, {"q": "dragon -chest -flag"})) == ["Dragon statue"]
    assert _names(api_client.get(LIST, {"q": "lamp"})) == ["Lamp post"]


def test_search_with_no_match_is_an_empty_first_page(api_client):
    AssetFactory(name="Lamp", files=False)
    response = api_client.get(LIST, {"q": "zeppelin"})
    assert response.status_code == 200
    assert response.json()["data"] == []
    assert response.json()["meta"]["pagination"]["total"] == 0


def test_sorts(api_client):
    a = _aged(AssetFactory(name="beta", triangle_count=300, files=False), 3)
    b = _aged(AssetFactory(name="Alpha", triangle_count=100, files=False), 2)
    c = _aged(AssetFactory(name="gamma", triangle_count=200, files=False), 1)
    assert _names(api_client.get(LIST)) == [c.name, b.name, a.name]
    assert _names(api_client.get(LIST, {"sort": "oldest"})) == [a.name, b.name, c.name]
    assert _names(api_client.get(LIST, {"sort": "name"})) == ["Alpha", "beta", "gamma"]
    assert _names(api_client.get(LIST, {"sort": "triangles"})) == ["Alpha", "gamma", "beta"]
    assert _names(api_client.get(LIST, {"sort": "-triangles"})) == ["beta", "gamma", "Alpha"]


def test_bad_parameters_are_a_400_envelope(api_client):
    response = api_client.get(LIST, {"kind": "spaceship", "page_size": 500})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert {"kind", "page_size"} <= set(error["details"])


def test_pages_and_pagination_meta(api_client):
    for i in range(7):
        _aged(AssetFactory(name=f"Item {i}", files=False), i)
    first = api_client.get(LIST, {"page_size": 3}).json()
    assert [x["name"] for x in first["data"]] == ["Item 0", "Item 1", "Item 2"]
    pagination = first["meta"]["pagination"]
    assert pagination["total"] == 7 and pagination["total_pages"] == 3
    assert pagination["next_page"] == 2 and pagination["previous_page"] is None
    assert "page=2" in pagination["next"] and "page_size=3" in pagination["next"]
    last = api_client.get(LIST, {"page_size": 3, "page": 3}).json()
    assert [x["name"] for x in last["data"]] == ["Item 6"]
    assert last["meta"]["pagination"]["next"] is None
    beyond = api_client.get(LIST, {"page_size": 3, "page": 4})
    assert beyond.status_code == 404
    assert beyond.json()["error"]["code"] == "not_found"


def test_owner_me_lists_all_of_mine_with_status_and_visibility_filters(
    user_client, user, other_user
):
    AssetFactory(owner=user, name="Mine public", files=False)
    AssetFactory(owner=user, name="Mine private", visibility="private", files=False)
    AssetFactory(owner=user, name="Mine failed", status="failed", visibility="private", files=False)
    AssetFactory(owner=other_user, name="Theirs", files=False)
    assert sorted(_names(user_client.get(LIST, {"owner": "me"}))) == [
        "Mine failed", "Mine private", "Mine public",
    ]  # fmt: skip
    assert _names(user_client.get(LIST, {"owner": "me", "status": "failed"})) == ["Mine failed"]
    assert sorted(_names(user_client.get(LIST, {"owner": "me", "visibility": "private"}))) == [
        "Mine failed", "Mine private",
    ]  # fmt: skip


def test_owner_me_needs_sign_in(api_client):
    response = api_client.get(LIST, {"owner": "me"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_unlisted_opens_by_link_and_private_of_someone_else_is_404(api_client, user, other_user):
    unlisted = AssetFactory(owner=other_user, name="Hidden gem", visibility="unlisted")
    private = AssetFactory(owner=other_user, name="Secret", visibility="private")
    assert "Hidden gem" not in _names(api_client.get(LIST))
    assert api_client.get(f"{LIST}{unlisted.id}/").status_code == 200
    response = api_client.get(f"{LIST}{private.id}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    api_client.force_authenticate(user)
    assert api_client.get(f"{LIST}{private.id}/").status_code == 404
    assert api_client.get(f"{LIST}{private.id}/variants/").status_code == 404
    api_client.force_authenticate(other_user)
    assert api_client.get(f"{LIST}{private.id}/").status_code == 200


def test_detail_has_variants_and_statistics(api_client):
    asset = AssetFactory(name="Helmet", description="Shiny.", tags=["helmet"])
    gold = MaterialPresetFactory(slug="gold", name="Gold", display_order=1)
    oak = MaterialPresetFactory(slug="oak", name="Oak", category="wood", display_order=2)
    AssetVariantFactory(asset=asset, preset=gold)
    AssetVariantFactory(asset=asset, preset=oak, status="failed", error_message="timeout")
    body = api_client.get(f"{LIST}{asset.id}/").json()["data"]
    assert body["name"] == "Helmet" and body["description"] == "Shiny."
    assert body["sha256"] and body["bounding_box"]["max"]
    assert [v["preset"]["slug"] for v in body["variants"]] == ["gold", "oak"]
    assert body["variants"][0]["model_file"].startswith("http://testserver/media/")
    assert body["variants"][1]["model_file"] is None
    assert body["variants"][1]["error_message"] == "timeout"
    assert body["variant_statistics"]["total"] == 2
    assert body["variant_statistics"]["ready"] == 1 and body["variant_statistics"]["failed"] == 1
    listed = api_client.get(f"{LIST}{asset.id}/variants/").json()["data"]
    assert [v["preset"]["name"] for v in listed] == ["Gold", "Oak"]


def test_unknown_asset_is_404(api_client):
    response = api_client.get(f"{LIST}00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_presets_lists_active_in_display_order(api_client):
    MaterialPresetFactory(slug="z-last", name="Z", display_order=9)
    MaterialPresetFactory(slug="a-first", name="A", display_order=1)
    MaterialPresetFactory(slug="retired", name="R", display_order=0, is_active=False)
    data = api_client.get("/api/v1/presets/").json()["data"]
    assert [p["slug"] for p in data] == ["a-first", "z-last"]
    assert {"base_color", "metallic", "roughness", "category"} <= set(data[0])


def test_presets_have_exactly_the_documented_shape(api_client):
    from assets.api.serializers import MaterialPresetOutputSerializer
    from assets.models import MaterialPreset

    MaterialPresetFactory(slug="glow", name="Glow", emissive="#ffaa00", texture_prompt="embers")
    data = api_client.get("/api/v1/presets/").json()["data"]
    preset = MaterialPreset.objects.get(slug="glow")
    # What the OpenAPI schema promises, field for field and type for type.
    expected = dict(MaterialPresetOutputSerializer(preset).data)
    assert next(p for p in data if p["slug"] == "glow") == expected


# ---- upload ---------------------------------------------------------------------------------


def _upload(client, data: bytes, **fields):
    payload = {"name": "My crate", "kind": "prop", "art_style": "low_poly", "tags": "crate, wood"}
    payload.update(fields)
    payload["file"] = SimpleUploadedFile("crate.glb", data, content_type="model/gltf-binary")
    return client.post(LIST, payload, format="multipart")


def test_upload_creates_a_ready_asset_with_a_rendered_thumbnail(user_client, user):
    response = _upload(user_client, box_glb(size=(1, 1, 1)), visibility="public")
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["source"] == "uploaded" and data["status"] == "ready"
    assert data["triangle_count"] == 12 and data["vertex_count"] >= 8
    assert data["tags"] == ["crate", "wood"] and data["owner"]["username"] == user.username
    asset = Asset.objects.get(pk=data["id"])
    thumbnail = asset.thumbnail.open().read()
    assert thumbnail.startswith(b"\x89PNG") and len(thumbnail) > 2000
    assert asset.model_file.open().read() == box_glb(size=(1, 1, 1))
    assert VariantStatistics.objects.get(asset=asset).total == 0
    assert "My crate" in _names(user_client.get(LIST))


BAD_FILES = {
    "not_glb": (b"PK\x03\x04 this is a zip file, not a GLB at all", "bad_magic"),
    "gltf_v1": (struct.pack("<4sII", b"glTF", 1, 20) + b"\0" * 8, None),
    "truncated": (sphere_glb()[:200], None),
    "no_meshes": (glb_from_json({"asset": {"version": "2.0"}}), "no_meshes"),
    "bad_json": (
        struct.pack("<4sII", b"glTF", 2, 28) + struct.pack("<II", 8, 0x4E4F534A) + b"{not js}",
        "bad_json",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_upload_is_a_400_naming_the_problem_and_leaves_nothing(
    user_client, case, _isolated_services
):
    data, reason = BAD_FILES[case]
    before = _stored_files(_isolated_services)
    response = _upload(user_client, data)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert error["details"]["file"] and error["message"] == error["details"]["file"][0]
    if reason:
        assert error["details"]["reason"] == reason
    assert Asset.objects.count() == 0
    assert _stored_files(_isolated_services) == before


def test_upload_over_the_default_limit_is_a_413_naming_it(user_client, _isolated_services):
    before = _stored_files(_isolated_services)
    big = box_glb() + b"\0" * (60 * 1024 * 1024)
    response = _upload(user_client, big)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "payload_too_large"
    assert "50 MB" in error["message"]
    assert Asset.objects.count() == 0 and _stored_files(_isolated_services) == before


@override_settings(FORGE_UPLOAD_MAX_BYTES=1024)
def test_upload_limit_is_a_setting(user_client):
    response = _upload(user_client, sphere_glb())
    assert response.status_code == 413
    assert "1024 bytes" in response.json()["error"]["message"]


def test_upload_with_bad_fields_is_400_and_leaves_nothing(user_client, _isolated_services):
    before = _stored_files(_isolated_services)
    response = _upload(user_client, box_glb(), name="", kind="dragon", tags="ok, <bad>")
    assert response.status_code == 400
    assert {"name", "kind"} <= set(response.json()["error"]["details"])
    response = _upload(user_client, box_glb(), tags="fine, <bad>")
    assert response.status_code == 400
    assert "tags" in response.json()["error"]["details"]
    assert Asset.objects.count() == 0 and _stored_files(_isolated_services) == before


def test_upload_without_a_file_is_400(user_client):
    response = user_client.post(LIST, {"name": "x"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["error"]["details"]


def test_upload_needs_sign_in(api_client):
    response = _upload(api_client, box_glb())
    assert response.status_code == 401
    assert Asset.objects.count() == 0


# ---- update and delete ----------------------------------------------------------------------


def test_owner_updates_name_description_tags_visibility(user_client, user):
    asset = AssetFactory(owner=user, visibility="private")
    response = user_client.patch(
        f"{LIST}{asset.id}/",
        {
            "name": "Renamed",
            "description": "Now public",
            "tags": ["One", "two"],
            "visibility": "public",
        },
        format="json",
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["name"], data["visibility"], data["tags"]) == ("Renamed", "public", ["one", "two"])
    assert "Renamed" in _names(user_client.get(LIST))


def test_others_cannot_update_or_delete_and_are_told_it_is_missing(api_client, user, other_user):
    public = AssetFactory(owner=user, name="Mine")
    unlisted = AssetFactory(owner=user, visibility="unlisted", files=False)
    private = AssetFactory(owner=user, visibility="private", files=False)
    api_client.force_authenticate(other_user)
    for asset in (public, unlisted, private):
        response = api_client.patch(f"{LIST}{asset.id}/", {"name": "Stolen"}, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert api_client.delete(f"{LIST}{asset.id}/").status_code == 404
    assert api_client.get(f"{LIST}{public.id}/").status_code == 200
    public.refresh_from_db()
    assert public.name == "Mine" and Asset.objects.count() == 3


def test_update_with_invalid_values_changes_nothing(user_client, user):
    asset = AssetFactory(owner=user, name="Keep")
    response = user_client.patch(
        f"{LIST}{asset.id}/", {"name": "", "visibility": "secret"}, format="json"
    )
    assert response.status_code == 400
    asset.refresh_from_db()
    assert asset.name == "Keep" and asset.visibility == "public"


def test_owner_and_staff_delete(
    user_client, user, staff_client, django_capture_on_commit_callbacks
):
    mine = AssetFactory(owner=user)
    theirs = AssetFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert user_client.delete(f"{LIST}{mine.id}/").status_code == 204
    assert not mine.model_file.storage.exists(mine.model_file.name)
    assert staff_client.delete(f"{LIST}{theirs.id}/").status_code == 204
    assert Asset.objects.count() == 0
    assert user_client.get(f"{LIST}{mine.id}/").status_code == 404
