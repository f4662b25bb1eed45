"""The gallery UI: grid (full page and htmx partial), detail with viewer and variants, upload,
edit and delete, and visibility rules."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from assets.models import Asset
from tests.assets.factories import AssetFactory, AssetVariantFactory, MaterialPresetFactory
from tests.assets.glb_samples import box_glb

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def _html(response) -> str:
    return response.content.decode()


def test_gallery_full_page_and_htmx_partial(client):
    AssetFactory(name="Lantern", tags=["light"])
    page = client.get("/")
    assert page.status_code == 200
    html = _html(page)
    assert "<html" in html and 'id="gallery-results"' in html and "Lantern" in html
    assert 'role="search"' in html and 'hx-push-url="true"' in html
    assert 'alt="Preview of Lantern"' in html
    partial = client.get("/", {"q": "lantern"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = _html(partial)
    assert "<html" not in body and "Lantern" in body and 'class="asset-card"' in body
    assert "HX-Request" in partial["Vary"]


def test_gallery_search_filter_sort_work_without_javascript(client):
    AssetFactory(name="Iron sword", kind="weapon", tags=["blade"], files=False)
    AssetFactory(name="Wooden sword", kind="weapon", art_style="cartoon", files=False)
    AssetFactory(name="Well", kind="building", files=False)
    html = _html(client.get("/", {"q": "sword", "art_style": "cartoon"}))
    assert "Wooden sword" in html and "Iron sword" not in html and "Well" not in html
    html = _html(client.get("/", {"kind": "weapon", "sort": "name"}))
    assert html.index("Iron sword") < html.index("Wooden sword") and "Well<" not in html
    html = _html(client.get("/", {"tag": "blade"}))
    assert "Iron sword" in html and "Wooden sword" not in html
    assert 'value="blade"' in html  # the form shows the current state


def test_gallery_pages_have_shareable_links(client):
    now = timezone.now()
    for i in range(5):
        a = AssetFactory(name=f"Rock {i}", files=False)
        Asset.objects.filter(pk=a.pk).update(created_at=now - timedelta(minutes=i))
    html = _html(client.get("/", {"page_size": 2, "kind": "prop"}))
    assert "page 1 of 3" in html
    assert 'href="?page_size=2&amp;kind=prop&amp;page=2"' in html
    second = _html(client.get("/", {"page_size": 2, "kind": "prop", "page": 2}))
    assert "Rock 2" in second and "Rock 0" not in second and 'aria-current="page">2<' in second
    missing = client.get("/", {"page": 9})
    assert missing.status_code == 404 and "That page does not exist" in _html(missing)


def test_gallery_empty_and_no_results_states(client):
    assert "The gallery is empty so far" in _html(client.get("/"))
    AssetFactory(name="Cart", files=False)
    html = _html(client.get("/", {"q": "submarine"}))
    assert "No assets match" in html and "Clear the search" in html


def test_gallery_hides_others_private_and_unlisted_but_shows_mine(signed_in, user, other_user):
    AssetFactory(owner=other_user, name="Their secret", visibility="private", files=False)
    AssetFactory(owner=other_user, name="Their unlisted", visibility="unlisted", files=False)
    AssetFactory(owner=user, name="My draft", visibility="private", files=False)
    html = _html(signed_in.get("/"))
    assert "Their secret" not in html and "Their unlisted" not in html and "My draft" in html
    html = _html(signed_in.get("/", {"mine": "on"}))
    assert "My draft" in html and "Their" not in html


def test_detail_shows_viewer_facts_variants_and_download(client):
    asset = AssetFactory(name="Anvil", tags=["forge", "iron"], description="Heavy.")
    gold = MaterialPresetFactory(slug="gold", name="Gold")
    pending = MaterialPresetFactory(slug="ice", name="Ice")
    variant = AssetVariantFactory(asset=asset, preset=gold)
    AssetVariantFactory(asset=asset, preset=pending, status="pending")
    html = _html(client.get(f"/assets/{asset.id}/"))
    assert "<model-viewer" in html and "/static/vendor/model-viewer.min.js" in html
    assert f'src="/media/{asset.model_file.name}"' in html and "camera-controls" in html
    assert (
        f'href="?variant={variant.id}"' in html
        and f'data-model="/media/{variant.model_file.name}"' in html
    )
    assert "Ice" in html and "badge-pending" in html
    assert "Heavy." in html and "12" in html and 'href="/?tag=forge"' in html
    assert "2 total · 1 ready · 1 pending · 0 failed" in html
    assert "Download GLB" in html
    assert "Edit" not in html  # not the owner
    chosen = _html(client.get(f"/assets/{asset.id}/", {"variant": str(variant.id)}))
    assert f'src="/media/{variant.model_file.name}"' in chosen
    assert "3D model of Anvil in Gold" in chosen


def test_private_asset_of_someone_else_is_404_in_the_ui(client, signed_in, other_user):
    private = AssetFactory(owner=other_user, visibility="private")
    unlisted = AssetFactory(owner=other_user, visibility="unlisted", name="By link")
    assert signed_in.get(f"/assets/{private.id}/").status_code == 404
    assert signed_in.get(f"/assets/{private.id}/edit/").status_code == 404
    assert signed_in.get(f"/assets/{private.id}/delete/").status_code == 404
    assert "By link" in _html(signed_in.get(f"/assets/{unlisted.id}/"))


def test_upload_page_creates_the_asset_and_shows_it(signed_in, user):
    page = signed_in.get("/assets/upload/")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in _html(page)
    response = signed_in.post(
        "/assets/upload/",
        {
            "file": SimpleUploadedFile("box.glb", box_glb()),
            "name": "Uploaded box",
            "kind": "prop",
            "art_style": "low_poly",
            "tags": "box, test",
            "visibility": "public",
        },
        follow=True,
    )
    assert response.status_code == 200
    asset = Asset.objects.get(name="Uploaded box")
    assert asset.owner == user and asset.tags == ["box", "test"]
    assert "<model-viewer" in _html(response) and "is uploaded" in _html(response)
    assert "Uploaded box" in _html(signed_in.get("/"))


def test_upload_page_shows_clear_errors_and_keeps_nothing(signed_in, _isolated_services):
    before = {p for p in _isolated_services.rglob("*") if p.is_file()}
    response = signed_in.post(
        "/assets/upload/",
        {"file": SimpleUploadedFile("x.glb", b"hello, this is not a 3D model at all"), "name": "Bad",
         "kind": "prop", "art_style": "stylized", "visibility": "public"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Not a GLB file" in _html(response) and 'role="alert"' in _html(response)
    assert Asset.objects.count() == 0
    assert {p for p in _isolated_services.rglob("*") if p.is_file()} == before


@override_settings(FORGE_UPLOAD_MAX_BYTES=2048)
def test_upload_page_names_the_size_limit(signed_in):
    response = signed_in.post(
        "/assets/upload/",
        {"file": SimpleUploadedFile("big.glb", box_glb() + b"\0" * 4096), "name": "Big",
         "kind": "prop", "art_style": "stylized", "visibility": "public"},
    )  # fmt: skip
    assert response.status_code == 400 and "the limit is 2048 bytes" in _html(response)
    assert Asset.objects.count() == 0


def test_upload_needs_sign_in(client):
    response = client.get("/assets/upload/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("action", ["publish/", "edit/", "variants/", "delete/"])
def test_actions_on_someone_elses_unlisted_asset_are_404_and_change_nothing(
    signed_in, other_user, action
):
    """An unlisted asset can be seen by link; every action on it is 404 to others, as in the API."""
    unlisted = AssetFactory(owner=other_user, visibility="unlisted", name="By link")
    response = signed_in.post(f"/assets/{unlisted.id}/{action}", {"visibility": "public"})
    assert response.status_code == 404
    unlisted.refresh_from_db()
    assert unlisted.visibility == "unlisted"


def test_owner_edits_and_others_are_refused(signed_in, user, other_user, client):
    asset = AssetFactory(owner=user, name="Old name", visibility="private")
    form = _html(signed_in.get(f"/assets/{asset.id}/edit/"))
    assert 'value="Old name"' in form
    response = signed_in.post(
        f"/assets/{asset.id}/edit/",
        {"name": "New name", "description": "d", "tags": "a, b", "visibility": "public"},
    )
    assert response.status_code == 302
    asset.refresh_from_db()
    assert (asset.name, asset.visibility, asset.tags) == ("New name", "public", ["a", "b"])
    bad = signed_in.post(f"/assets/{asset.id}/edit/", {"name": "", "visibility": "public"})
    assert bad.status_code == 400
    client.force_login(other_user)
    assert client.get(f"/assets/{asset.id}/edit/").status_code == 404
    assert client.get(f"/assets/{asset.id}/delete/").status_code == 404
    assert client.post(f"/assets/{asset.id}/delete/").status_code == 404
    assert Asset.objects.filter(pk=asset.pk).exists()


def test_owner_deletes_after_confirming(signed_in, user):
    asset = AssetFactory(owner=user, name="Doomed")
    confirm = signed_in.get(f"/assets/{asset.id}/delete/")
    assert confirm.status_code == 200 and "Delete for good" in _html(confirm)
    assert Asset.objects.filter(pk=asset.pk).exists()
    response = signed_in.post(f"/assets/{asset.id}/delete/")
    assert response.status_code == 302
    assert not Asset.objects.filter(pk=asset.pk).exists()
    assert signed_in.get(f"/assets/{asset.id}/").status_code == 404
