"""Stored files under /media/: served only to readers who may see their asset, else a clean 404."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from forge.tokens import api_token_create
from tests.assets.factories import AssetFactory, AssetVariantFactory

pytestmark = pytest.mark.django_db


def _urls(asset) -> list[str]:
    variant = asset.variants.get()
    names = [asset.model_file, asset.thumbnail, variant.model_file, variant.thumbnail]
    return [default_storage.url(file.name) for file in names]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)  # the test client closes it when consumed


@pytest.fixture
def private_asset(user):
    asset = AssetFactory(owner=user, visibility="private")
    AssetVariantFactory(asset=asset)
    return asset


def test_files_of_a_private_asset_are_missing_for_anyone_but_owner_and_staff(
    client, private_asset, other_user
):
    for url in _urls(private_asset):
        assert client.get(url).status_code == 404
    client.force_login(other_user)
    for url in _urls(private_asset):
        assert client.get(url).status_code == 404


def test_the_owner_and_staff_get_a_private_assets_files_privately(
    client, private_asset, staff_user
):
    client.force_login(private_asset.owner)
    for url in _urls(private_asset):
        response = client.get(url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]
    model = client.get(default_storage.url(private_asset.model_file.name))
    assert model["Content-Type"] == "model/gltf-binary"
    assert _body(model) == default_storage.open(private_asset.model_file.name).read()
    thumbnail = client.get(default_storage.url(private_asset.thumbnail.name))
    assert thumbnail["Content-Type"] == "image/png"
    assert _body(thumbnail).startswith(b"\x89PNG")
    client.force_login(staff_user)
    for url in _urls(private_asset):
        assert client.get(url).status_code == 200


def test_an_api_token_of_the_owner_opens_a_private_file(client, private_asset):
    _, raw = api_token_create(user=private_asset.owner, name="cli")
    url = default_storage.url(private_asset.model_file.name)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION="Bearer forge_wrong").status_code == 404


def test_wrong_tokens_on_files_lock_the_address_out_as_on_the_api(private_asset, settings):
    from django.test import Client

    from forge.models import ApiToken

    settings.FORGE_AUTH_FAILURES_PER_ADDRESS = 3
    _, raw = api_token_create(user=private_asset.owner, name="cli")
    url = default_storage.url(private_asset.model_file.name)
    client = Client(REMOTE_ADDR="10.6.6.6")
    codes = [
        client.get(url, HTTP_AUTHORIZATION=f"Bearer forge_guess{n}").status_code for n in range(3)
    ]
    assert codes == [404, 404, 404]
    # Locked out: even the right token is refused, and nothing is written for it.
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.FORGE_AUTH_FAILURE_WINDOW_SECONDS
    assert b"Too many wrong tokens" in response.content
    assert ApiToken.objects.get(name="cli").last_used_at is None
    # The same counter as the API's: the API refuses that address too; others are served.
    api = client.get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 429
    other = Client(REMOTE_ADDR="10.6.6.7")
    assert other.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_unlisted_files_open_by_link_but_are_not_cached_publicly(client, user):
    asset = AssetFactory(owner=user, visibility="unlisted")
    AssetVariantFactory(asset=asset)
    for url in _urls(asset):
        response = client.get(url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]


def test_public_files_are_served_with_long_public_caching(client, settings):
    settings.FORGE_MEDIA_PUBLIC_MAX_AGE = 1234
    asset = AssetFactory(visibility="public")
    AssetVariantFactory(asset=asset)
    for url in _urls(asset):
        response = client.get(url)
        assert response.status_code == 200
        assert "public" in response["Cache-Control"]
        assert "max-age=1234" in response["Cache-Control"]
        assert "Cookie" not in response.get("Vary", "")
    head = client.head(_urls(asset)[0])
    assert head.status_code == 200


def test_a_file_made_private_stops_being_served(client, user):
    asset = AssetFactory(owner=user, visibility="public")
    url = default_storage.url(asset.model_file.name)
    assert client.get(url).status_code == 200
    asset.visibility = "private"
    asset.save(update_fields=["visibility"])
    assert client.get(url).status_code == 404


def test_only_files_owned_by_an_asset_row_are_served(client):
    asset = AssetFactory(visibility="public")
    stray = default_storage.save(f"assets/{asset.id}/extra.glb", ContentFile(b"glTF secret"))
    checkpoint = default_storage.save(
        "pipelines/0b6c5b1e-0000-4000-8000-000000000000/generate_mesh/a1/mesh.glb",
        ContentFile(b"glTF checkpoint"),
    )
    probe = default_storage.save("health/probe.txt", ContentFile(b"ok"))
    for name in (stray, checkpoint, probe):
        assert client.get(default_storage.url(name)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/media/" + "a" * 256,
        "/media/assets/" + "b" * 300 + "/model.glb",
        "/media/%00",
        "/media/assets/%ff%fe/model.glb",
        "/media/../forge/settings.py",
        "/media/assets/../../pyproject.toml",
        "/media/assets/0b6c5b1e-0000-4000-8000-000000000000/model.glb",
        "/media/",
        "/media/assets/",
    ],
)
def test_odd_names_get_a_clean_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"Traceback" not in response.content


def test_writing_to_media_is_not_allowed(client):
    asset = AssetFactory(visibility="public")
    assert client.post(default_storage.url(asset.model_file.name)).status_code == 405
