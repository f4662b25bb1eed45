"""Signed-in users see their own private and unlisted assets in the gallery, searches and
filters (badged); nobody else does, and no cached count or boundary crosses users."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from assets.gallery import SORTS, GalleryFilters, gallery_page, gallery_page_offset
from assets.models import Asset
from assets.services import asset_update
from tests.assets.factories import AssetFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/assets/"


def _html(response) -> str:
    return response.content.decode()


def _names(response) -> list[str]:
    return [item["name"] for item in response.json()["data"]]


def _ids(rows) -> list:
    return [row["id"] for row in rows]


def _after_commit():
    """Run the after-commit work of the services (the test transaction never commits)."""
    for callback in [c for _, c, _ in connection.run_on_commit]:
        callback()


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def mixed(user, other_user):
    """Public assets of both users, and each user's private, unlisted and unready ones."""
    AssetFactory(owner=other_user, name="Public lantern", tags=["light"], files=False)
    AssetFactory(owner=user, name="Public anvil", files=False)
    AssetFactory(owner=user, name="My secret lantern", visibility="private", files=False)
    AssetFactory(owner=user, name="My unlisted lantern", visibility="unlisted", files=False)
    AssetFactory(owner=user, name="My failed lantern", status="failed", files=False)
    AssetFactory(owner=other_user, name="Their secret lantern", visibility="private", files=False)
    AssetFactory(
        owner=other_user, name="Their unlisted lantern", visibility="unlisted", files=False
    )


def test_gallery_shows_my_private_and_unlisted_assets_with_a_badge(signed_in, client, mixed):
    html = _html(signed_in.get("/"))
    assert "My secret lantern" in html and "My unlisted lantern" in html
    assert "Public lantern" in html and "Public anvil" in html
    assert "Their secret" not in html and "Their unlisted" not in html
    assert '<span class="badge badge-private">Private</span>' in html
    assert '<span class="badge badge-unlisted">Unlisted</span>' in html
    assert "5 assets" in html


def test_anonymous_gallery_is_unchanged(client, mixed):
    html = _html(client.get("/"))
    assert "Public lantern" in html and "Public anvil" in html
    assert "secret" not in html and "unlisted lantern" not in html and "2 assets" in html


def test_search_and_visibility_filter_find_my_private_asset(signed_in, mixed):
    html = _html(signed_in.get("/", {"q": "secret"}))
    assert "My secret lantern" in html and "Their secret" not in html
    html = _html(signed_in.get("/", {"visibility": "private"}))
    assert "My secret lantern" in html and "Their secret" not in html
    assert "Public lantern" not in html and "1 asset" in html
    html = _html(signed_in.get("/", {"status": "failed"}))
    assert "My failed lantern" in html and "Public lantern" not in html


def test_api_list_includes_my_own_assets_when_signed_in(user_client, api_client, mixed):
    names = _names(user_client.get(LIST, {"q": "lantern", "sort": "name"}))
    assert names == [
        "My failed lantern", "My secret lantern", "My unlisted lantern", "Public lantern",
    ]  # fmt: skip
    body = user_client.get(LIST, {"visibility": "private"}).json()
    assert [item["name"] for item in body["data"]] == ["My secret lantern"]
    assert body["data"][0]["visibility"] == "private"
    assert body["meta"]["pagination"]["total"] == 1
    assert _names(api_client.get(LIST, {"q": "lantern"})) == ["Public lantern"]


def test_a_new_private_asset_appears_at_once(signed_in, user, mixed):
    signed_in.get("/")  # warm the caches
    asset = AssetFactory(owner=user, name="Fresh dragon", visibility="public", files=False)
    asset_update(asset=asset, actor=user, visibility="private")
    _after_commit()
    html = _html(signed_in.get("/", {"q": "dragon"}))
    assert "Fresh dragon" in html and "badge-private" in html


def test_cached_counts_never_reach_another_user(client, user, other_user, mixed):
    client.force_login(user)
    assert "5 assets" in _html(client.get("/"))
    client.force_login(other_user)
    html = _html(client.get("/"))
    assert "4 assets" in html and "My secret" not in html and "Their secret lantern" in html
    client.logout()
    assert "2 assets" in _html(client.get("/"))


@pytest.fixture
def interleaved(user, other_user):
    """30 public assets and 9 of the user's own others cannot see, times interleaved."""
    now = timezone.now()
    for i in range(39):
        own = i % 4 == 1
        asset = AssetFactory(
            owner=user if own else other_user,
            name=f"{'Crate' if i % 3 else 'barrel'} {i % 5}",
            kind="prop" if i % 2 else "weapon",
            triangle_count=(i * 7) % 11,
            visibility=("private" if i % 8 == 1 else "unlisted") if own else "public",
            files=False,
        )
        Asset.objects.filter(pk=asset.pk).update(created_at=now - timedelta(seconds=i // 3))
    AssetFactory(owner=other_user, visibility="private", files=False)


@override_settings(FORGE_GALLERY_BOUNDARY_EVERY=5)
@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("kind", ["", "prop"])
def test_every_page_of_public_and_own_equals_offset(interleaved, user, sort, kind):
    filters = GalleryFilters(viewer_id=user.pk, sort=sort, kind=kind)
    seen = []
    page = 1
    while True:
        result = gallery_page(filters=filters, page=page, page_size=4)
        assert _ids(result.results) == _ids(
            gallery_page_offset(filters=filters, page=page, page_size=4)
        )
        seen += _ids(result.results)
        if not result.has_next:
            break
        page += 1
    expected = 39 if not kind else 19
    assert len(seen) == len(set(seen)) == expected == result.total


@override_settings(FORGE_GALLERY_BOUNDARY_EVERY=5)
def test_deep_pages_of_public_and_own_stay_exact_after_a_write(interleaved, user):
    filters = GalleryFilters(viewer_id=user.pk, sort="name")
    before = gallery_page(filters=filters, page=6, page_size=4)
    first = gallery_page(filters=filters, page=1, page_size=1).results[0]
    first = Asset.objects.get(pk=first["id"])
    asset_update(asset=first, actor=first.owner, name="zzz last")
    _after_commit()
    after = gallery_page(filters=filters, page=6, page_size=4)
    assert _ids(after.results) == _ids(gallery_page_offset(filters=filters, page=6, page_size=4))
    assert _ids(after.results) != _ids(before.results)


@override_settings(FORGE_GALLERY_BOUNDARY_EVERY=5)
def test_signed_in_warm_page_is_one_query(
    interleaved, user, user_client, django_assert_num_queries
):
    user_client.get(LIST, {"page": 5, "page_size": 4})
    with django_assert_num_queries(1):
        response = user_client.get(LIST, {"page": 5, "page_size": 4})
    assert len(response.json()["data"]) == 4
    assert response.json()["meta"]["pagination"]["total"] == 39


def test_viewer_without_own_extras_shares_the_public_list(
    other_user, mixed, api_client, django_assert_num_queries
):
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    newcomer = APIClient()
    newcomer.force_authenticate(UserFactory())
    api_client.get(LIST)  # the anonymous request caches the public count
    # Cold for the newcomer: one count of their own extras (none), then the shared page.
    with django_assert_num_queries(2):
        response = newcomer.get(LIST)
    assert sorted(_names(response)) == ["Public anvil", "Public lantern"]


def test_the_generate_success_link_opens_the_asset_which_my_gallery_lists(signed_in, user):
    from pipelines.models import GenerationPipeline
    from pipelines.services import pipeline_create

    pipeline = pipeline_create(user=user, config={"prompt": "a wooden chair"})[0]
    asset = AssetFactory(owner=user, name="Wooden chair", visibility="private", source="generated")
    GenerationPipeline.objects.filter(pk=pipeline.pk).update(asset=asset, status="succeeded")
    page = _html(signed_in.get(f"/pipelines/{pipeline.id}/"))
    assert "open in the gallery" not in page
    assert f'href="/assets/{asset.id}/"' in page and "Wooden chair — open the asset" in page
    assert "Wooden chair" in _html(signed_in.get(f"/assets/{asset.id}/"))
    assert "Wooden chair" in _html(signed_in.get("/"))  # and the gallery shows it too
